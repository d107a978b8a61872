import { describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { MaxrecError } from '../../src/core/errors.js';
import { exitCodeOf, closingMessage } from '../../src/core/exit-code.js';
import { createJourneyMachine } from '../../src/core/machine.js';
import { isIn, type JourneyStatePath } from '../../src/core/state-path.js';
import {
  brokenInspectionFixture,
  FakeJourneyServices,
  inspectionFixture,
  successfulRunSteps,
  trainerEventsFixture,
} from '../helpers/journey-fakes.js';

type Journey = ReturnType<typeof start>;

function start(fake = new FakeJourneyServices()) {
  let clock = 10_000;
  const actor = createActor(createJourneyMachine(fake.services), {
    input: { configPath: 'cfg.yaml', now: () => (clock += 1000) },
  });
  actor.start();
  return { actor, fake };
}

const at = (journey: Journey, state: JourneyStatePath) =>
  waitFor(journey.actor, (s) => isIn(s, state as JourneyStatePath), {
    timeout: 2000,
  });

async function toHyperparameters(journey: Journey) {
  await at(journey, 'home.ready');
  journey.actor.send({ type: 'NEW_TRAINING' });
  journey.actor.send({ type: 'SUBMIT' });
  await at(journey, 'data.choosing');
  journey.actor.send({ type: 'SUBMIT' });
  await at(journey, 'data.reviewed');
  journey.actor.send({ type: 'SUBMIT' });
  await at(journey, 'hyperparameters.editing');
}

/** Through launch to a run being watched, its follow held by the test. */
async function toWatching(journey: Journey) {
  await toHyperparameters(journey);
  journey.actor.send({ type: 'SUBMIT' });
  await at(journey, 'monitor.watching');
  await waitFor(journey.actor, () => journey.fake.follower !== null);
  return journey.fake.follower!;
}

describe('journey machine: interactive', () => {
  it('goes through the whole journey to trying the model', async () => {
    const journey = start();
    const { actor, fake } = journey;
    await at(journey, 'home.ready');
    expect(actor.getSnapshot().context.settings?.dataBucket).toBe(
      'maxrec-data',
    );
    await waitFor(actor, (s) => s.context.recentRuns.length === 1);

    actor.send({ type: 'NEW_TRAINING' });
    expect(isIn(actor.getSnapshot(), 'setup.editing')).toBe(true);
    actor.send({ type: 'SETUP_CHANGE', patch: { compute: 'gpu' } });
    actor.send({ type: 'SUBMIT' });
    await at(journey, 'data.choosing');
    expect(fake.calls.saveSetup?.[0]?.[1]).toMatchObject({ compute: 'gpu' });
    expect(actor.getSnapshot().context.dataPath).toBe('sample_training_data/');

    actor.send({ type: 'DATA_PATH_CHANGE', path: 'my/ratings.csv' });
    actor.send({ type: 'SUBMIT' });
    await at(journey, 'data.reviewed');
    expect(fake.calls.inspectData?.[0]).toEqual(['my/ratings.csv']);
    expect(actor.getSnapshot().context.inspection?.users).toBe(610);
    expect(actor.getSnapshot().context.inspectProgress?.bytesRead).toBe(1000);

    fake.hold('uploadData');
    actor.send({ type: 'SUBMIT' });
    await at(journey, 'data.uploading');
    await waitFor(actor, (s) => s.context.upload?.progress.bytesDone !== 0);
    expect(actor.getSnapshot().context.upload?.progress.filesTotal).toBe(2);
    fake.release('uploadData');
    await at(journey, 'hyperparameters.editing');

    actor.send({ type: 'HYPERPARAMETER_SET', field: 'epochs', value: '3' });
    expect(actor.getSnapshot().context.hyperparameters.epochs).toBe(3);
    fake.followScript = {
      steps: successfulRunSteps('run-0001', 3),
      final: { id: 'run-0001', status: 'completed', exitCode: 0 },
    };
    actor.send({ type: 'SUBMIT' });
    await at(journey, 'results.ready');
    expect(fake.calls.saveHyperparameters?.[0]?.[1]).toMatchObject({
      epochs: 3,
    });
    expect(fake.calls.buildCodeArchive).toHaveLength(1);
    expect(fake.calls.startRun).toHaveLength(1);
    expect(fake.calls.fetchResults?.[0]).toEqual(['run-0001', false]);

    const context = actor.getSnapshot().context;
    expect(context.statusHistory.map((s) => s.status)).toEqual([
      'pending',
      'running',
      'completed',
    ]);
    expect(context.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(context.startEvent?.users).toBe(610);
    expect(context.endEvent?.test_hr).toBe(0.7123);
    expect(context.logTail.at(-1)).toBe('Packing model_training_output.tar.gz');
    expect(context.results?.metrics?.hit_rate_at_10).toBe(0.7123);

    actor.send({ type: 'RECOMMEND', userId: ' 42 ' });
    await waitFor(actor, (s) => s.context.recommendations.length > 0);
    expect(fake.calls.recommend?.[0]).toEqual(['42', 10]);
    expect(isIn(actor.getSnapshot(), 'results.ready')).toBe(true);

    actor.send({ type: 'EXIT' });
    expect(actor.getSnapshot().value).toBe('done');
    expect(exitCodeOf(actor.getSnapshot())).toBe(0);
  });

  it('Ctrl+C once stops watching, leaves the run going and says how to come back', async () => {
    const journey = start();
    const follower = await toWatching(journey);
    follower.handlers.onStatus({ id: 'run-0001', status: 'running' });
    follower.handlers.onTrainerEvent(trainerEventsFixture(5)[1]!);
    await waitFor(journey.actor, (s) => s.context.epochs.length === 1);

    journey.actor.send({ type: 'INTERRUPT' });
    const snapshot = journey.actor.getSnapshot();
    expect(isIn(snapshot, 'monitor.detached')).toBe(true);
    expect(follower.signal.aborted).toBe(true);
    expect(journey.fake.callCount('cancelRun')).toBe(0);
    expect(snapshot.context.notice).toContain(
      'maxrec train cfg.yaml package run-0001',
    );
    expect(exitCodeOf(snapshot)).toBeUndefined();

    // Watching again replays the run from its start.
    journey.actor.send({ type: 'WATCH' });
    expect(isIn(journey.actor.getSnapshot(), 'monitor.watching')).toBe(true);
    expect(journey.actor.getSnapshot().context.epochs).toEqual([]);
    expect(journey.fake.callCount('followRun')).toBe(2);

    journey.actor.send({ type: 'INTERRUPT' });
    journey.actor.send({ type: 'EXIT' });
    expect(journey.actor.getSnapshot().value).toBe('quit');
    expect(exitCodeOf(journey.actor.getSnapshot())).toBe(0);
    expect(closingMessage(journey.actor.getSnapshot())).toContain(
      'maxrec train cfg.yaml package run-0001',
    );
  });

  it('Ctrl+C twice then confirming cancels the run: exit 5', async () => {
    const journey = start();
    await toWatching(journey);
    journey.actor.send({ type: 'INTERRUPT' });
    journey.actor.send({ type: 'INTERRUPT' });
    expect(isIn(journey.actor.getSnapshot(), 'monitor.confirmCancel')).toBe(
      true,
    );
    // A third Ctrl+C does not answer the question.
    journey.actor.send({ type: 'INTERRUPT' });
    expect(isIn(journey.actor.getSnapshot(), 'monitor.confirmCancel')).toBe(
      true,
    );
    journey.actor.send({ type: 'CONFIRM' });
    await at(journey, 'cancelled');
    expect(journey.fake.calls.cancelRun).toEqual([['run-0001']]);
    expect(exitCodeOf(journey.actor.getSnapshot())).toBe(5);
    expect(
      journey.actor.getSnapshot().context.statusHistory.at(-1)?.status,
    ).toBe('cancelled');
  });

  it('Ctrl+C twice then denying keeps the run and returns to detached', async () => {
    const journey = start();
    await toWatching(journey);
    journey.actor.send({ type: 'INTERRUPT' });
    journey.actor.send({ type: 'INTERRUPT' });
    journey.actor.send({ type: 'DENY' });
    expect(isIn(journey.actor.getSnapshot(), 'monitor.detached')).toBe(true);
    expect(journey.fake.callCount('cancelRun')).toBe(0);
  });

  it('a failed cancel goes back to detached with the error', async () => {
    const journey = start();
    await toWatching(journey);
    journey.fake.hold('cancelRun');
    journey.actor.send({ type: 'INTERRUPT' });
    journey.actor.send({ type: 'INTERRUPT' });
    journey.actor.send({ type: 'CONFIRM' });
    await waitFor(journey.actor, () => journey.fake.isWaiting('cancelRun'));
    journey.fake.fail('cancelRun', new Error('backend unreachable'));
    await at(journey, 'monitor.detached');
    expect(journey.actor.getSnapshot().context.error?.message).toBe(
      'backend unreachable',
    );
  });

  it('a run that fails ends in failed with its reason: exit 5', async () => {
    const journey = start();
    const follower = await toWatching(journey);
    follower.handlers.onTrainerEvent({
      event: 'error',
      code: 4,
      message: 'line 7: no item id',
    });
    follower.finish({ id: 'run-0001', status: 'failed', exitCode: 4 });
    // The app keeps the ended run on screen until the user leaves.
    await at(journey, 'monitor.ended');
    expect(journey.actor.getSnapshot().context.run?.status).toBe('failed');
    journey.actor.send({ type: 'EXIT' });
    await at(journey, 'failed');
    const snapshot = journey.actor.getSnapshot();
    expect(exitCodeOf(snapshot)).toBe(5);
    expect(snapshot.context.error?.message).toBe(
      'Training failed: line 7: no item id',
    );
    expect(snapshot.context.statusHistory.at(-1)?.status).toBe('failed');
  });

  it('prefers the backend reason for a failed run', async () => {
    const journey = start();
    const follower = await toWatching(journey);
    follower.finish({ id: 'run-0001', status: 'failed', reason: 'killed' });
    await at(journey, 'monitor.ended');
    expect(journey.actor.getSnapshot().context.error?.message).toBe(
      'Training failed: killed',
    );
  });

  it('a run found cancelled stays on screen, then exits with 5', async () => {
    const journey = start();
    const follower = await toWatching(journey);
    follower.finish({ id: 'run-0001', status: 'cancelled', reason: 'by you' });
    await at(journey, 'monitor.ended');
    journey.actor.send({ type: 'EXIT' });
    await at(journey, 'cancelled');
    expect(exitCodeOf(journey.actor.getSnapshot())).toBe(5);
  });

  it('a lost follow goes to detached with the error', async () => {
    const journey = start();
    const follower = await toWatching(journey);
    follower.fail(new MaxrecError(2, 'state folder gone', { hint: 'check' }));
    await at(journey, 'monitor.detached');
    expect(journey.actor.getSnapshot().context.error).toEqual({
      message: 'state folder gone',
      hint: 'check',
      exitCode: 2,
    });
  });

  it('resumes a run by id from home', async () => {
    const journey = start();
    await at(journey, 'home.ready');
    journey.fake.followScript = {
      steps: successfulRunSteps('run-0042', 2),
      final: { id: 'run-0042', status: 'completed' },
    };
    journey.actor.send({ type: 'RESUME', runId: 'run-0042' });
    expect(isIn(journey.actor.getSnapshot(), 'monitor.watching')).toBe(true);
    await at(journey, 'results.ready');
    expect(journey.fake.calls.followRun).toEqual([['run-0042']]);
    expect(journey.fake.callCount('startRun')).toBe(0);
    expect(journey.fake.calls.fetchResults?.[0]).toEqual(['run-0042', false]);
  });

  it("resumes another config's run with that config (and its backend)", async () => {
    const journey = start();
    await at(journey, 'home.ready');
    const first = journey.actor.getSnapshot().context.configPath;
    journey.fake.followScript = {
      steps: successfulRunSteps('run-0007', 1),
      final: { id: 'run-0007', status: 'completed' },
    };
    journey.actor.send({
      type: 'RESUME',
      runId: 'run-0007',
      configPath: '/elsewhere/ibm.yaml',
    });
    await at(journey, 'results.ready');
    expect(journey.fake.calls.loadSettings).toEqual([
      [first],
      ['/elsewhere/ibm.yaml'],
    ]);
    expect(journey.actor.getSnapshot().context.configPath).toBe(
      '/elsewhere/ibm.yaml',
    );
    expect(journey.fake.calls.followRun).toEqual([['run-0007']]);
  });

  it('a cancelled upload aborts it and returns to reviewed, nothing started', async () => {
    const journey = start();
    await at(journey, 'home.ready');
    journey.actor.send({ type: 'NEW_TRAINING' });
    journey.actor.send({ type: 'SUBMIT' });
    await at(journey, 'data.choosing');
    journey.actor.send({ type: 'SUBMIT' });
    await at(journey, 'data.reviewed');
    journey.fake.hold('uploadData');
    journey.actor.send({ type: 'SUBMIT' });
    await waitFor(journey.actor, () => journey.fake.isWaiting('uploadData'));
    journey.actor.send({ type: 'INTERRUPT' });
    const snapshot = journey.actor.getSnapshot();
    expect(isIn(snapshot, 'data.reviewed')).toBe(true);
    expect(journey.fake.signals.uploadData?.[0]?.aborted).toBe(true);
    expect(snapshot.context.notice).toContain('Upload cancelled');
    expect(snapshot.context.upload).toBeNull();
    expect(journey.fake.callCount('buildCodeArchive')).toBe(0);
    expect(journey.fake.callCount('startRun')).toBe(0);
  });

  it('Esc (CANCEL) cancels an upload too', async () => {
    const journey = start();
    await at(journey, 'home.ready');
    journey.actor.send({ type: 'NEW_TRAINING' });
    journey.actor.send({ type: 'SUBMIT' });
    await at(journey, 'data.choosing');
    journey.actor.send({ type: 'SUBMIT' });
    await at(journey, 'data.reviewed');
    journey.fake.hold('uploadData');
    journey.actor.send({ type: 'SUBMIT' });
    journey.actor.send({ type: 'CANCEL' });
    expect(isIn(journey.actor.getSnapshot(), 'data.reviewed')).toBe(true);
    expect(journey.fake.signals.uploadData?.[0]?.aborted).toBe(true);
  });

  it('refuses invalid hyperparameters and keeps the last valid value', async () => {
    const journey = start();
    await toHyperparameters(journey);
    const { actor } = journey;
    actor.send({ type: 'HYPERPARAMETER_SET', field: 'batchSize', value: '0' });
    actor.send({
      type: 'HYPERPARAMETER_SET',
      field: 'learningRate',
      value: '2',
    });
    let context = actor.getSnapshot().context;
    expect(context.hyperparameters.batchSize).toBe(128);
    expect(context.hyperparameters.learningRate).toBe(0.005);
    expect(context.hyperparameterErrors.batchSize).toMatch(/between 1 and/);
    expect(context.hyperparameterErrors.learningRate).toMatch(/at most 1/);

    actor.send({ type: 'SUBMIT' });
    expect(isIn(actor.getSnapshot(), 'hyperparameters.editing')).toBe(true);
    expect(actor.getSnapshot().context.notice).toMatch(/Fix the values/);
    expect(journey.fake.callCount('saveHyperparameters')).toBe(0);

    actor.send({
      type: 'HYPERPARAMETER_SET',
      field: 'batchSize',
      value: '256',
    });
    actor.send({
      type: 'HYPERPARAMETER_SET',
      field: 'learningRate',
      value: '0.01',
    });
    actor.send({ type: 'HYPERPARAMETER_SET', field: 'hpo', value: 'on' });
    context = actor.getSnapshot().context;
    expect(context.hyperparameterErrors).toEqual({});
    // Fixed: the request to fix them goes too.
    expect(context.notice).toBeNull();
    expect(context.hyperparameters).toMatchObject({
      batchSize: 256,
      learningRate: 0.01,
      hpo: true,
    });
  });

  it('takes the delimiter the inspection found, and refuses another', async () => {
    const fake = new FakeJourneyServices();
    fake.answers.inspection = { ...inspectionFixture, delimiter: '\t' };
    const journey = start(fake);
    const { actor } = journey;
    await at(journey, 'home.ready');
    expect(actor.getSnapshot().context.hyperparameters.delimiter).toBe(',');
    await toHyperparameters(journey);
    expect(actor.getSnapshot().context.hyperparameters.delimiter).toBe('\\t');

    // The file was read with a tab: a ';' would split none of its lines.
    actor.send({ type: 'HYPERPARAMETER_SET', field: 'delimiter', value: ';' });
    const context = actor.getSnapshot().context;
    expect(context.hyperparameters.delimiter).toBe('\\t');
    expect(context.hyperparameterErrors.delimiter).toMatch(/tab-separated/);

    actor.send({
      type: 'HYPERPARAMETER_SET',
      field: 'delimiter',
      value: '\\t',
    });
    actor.send({ type: 'SUBMIT' });
    await at(journey, 'monitor.watching');
    expect(fake.calls.buildCodeArchive?.[0]?.[0]).toMatchObject({
      delimiter: '\\t',
    });
  });

  it('keeps the configured delimiter when the one found is unknown', async () => {
    const fake = new FakeJourneyServices();
    fake.answers.inspection = { ...inspectionFixture, delimiter: '#' };
    const journey = start(fake);
    await toHyperparameters(journey);
    expect(journey.actor.getSnapshot().context.hyperparameters.delimiter).toBe(
      ',',
    );
  });

  it('data with errors cannot continue to the upload', async () => {
    const fake = new FakeJourneyServices();
    fake.answers.inspection = brokenInspectionFixture;
    const journey = start(fake);
    await at(journey, 'home.ready');
    journey.actor.send({ type: 'NEW_TRAINING' });
    journey.actor.send({ type: 'SUBMIT' });
    await at(journey, 'data.choosing');
    journey.actor.send({ type: 'SUBMIT' });
    await at(journey, 'data.reviewed');
    journey.actor.send({ type: 'SUBMIT' });
    expect(isIn(journey.actor.getSnapshot(), 'data.reviewed')).toBe(true);
    expect(journey.actor.getSnapshot().context.notice).toMatch(/errors/);
    expect(fake.callCount('uploadData')).toBe(0);
    journey.actor.send({ type: 'DATA_PATH_CHANGE', path: 'other.csv' });
    expect(isIn(journey.actor.getSnapshot(), 'data.choosing')).toBe(true);
  });

  it('a failed inspection returns to choosing with the error', async () => {
    const fake = new FakeJourneyServices();
    const journey = start(fake);
    await at(journey, 'home.ready');
    journey.actor.send({ type: 'NEW_TRAINING' });
    journey.actor.send({ type: 'SUBMIT' });
    await at(journey, 'data.choosing');
    fake.hold('inspectData');
    journey.actor.send({ type: 'SUBMIT' });
    await waitFor(journey.actor, () => fake.isWaiting('inspectData'));
    fake.fail('inspectData', new MaxrecError(4, 'no such file: x.csv'));
    await at(journey, 'data.choosing');
    expect(journey.actor.getSnapshot().context.error?.message).toBe(
      'no such file: x.csv',
    );
  });

  it('Ctrl+C on a screen with nothing running asks to quit', async () => {
    const journey = start();
    await at(journey, 'home.ready');
    journey.actor.send({ type: 'NEW_TRAINING' });
    journey.actor.send({ type: 'INTERRUPT' });
    expect(journey.actor.getSnapshot().context.quitRequested).toBe(true);
    journey.actor.send({ type: 'DENY' });
    expect(isIn(journey.actor.getSnapshot(), 'setup.editing')).toBe(true);
    expect(journey.actor.getSnapshot().context.quitRequested).toBe(false);
    journey.actor.send({ type: 'INTERRUPT' });
    journey.actor.send({ type: 'CONFIRM' });
    expect(journey.actor.getSnapshot().value).toBe('quit');
    expect(exitCodeOf(journey.actor.getSnapshot())).toBe(0);
  });

  it('Ctrl+C during packaging aborts it and returns to the hyperparameters', async () => {
    const journey = start();
    await toHyperparameters(journey);
    journey.fake.hold('buildCodeArchive');
    journey.actor.send({ type: 'SUBMIT' });
    await waitFor(journey.actor, () =>
      journey.fake.isWaiting('buildCodeArchive'),
    );
    journey.actor.send({ type: 'INTERRUPT' });
    expect(isIn(journey.actor.getSnapshot(), 'hyperparameters.editing')).toBe(
      true,
    );
    expect(journey.fake.signals.buildCodeArchive?.[0]?.aborted).toBe(true);
    expect(journey.fake.callCount('startRun')).toBe(0);
  });

  it('BACK walks back through the screens', async () => {
    const journey = start();
    await toHyperparameters(journey);
    journey.actor.send({ type: 'BACK' });
    expect(isIn(journey.actor.getSnapshot(), 'data.reviewed')).toBe(true);
    journey.actor.send({ type: 'BACK' });
    expect(isIn(journey.actor.getSnapshot(), 'data.choosing')).toBe(true);
    journey.actor.send({ type: 'BACK' });
    expect(isIn(journey.actor.getSnapshot(), 'setup.editing')).toBe(true);
    journey.actor.send({ type: 'BACK' });
    expect(isIn(journey.actor.getSnapshot(), 'home.ready')).toBe(true);
    journey.actor.send({ type: 'QUIT' });
    expect(journey.actor.getSnapshot().value).toBe('quit');
  });

  it('a config that fails to load ends in failed: exit 3', async () => {
    const fake = new FakeJourneyServices();
    fake.answers.settings = new MaxrecError(
      3,
      'train.hyperparameters.epochs: expected a number',
      {
        hint: 'Fix cfg.yaml',
      },
    );
    const journey = start(fake);
    await at(journey, 'failed');
    expect(exitCodeOf(journey.actor.getSnapshot())).toBe(3);
    expect(closingMessage(journey.actor.getSnapshot())).toBe(
      'train.hyperparameters.epochs: expected a number\nFix cfg.yaml',
    );
  });
});

describe('journey machine: headless', () => {
  function headless(mode: 'prepare' | 'train' | 'package', runId?: string) {
    const fake = new FakeJourneyServices();
    fake.followScript = {
      steps: successfulRunSteps(runId ?? 'run-0001', 2),
      final: { id: runId ?? 'run-0001', status: 'completed' },
    };
    const journey = start(fake);
    // Sent at once, while the config still loads.
    journey.actor.send({
      type: 'RUN_HEADLESS',
      mode,
      ...(runId ? { runId } : {}),
    });
    return journey;
  }
  const finished = (journey: Journey) =>
    waitFor(journey.actor, (s) => s.status === 'done', { timeout: 2000 });

  it('package: inspect, upload, package, start, watch, download all: exit 0', async () => {
    const journey = headless('package');
    const snapshot = await finished(journey);
    expect(snapshot.value).toBe('done');
    expect(exitCodeOf(snapshot)).toBe(0);
    expect(journey.fake.callCount('saveHyperparameters')).toBe(0);
    expect(journey.fake.calls.buildCodeArchive?.[0]?.[0]).toMatchObject({
      epochs: 5,
    });
    expect(journey.fake.calls.fetchResults?.[0]).toEqual(['run-0001', false]);
    expect(snapshot.context.results?.modelDir).toBe(
      'training_output/trained_model/',
    );
  });

  it('package ID: resumes the run: exit 0', async () => {
    const journey = headless('package', 'run-0042');
    const snapshot = await finished(journey);
    expect(exitCodeOf(snapshot)).toBe(0);
    expect(journey.fake.callCount('uploadData')).toBe(0);
    expect(journey.fake.calls.followRun).toEqual([['run-0042']]);
  });

  it('package ID: a lost follow fails (exit 2) and says how to come back', async () => {
    const fake = new FakeJourneyServices();
    const journey = start(fake);
    journey.actor.send({
      type: 'RUN_HEADLESS',
      mode: 'package',
      runId: 'run-0042',
    });
    await waitFor(journey.actor, () => Boolean(fake.follower));
    fake.follower!.fail(
      new MaxrecError(2, 'Could not reach WML', { hint: 'Check the network.' }),
    );
    const snapshot = await waitFor(journey.actor, (s) => s.status === 'done');
    expect(exitCodeOf(snapshot)).toBe(2);
    expect(snapshot.context.error?.hint).toMatch(
      /^Check the network\.\nThe run may still be going: follow it again with maxrec train \S+ package run-0042$/,
    );
  });

  it('packages with the delimiter the inspection found, space and tab alike', async () => {
    for (const [found, typed] of [
      ['\t', '\\t'],
      [' ', ' '],
      ['::', '::'],
    ]) {
      const fake = new FakeJourneyServices();
      fake.answers.inspection = { ...inspectionFixture, delimiter: found! };
      const journey = start(fake);
      journey.actor.send({ type: 'RUN_HEADLESS', mode: 'prepare' });
      const snapshot = await finished(journey);
      expect(exitCodeOf(snapshot)).toBe(0);
      expect(fake.calls.buildCodeArchive?.[0]?.[0], found).toMatchObject({
        delimiter: typed,
      });
    }
  });

  it('prepare: stops after packaging: exit 0, nothing started', async () => {
    const journey = headless('prepare');
    const snapshot = await finished(journey);
    expect(snapshot.value).toBe('done');
    expect(exitCodeOf(snapshot)).toBe(0);
    expect(journey.fake.callCount('uploadData')).toBe(1);
    expect(journey.fake.callCount('buildCodeArchive')).toBe(1);
    expect(journey.fake.callCount('startRun')).toBe(0);
  });

  it('train: stops after the log download: exit 0', async () => {
    const journey = headless('train');
    const snapshot = await finished(journey);
    expect(exitCodeOf(snapshot)).toBe(0);
    expect(journey.fake.calls.fetchResults?.[0]).toEqual(['run-0001', true]);
    expect(snapshot.context.results?.modelDir).toBeUndefined();
  });

  it('data with errors: exit 4, nothing uploaded', async () => {
    const fake = new FakeJourneyServices();
    fake.answers.inspection = brokenInspectionFixture;
    const journey = start(fake);
    journey.actor.send({ type: 'RUN_HEADLESS', mode: 'package' });
    const snapshot = await finished(journey);
    expect(snapshot.value).toBe('failed');
    expect(exitCodeOf(snapshot)).toBe(4);
    expect(snapshot.context.error?.message).toContain(
      'line 2: only one column',
    );
    expect(fake.callCount('uploadData')).toBe(0);
  });

  it('a failed run: exit 5', async () => {
    const journey = headless('package');
    journey.fake.followScript = {
      steps: [{ status: { id: 'run-0001', status: 'running' } }],
      final: { id: 'run-0001', status: 'failed', reason: 'exit code 4' },
    };
    const snapshot = await finished(journey);
    expect(exitCodeOf(snapshot)).toBe(5);
    expect(snapshot.context.error?.message).toBe(
      'Training failed: exit code 4',
    );
  });

  it('a failed download: exit 6, or the error’s own code', async () => {
    const journey = headless('package');
    journey.fake.hold('fetchResults');
    await waitFor(journey.actor, () => journey.fake.isWaiting('fetchResults'));
    journey.fake.fail(
      'fetchResults',
      new MaxrecError(7, 'archive escapes the folder'),
    );
    const snapshot = await finished(journey);
    expect(exitCodeOf(snapshot)).toBe(7);
  });

  it('an unknown run id: the follow error’s code', async () => {
    const fake = new FakeJourneyServices();
    const journey = start(fake);
    journey.actor.send({
      type: 'RUN_HEADLESS',
      mode: 'package',
      runId: 'nope',
    });
    await waitFor(journey.actor, () => fake.follower !== null);
    fake.follower!.fail(new MaxrecError(1, 'no run nope'));
    const snapshot = await finished(journey);
    expect(exitCodeOf(snapshot)).toBe(1);
  });

  it('Ctrl+C during a headless upload: exit 4', async () => {
    const fake = new FakeJourneyServices();
    fake.hold('uploadData');
    const journey = start(fake);
    journey.actor.send({ type: 'RUN_HEADLESS', mode: 'prepare' });
    await waitFor(journey.actor, () => fake.isWaiting('uploadData'));
    journey.actor.send({ type: 'INTERRUPT' });
    const snapshot = await finished(journey);
    expect(exitCodeOf(snapshot)).toBe(4);
    expect(fake.signals.uploadData?.[0]?.aborted).toBe(true);
  });

  it('a config that fails to load: exit 3', async () => {
    const fake = new FakeJourneyServices();
    fake.answers.settings = new Error('unreadable');
    const journey = start(fake);
    journey.actor.send({ type: 'RUN_HEADLESS', mode: 'package' });
    const snapshot = await finished(journey);
    expect(exitCodeOf(snapshot)).toBe(3);
  });
});

describe('journey machine: the data chosen and refused', () => {
  const done = (journey: Journey) =>
    waitFor(journey.actor, (s) => s.status === 'done', { timeout: 2000 });

  it('headless, data with errors names the file read and the one to pick', async () => {
    const fake = new FakeJourneyServices();
    fake.answers.inspection = {
      ...brokenInspectionFixture,
      file: '/tmp/x/lastfm/artists.dat',
      errors: [{ message: 'no user has 2 or more interactions' }],
      warnings: [
        {
          message:
            'user_artists.dat in the same folder looks like interactions: pick it.',
        },
      ],
    };
    const journey = start(fake);
    journey.actor.send({ type: 'RUN_HEADLESS', mode: 'prepare' });
    const snapshot = await done(journey);
    expect(exitCodeOf(snapshot)).toBe(4);
    expect(snapshot.context.error?.message).toBe(
      'The data cannot be used: artists.dat: no user has 2 or more interactions',
    );
    expect(snapshot.context.error?.hint).toMatch(
      /^user_artists\.dat in the same folder looks like interactions: pick it\./,
    );
  });

  it('the settings name the data uploaded, not the one of Setup', async () => {
    const journey = start();
    const { actor } = journey;
    await at(journey, 'home.ready');
    actor.send({ type: 'NEW_TRAINING' });
    actor.send({ type: 'SUBMIT' });
    await at(journey, 'data.choosing');
    actor.send({ type: 'DATA_PATH_CHANGE', path: '/tmp/x/ml100k' });
    actor.send({ type: 'SUBMIT' });
    await at(journey, 'data.reviewed');
    actor.send({ type: 'SUBMIT' });
    await at(journey, 'hyperparameters.editing');
    expect(actor.getSnapshot().context.settings?.localDataDir).toBe(
      '/tmp/x/ml100k',
    );
  });

  it('an upload refused for cuda shows the error; Esc goes back to Setup', async () => {
    const fake = new FakeJourneyServices();
    const journey = start(fake);
    const { actor } = journey;
    await at(journey, 'home.ready');
    actor.send({ type: 'NEW_TRAINING' });
    actor.send({ type: 'SETUP_CHANGE', patch: { compute: 'cuda' } });
    actor.send({ type: 'SUBMIT' });
    await at(journey, 'data.choosing');
    actor.send({ type: 'SUBMIT' });
    await at(journey, 'data.reviewed');
    fake.hold('uploadData');
    actor.send({ type: 'SUBMIT' });
    await waitFor(actor, () => fake.isWaiting('uploadData'));
    fake.fail(
      'uploadData',
      new MaxrecError(
        2,
        "The config's compute is cuda, but no CUDA device is visible to torch.",
        {
          hint: 'Train on the CPU: run `maxrec setup cfg.yaml --compute cpu`.',
        },
      ),
    );
    await at(journey, 'data.reviewed');
    const { error } = actor.getSnapshot().context;
    expect(error?.message).toMatch(/no CUDA device/);
    expect(error?.hint).toMatch(/^Press Esc to go back to Setup/);
    expect(actor.getSnapshot().status).toBe('active');
    actor.send({ type: 'BACK' });
    expect(isIn(actor.getSnapshot(), 'setup.editing')).toBe(true);
    expect(actor.getSnapshot().context.error).toBeNull();
  });
});
