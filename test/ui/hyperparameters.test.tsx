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
    await press(app, KEYS.down, KEYS.down, KEYS.down, KEYS.down);
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

    // Leaving the field keeps the 0 as typed, and its error, until fixed.
    screen = await pressAndWait(app, [KEYS.down], '❯ Factors');
    expect(screen).toMatch(/Batch size +0 *$/m);
    expect(screen).toContain('✗ Batch size must be between 1 and 65536');
    expect(values().batchSize).toBe(128);
    await press(app, KEYS.up, KEYS.backspace);
    await type(app, '64');
    await pressAndWait(
      app,
      [KEYS.down],
      (f) => !f.includes('must be') && /Batch size +64 *$/m.test(f),
    );
    expect(values().batchSize).toBe(64);

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
    await press(app, ...Array<string>(6).fill(KEYS.down));
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

  it('does not wrap from the first row to Start, nor from Start to the first', async () => {
    const { journey, app } = await atHyperparameters();
    await press(app, KEYS.up, KEYS.up, '\x1b[Z');
    let screen = await waitForFrame(app, '❯ Epochs');
    expect(screen).not.toContain('❯ Start training');
    // Enter on the first row moves on; it never starts the run.
    await press(app, KEYS.up, KEYS.enter);
    await waitForFrame(app, '❯ Batch size');
    expect(journey.fake.callCount('saveHyperparameters')).toBe(0);

    await press(app, ...Array<string>(5).fill(KEYS.down));
    await waitForFrame(app, '❯ Start training');
    screen = await pressAndWait(app, [KEYS.down, KEYS.tab], '❯ Start');
    expect(screen).not.toContain('❯ Epochs');
    expect(journey.actor.getSnapshot().matches('hyperparameters')).toBe(true);
  });

  it('keeps an out-of-range value as typed, with its error, and will not start', async () => {
    const { journey, app, values } = await atHyperparameters();
    await type(app, '1001');
    let screen = await waitForFrame(app, 'Epochs must be between 1 and 1000');
    expect(screen).toMatch(/Epochs +1001 /m);
    // Enter moves on: the 1001 stays, never cut to 100.
    screen = await pressAndWait(app, [KEYS.enter], '❯ Batch size');
    expect(screen).toMatch(/Epochs +1001 *$/m);
    expect(screen).toContain('✗ Epochs must be between 1 and 1000');

    await type(app, '0');
    screen = await pressAndWait(app, [KEYS.down], '❯ Factors');
    expect(screen).toMatch(/Batch size +0 *$/m);
    expect(screen).toContain('✗ Batch size must be between 1 and 65536');

    await type(app, '50000');
    screen = await pressAndWait(app, [KEYS.down], '❯ Learning rate');
    expect(screen).toMatch(/Factors +50000 *$/m);
    expect(screen).toContain('✗ Factors must be between 1 and 1024');

    // Start is refused while any of them is wrong.
    await press(app, KEYS.down, KEYS.down, KEYS.down);
    await waitForFrame(app, '❯ Start training');
    await pressAndWait(app, [KEYS.enter], 'Fix the values in red');
    expect(journey.fake.callCount('saveHyperparameters')).toBe(0);
    expect(journey.actor.getSnapshot().matches('hyperparameters')).toBe(true);

    // Backspace edits the text as typed: 1001 → 100 is the user's choice.
    await press(app, ...Array<string>(6).fill(KEYS.up), KEYS.backspace);
    screen = await waitForFrame(app, (f) => !f.includes('Epochs must be'));
    expect(values().epochs).toBe(100);
    expect(screen).toContain('✗ Batch size must be');
  });
});
