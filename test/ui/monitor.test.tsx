import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { waitFor } from 'xstate';
import {
  renderApp,
  startJourney,
  watchRun,
  type Journey,
} from '../helpers/app.js';
import {
  KEYS,
  frame,
  press,
  pressAndWait,
  waitForFrame,
} from '../helpers/ink.js';
import { trainerEventsFixture } from '../helpers/journey-fakes.js';

afterEach(() => cleanup());

/** Feed a run's progress as the trainer and backend report it, 10 s apart. */
async function feed(journey: Journey, epochs: number) {
  const follower = journey.fake.follower!;
  const events = trainerEventsFixture(5);
  journey.clock.set(1_000);
  follower.handlers.onStatus({
    id: 'run-0001',
    status: 'pending',
    startedAt: 1_000,
  });
  journey.clock.set(11_000);
  follower.handlers.onStatus({
    id: 'run-0001',
    status: 'running',
    startedAt: 1_000,
  });
  follower.handlers.onLogLine('Reading data/ratings.csv');
  follower.handlers.onTrainerEvent(events[0]!);
  for (const event of events.slice(1, 1 + epochs)) {
    journey.clock.set(journey.clock.now() + 10_000);
    follower.handlers.onLogLine(JSON.stringify(event));
    follower.handlers.onTrainerEvent(event);
  }
  await waitFor(journey.actor, (s) => s.context.epochs.length === epochs);
}

