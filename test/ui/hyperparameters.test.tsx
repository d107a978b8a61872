import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import type { DataInspection } from '../../src/core/types.js';
import { renderApp, startJourney } from '../helpers/app.js';
import { FakeJourneyServices } from '../helpers/journey-fakes.js';
import {
  KEYS,
  press,
  pressAndWait,
  type,
  waitForFrame,
} from '../helpers/ink.js';

afterEach(() => cleanup());

async function atHyperparameters(inspected?: Partial<DataInspection>) {
  const fake = new FakeJourneyServices();
  fake.answers.inspection = { ...fake.answers.inspection, ...inspected };
  const journey = startJourney(fake);
  await journey.reach('home.ready');
  journey.actor.send({ type: 'NEW_TRAINING' });
  journey.actor.send({ type: 'SUBMIT' });
  await journey.reach('data.choosing');
  journey.actor.send({ type: 'SUBMIT' });
  await journey.reach('data.reviewed');
  journey.actor.send({ type: 'SUBMIT' });
  await journey.reach('hyperparameters.editing');
  const app = await renderApp(journey);
  await waitForFrame(app, '❯ Epochs');
  const values = () => journey.actor.getSnapshot().context.hyperparameters;
  return { journey, app, values };
}

describe('hyperparameter editor', () => {
  it('arrows step numbers and typed digits replace them', async () => {
    // A delimiter the trainer does not know: the row stays a choice.
    const { app, values } = await atHyperparameters({ delimiter: '#' });
    await pressAndWait(app, [KEYS.right], ' 6 ');
    expect(values().epochs).toBe(6);
    await press(app, KEYS.left, '-', '-');
    expect(values().epochs).toBe(3);
    await press(app, '+');
    expect(values().epochs).toBe(4);
    await type(app, '40');
    await waitForFrame(app, ' 40 ');
    expect(values().epochs).toBe(40);

    // Batch size doubles and halves.
    await press(app, KEYS.down, KEYS.right);
    expect(values().batchSize).toBe(256);
    await press(app, KEYS.left, KEYS.left);
    expect(values().batchSize).toBe(64);

    // Learning rate on a 1-2-5 scale; typed as a decimal.
    await press(app, KEYS.tab, KEYS.enter);
    await waitForFrame(app, '❯ Learning rate');
    await press(app, KEYS.right);
    expect(values().learningRate).toBe(0.01);
    await type(app, '0.002');
    expect(values().learningRate).toBe(0.002);

    // Delimiter chooses among its values; h toggles HPO from anywhere.
    await press(app, KEYS.down, KEYS.right);
    expect(values().delimiter).toBe('\\t');
    await pressAndWait(app, ['h'], 'on');
    expect(values().hpo).toBe(true);
  });

  it("shows the inspected file's delimiter fixed: arrows do not change it", async () => {
    const { journey, app, values } = await atHyperparameters({
      file: '/data/ml-100k/u.data',
      delimiter: '\t',
    });
    expect(values().delimiter).toBe('\\t');
    await press(app, KEYS.up, KEYS.up, KEYS.up);
    let screen = await waitForFrame(app, '❯ Delimiter');
    expect(screen).toContain(
      'u.data is tab-separated; to change it, Esc and pick another file',
    );
    await press(app, KEYS.right, '+', KEYS.left);
    expect(values().delimiter).toBe('\\t');
    expect(journey.actor.getSnapshot().context.hyperparameterErrors).toEqual(
      {},
    );

    // Off the row, it still says where the value comes from.
    screen = await pressAndWait(app, [KEYS.down], '❯ HPO');
    expect(screen).toMatch(/Delimiter +\\t +u\.data is tab-separated$/m);

    journey.fake.hold('buildCodeArchive');
    await press(app, KEYS.down);
    await waitForFrame(app, '❯ Start training');
    await pressAndWait(app, [KEYS.enter], 'Packaging the training code');
    expect(journey.fake.calls.saveHyperparameters?.[0]?.[1]).toMatchObject({
      delimiter: '\\t',
    });
  });

  it('refuses batch size 0 and learning rate 2 with a message', async () => {
    const { journey, app, values } = await atHyperparameters();
    await press(app, KEYS.down);
    let screen = await pressAndWait(
      app,
      ['0'],
      'Batch size must be between 1 and 65536',
    );
    expect(screen).toContain('✗ Batch size must be between 1 and 65536');
    expect(values().batchSize).toBe(128);

    // Leaving the field restores the last valid value and clears the error.
    screen = await pressAndWait(
      app,
      [KEYS.down],
      (f) => !f.includes('must be') && /Batch size +128$/m.test(f),
    );
    expect(values().batchSize).toBe(128);

    await press(app, KEYS.down);
    await waitForFrame(app, '❯ Learning rate');
    screen = await pressAndWait(
      app,
      ['2'],
      'Learning rate must be above 0 and at most 1',
    );
    expect(values().learningRate).toBe(0.005);

    // With an error showing, the run does not start.
    journey.actor.send({ type: 'SUBMIT' });
    await waitForFrame(app, 'Fix the values in red');
    expect(journey.fake.callCount('saveHyperparameters')).toBe(0);

    await press(app, KEYS.backspace);
    await type(app, '0.05');
    await waitForFrame(app, (f) => !f.includes('must be above'));
    expect(values().learningRate).toBe(0.05);
  });

  it('Start training saves the values and launches', async () => {
    const { journey, app } = await atHyperparameters();
    journey.fake.hold('buildCodeArchive');
    await press(app, KEYS.up);
    await waitForFrame(app, '❯ Start training');
    const screen = await pressAndWait(
      app,
      [KEYS.enter],
      'Packaging the training code',
    );
    expect(screen).toContain('Esc cancel');
    expect(journey.fake.calls.saveHyperparameters?.[0]?.[1]).toMatchObject({
      epochs: 5,
    });
    await pressAndWait(app, [KEYS.escape], 'Packaging cancelled');
    expect(journey.fake.callCount('startRun')).toBe(0);
  });
});
