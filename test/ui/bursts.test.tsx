/**
 * Keys that arrive in one stdin chunk (tmux send-keys, a paste, a held
 * key): each must count, and build on the one before it.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { MaxrecError } from '../../src/core/errors.js';
import { renderApp, startJourney } from '../helpers/app.js';
import { KEYS, tick, waitForFrame } from '../helpers/ink.js';
import { inspectionFixture } from '../helpers/journey-fakes.js';

afterEach(() => cleanup());

async function atSetup() {
  const journey = startJourney();
  const app = await renderApp(journey);
  await waitForFrame(app, '❯ New training');
  journey.actor.send({ type: 'NEW_TRAINING' });
  await waitForFrame(app, '❯ Backend');
  const setup = () => journey.actor.getSnapshot().context.setup;
  return { journey, app, setup };
}

async function atHyperparameters() {
  const journey = startJourney();
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

describe('keys in one chunk', () => {
  it('setup: four ↓ at once move the focus four fields', async () => {
    const { app } = await atSetup();
    app.stdin.write(KEYS.down.repeat(4));
    await waitForFrame(app, '❯ Compute size');
    app.stdin.write(KEYS.up.repeat(3) + KEYS.enter);
    await waitForFrame(app, '❯ Data location');
  });

  it('setup: ←→ bursts step the choice once per key', async () => {
    const { app, setup } = await atSetup();
    app.stdin.write(KEYS.right.repeat(2));
    await waitForFrame(app, '[ray]');
    expect(setup().backend).toBe('ray');
  });

  it('setup: a burst of Backspaces erases one character each, a paste lands whole', async () => {
    const { app, setup } = await atSetup();
    app.stdin.write(KEYS.down);
    await waitForFrame(app, '❯ Data folder');
    expect(setup().localDataDir).toBe('sample_training_data/');
    app.stdin.write(KEYS.backspace.repeat(10));
    await tick();
    expect(setup().localDataDir).toBe('sample_trai');
    app.stdin.write(KEYS.backspace.repeat(60));
    await tick();
    expect(setup().localDataDir).toBe('');
    app.stdin.write('/srv/my data/ratings');
    await waitForFrame(app, '/srv/my data/ratings');
    expect(setup().localDataDir).toBe('/srv/my data/ratings');
    // Ctrl+W drops a path part, Ctrl+U the whole field; Home/End, ←→.
    app.stdin.write('\x17');
    await tick();
    expect(setup().localDataDir).toBe('/srv/my data/');
    app.stdin.write('\x01X\x05Y' + KEYS.left + '\x1b[3~');
    await tick();
    expect(setup().localDataDir).toBe('X/srv/my data/');
    app.stdin.write('\x15/new' + KEYS.down + 'bucket');
    await waitForFrame(app, 'maxrec-databucket');
    expect(setup()).toMatchObject({
      localDataDir: '/new',
      dataBucket: 'maxrec-databucket',
    });
  });

  it('data: a pasted path and Enter in one chunk inspect that path', async () => {
    const journey = startJourney();
    const app = await renderApp(journey);
    await waitForFrame(app, '❯ New training');
    journey.actor.send({ type: 'NEW_TRAINING' });
    journey.actor.send({ type: 'SUBMIT' });
    await journey.reach('data.choosing');
    await waitForFrame(app, 'Ratings file or folder: sample_training_data/');
    app.stdin.write('\x15/data/my ratings/u.data\r');
    await journey.reach('data.reviewed');
    expect(journey.fake.calls.inspectData?.[0]).toEqual([
      '/data/my ratings/u.data',
    ]);
  });

  it('hyperparameters: a digit, ↓↓ and Enter at once', async () => {
    const { app, values } = await atHyperparameters();
    app.stdin.write('3' + KEYS.down + KEYS.down + KEYS.enter);
    await waitForFrame(app, '❯ Learning rate');
    expect(values().epochs).toBe(3);
    // Typed digits add up; arrows and +- step from the newest value.
    app.stdin.write(KEYS.up + KEYS.up + '64' + '++' + KEYS.right);
    await waitForFrame(app, '❯ Batch size');
    expect(values().batchSize).toBe(512);
    app.stdin.write(KEYS.backspace.repeat(3) + '9');
    await tick();
    expect(values().batchSize).toBe(9);
  });

  it('hyperparameters: Enter walks the fields, then starts on the last', async () => {
    const { journey, app } = await atHyperparameters();
    journey.fake.hold('buildCodeArchive');
    app.stdin.write('7' + KEYS.enter.repeat(5));
    await waitForFrame(app, '❯ HPO');
    expect(journey.actor.getSnapshot().value).toEqual({
      hyperparameters: 'editing',
    });
    app.stdin.write(KEYS.enter.repeat(2));
    await waitForFrame(app, 'Packaging the training code');
    expect(journey.fake.calls.saveHyperparameters?.[0]?.[1]).toMatchObject({
      epochs: 7,
    });
  });

  it('keys after one that changes the screen go to the new screen', async () => {
    const journey = startJourney();
    const app = await renderApp(journey);
    await waitForFrame(app, '❯ New training');
    // Enter opens setup; the ↓↓ are setup's.
    app.stdin.write(KEYS.enter + KEYS.down + KEYS.down);
    await waitForFrame(app, '❯ Data location');
    // Escape and a key in one chunk are two keys, not Alt+key.
    app.stdin.write(KEYS.escape + 'n');
    await waitForFrame(app, (f) => f.includes('❯ Backend'));
    expect(journey.actor.getSnapshot().value).toEqual({ setup: 'editing' });
    expect(journey.fake.callCount('listRecentRuns')).toBe(2);
  });
});

describe('the footer’s hints', () => {
  it('home: n starts a new training, q quits, ↑↓ and Enter choose', async () => {
    let journey = startJourney();
    let app = await renderApp(journey);
    const home = await waitForFrame(app, 'Resume run run-0000');
    expect(home).toContain('n new training');
    app.stdin.write('n');
    await journey.reach('setup.editing');
    cleanup();

    journey = startJourney();
    app = await renderApp(journey);
    await waitForFrame(app, 'Resume run run-0000');
    app.stdin.write(KEYS.down);
    await waitForFrame(app, '❯ Resume run run-0000');
    app.stdin.write(KEYS.down + KEYS.up + KEYS.enter);
    await journey.reach('monitor.watching');
    expect(journey.actor.getSnapshot().context.runId).toBe('run-0000');
    cleanup();

    journey = startJourney();
    app = await renderApp(journey);
    await waitForFrame(app, 'Resume run run-0000');
    app.stdin.write('q');
    await waitForFrame(app, 'Bye.');
    expect(journey.actor.getSnapshot().value).toBe('quit');
  });
});

describe('errors', () => {
  it('a failed packaging shows the error above the footer; the next key clears it', async () => {
    const { journey, app } = await atHyperparameters();
    journey.fake.hold('buildCodeArchive');
    app.stdin.write(KEYS.down.repeat(6) + KEYS.enter);
    await journey.reach('launch.packaging');
    journey.fake.fail(
      'buildCodeArchive',
      new MaxrecError(4, 'The training code folder is missing', {
        hint: 'Set train.model_source in cfg.yaml.',
      }),
    );
    const screen = await waitForFrame(app, 'training code folder is missing');
    expect(screen).toContain('Set train.model_source');
    const lines = screen.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    expect(lines.at(-1)).toContain('↑↓ Tab move');
    expect(lines.at(-1)).toContain('Esc back');

    app.stdin.write(KEYS.up);
    await waitForFrame(app, (f) => !f.includes('folder is missing'));
    // The screen came back afresh, and ↑ on the first field stays there.
    expect(frameOf(app)).toContain('❯ Epochs');
  });
});

describe('data screen', () => {
  it('names the file inspected inside the folder', async () => {
    const journey = startJourney();
    journey.fake.answers.inspection = {
      ...inspectionFixture,
      file: path.resolve('sample_training_data/data/ratings.csv'),
    };
    const app = await renderApp(journey);
    await waitForFrame(app, '❯ New training');
    journey.actor.send({ type: 'NEW_TRAINING' });
    journey.actor.send({ type: 'SUBMIT' });
    await journey.reach('data.choosing');
    await waitForFrame(app, 'Ratings file or folder');
    app.stdin.write(KEYS.enter);
    const screen = await waitForFrame(app, 'Inspected file:');
    expect(screen).toContain('Inspected file: data/ratings.csv');
  });
});

function frameOf(app: { lastFrame: () => string | undefined }) {
  return app.lastFrame() ?? '';
}