describe('monitor', () => {
  it('draws the dashboard from the trainer events', async () => {
    const journey = startJourney();
    await watchRun(journey);
    const app = await renderApp(journey);
    await feed(journey, 3);
    const screen = await waitForFrame(app, '3/5');
    expect(screen).toContain('Run run-0001 · running · local · cpu');
    expect(screen).toContain(
      '610 users · 9,724 items · 100,836 interactions · cpu',
    );
    expect(screen).toContain('3/5 · elapsed 40s · left ~20s');
    expect(screen).toContain('0.2333');
    expect(screen).toContain('▁▅█ 0.5400');
    expect(screen).toContain('Ctrl+C stop watching (the run goes on)');
    // The root stays below the (fallback, 24-row) terminal's height.
    expect(screen.split('\n').length).toBeLessThanOrEqual(23);
    expect(screen).toMatchSnapshot();
  });

  it('Ctrl+C once shows that the run goes on and how to come back', async () => {
    const journey = startJourney();
    const follower = await watchRun(journey);
    const app = await renderApp(journey);
    await feed(journey, 2);
    await waitForFrame(app, '2/5');
    const screen = await pressAndWait(app, [KEYS.ctrlC], 'Stopped watching');
    expect(follower.signal.aborted).toBe(true);
    expect(journey.fake.callCount('cancelRun')).toBe(0);
    expect(screen).toContain(
      'Come back with: maxrec train cfg.yaml package run-0001',
    );
    expect(screen).toContain(
      'w watch again · Enter exit · Ctrl+C cancel the run',
    );
    expect(screen).toMatchSnapshot();

    const confirm = await pressAndWait(
      app,
      [KEYS.ctrlC],
      'Cancel run run-0001?',
    );
    expect(confirm).toContain('y cancel the run · n keep it going');
    await pressAndWait(app, ['n'], 'Stopped watching');
    await pressAndWait(app, [KEYS.ctrlC], 'Cancel run run-0001?');
    await pressAndWait(app, ['y'], (f) => f.includes('cancelled'));
    expect(journey.fake.calls.cancelRun).toEqual([['run-0001']]);
    expect(journey.actor.getSnapshot().value).toBe('cancelled');
    expect(frame(app)).toContain('Run run-0001 was cancelled.');
  });

  it('shows the HPO trial table', async () => {
    const journey = startJourney();
    const follower = await watchRun(journey);
    const app = await renderApp(journey);
    follower.handlers.onTrainerEvent({
      event: 'trial',
      trial: 1,
      trials: 4,
      params: { factors: 16, learning_rate: 0.001 },
      val_hr: 0.61,
      val_ndcg: 0.35,
      state: 'complete',
      seconds: 30,
    });
    const screen = await waitForFrame(app, 'Trial');
    expect(screen).toMatch(
      /1\/4 +complete +0\.6100 +0\.3500 +30s +factors=16 learning_rate=0\.001/,
    );
  });

  it("during HPO counts trials, not the trial's epochs, and times what is left", async () => {
    const journey = startJourney();
    const follower = await watchRun(journey);
    const app = await renderApp(journey);
    const [start] = trainerEventsFixture(20);
    follower.handlers.onTrainerEvent({ ...start!, hpo: true } as never);
    const epoch = (trial: number, n: number, of: number) =>
      follower.handlers.onTrainerEvent({
        event: 'epoch',
        epoch: n,
        epochs: of,
        loss: 0.3,
        val_hr: 0.6,
        val_ndcg: 0.35,
        seconds: 5,
        samples_per_second: 1000,
        trial,
      });
    const trialEnded = (trial: number, seconds: number) =>
      follower.handlers.onTrainerEvent({
        event: 'trial',
        trial,
        trials: 12,
        params: { epochs: trial === 2 ? 9 : 6 },
        val_hr: trial === 2 ? 0.7 : 0.6,
        val_ndcg: 0.4,
        state: 'complete',
        seconds,
      });
    for (const trial of [1, 2, 3]) {
      epoch(trial, 1, 2);
      epoch(trial, 2, 2);
      trialEnded(trial, 20);
    }
    epoch(4, 1, 2);
    epoch(4, 2, 2);
    let screen = await waitForFrame(app, 'trial 4 of 12');
    // Not the trial's 2/2 epochs at 100%: 3 of 12 trials done. Left: the
    // running trial's 20 - 10 s, 8 more trials of 20 s, and the final
    // training timed as two complete trials.
    expect(screen).toMatch(
      /Trials +█+░+ +25% +3\/12 done · trial 4 of 12, epoch 2\/2 · .*left ~3m 30s/,
    );
    expect(screen).not.toContain('100%');

    // The final training's pretraining: now the epoch bar, of the chosen 9.
    follower.handlers.onTrainerEvent({
      event: 'phase',
      phase: 'pretrain',
      epoch: 1,
      epochs: 5,
      loss: 0.5,
      seconds: 3,
    });
    screen = await waitForFrame(app, 'pretraining 1/5');
    expect(screen).toMatch(/Epoch +░+ +0% +0\/9 · pretraining 1\/5/);
    expect(screen).not.toContain('trial 4 of 12');
  });

  it('shows the refit (epochs without validation) on the epoch line', async () => {
    const journey = startJourney();
    const follower = await watchRun(journey);
    const app = await renderApp(journey);
    for (const event of trainerEventsFixture(3).filter(
      (e) => e.event !== 'end',
    )) {
      follower.handlers.onTrainerEvent(event);
    }
    follower.handlers.onTrainerEvent({
      event: 'phase',
      phase: 'refit',
      epoch: 1,
      epochs: 3,
      loss: 0.31,
      seconds: 4,
    });
    const screen = await waitForFrame(app, 'refit 1/3');
    // Two refit epochs of 4 s left.
    expect(screen).toMatch(/3\/3 · refit 1\/3 · elapsed .* · left ~8s/);
    const { phases, currentPhase } = journey.actor.getSnapshot().context;
    expect(phases).toHaveLength(1);
    expect(currentPhase?.phase).toBe('refit');
  });

  it('a failed run shows what happened', async () => {
    const journey = startJourney();
    const follower = await watchRun(journey);
    const app = await renderApp(journey);
    follower.handlers.onTrainerEvent({
      event: 'error',
      code: 4,
      message: 'line 7: no item id',
    });
    follower.finish({ id: 'run-0001', status: 'failed' });
    await waitForFrame(app, 'Training failed: line 7: no item id');
  });

  it('a run opened from Home that ends cancelled stays on screen until Enter, then Home', async () => {
    const journey = startJourney();
    const follower = await watchRun(journey);
    const app = await renderApp(journey);
    follower.finish({
      id: 'run-0001',
      status: 'cancelled',
      reason: 'Cancelled by the user.',
    });
    const screen = await waitForFrame(app, 'Run run-0001 was cancelled.');
    expect(screen).toContain('Cancelled by the user.');
    expect(screen).toContain('Enter back to Home');
    expect(screen).not.toContain('Enter exit');
    await press(app, KEYS.enter);
    await journey.reach('home.ready');
  });
});
