/**
 * The monitor on real terminal sizes: one box when a run ends, the resume
 * command always in view, nothing stale on a run that has ended.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from 'xstate';
import { startJourney, watchRun, type Journey } from '../helpers/app.js';
import { KEYS, pressAndWait, waitForFrame } from '../helpers/ink.js';
import { trainerEventsFixture } from '../helpers/journey-fakes.js';
import { renderAppAt, unmountSized } from '../helpers/sized-render.js';

afterEach(() => unmountSized());

/** A running run with a long log and `epochs` of five epochs done. */
async function feed(journey: Journey, epochs: number) {
  const follower = journey.fake.follower!;
  const events = trainerEventsFixture(5);
  follower.handlers.onStatus({
    id: 'run-0001',
    status: 'running',
    startedAt: 1_000,
  });
  for (let i = 0; i < 40; i++) {
    follower.handlers.onLogLine(`Epoch ${i}: some words of the trainer's log`);
  }
  follower.handlers.onTrainerEvent(events[0]!);
  for (const event of events.slice(1, 1 + epochs)) {
    journey.clock.set(journey.clock.now() + 10_000);
    follower.handlers.onTrainerEvent(event);
  }
  await waitFor(journey.actor, (s) => s.context.epochs.length === epochs);
}

const lines = (frame: string) => frame.split('\n');
const boxes = (frame: string) => frame.split('╭').length - 1;

describe('monitor layout', () => {
  it('a run killed at 120x40 ends in one whole box, its reason said once', async () => {
    const journey = startJourney();
    const follower = await watchRun(journey);
    const app = await renderAppAt(journey, 120, 40);
    await feed(journey, 2);
    follower.finish({
      id: 'run-0001',
      status: 'failed',
      reason: 'Training failed with exit code 137',
      exitCode: 137,
    });
    const screen = await waitForFrame(app, 'Run run-0001 failed.');
    expect(boxes(screen)).toBe(1);
    expect(screen.split('╰').length - 1).toBe(1);
    expect(screen).toContain('│ Training failed with exit code 137');
    expect(screen).not.toContain('Training failed: Training failed');
    expect(screen).toContain('See the log tail above');
    expect(lines(screen).length).toBeLessThan(40);
    // Nothing more to come: no time left.
    expect(screen).toContain('left –');
  });

  it('at 60x15 Ctrl+C keeps the resume command in view, and the confirm box alone', async () => {
    const journey = startJourney();
    await watchRun(journey);
    const app = await renderAppAt(journey, 60, 15);
    await feed(journey, 2);
    const detached = await pressAndWait(app, [KEYS.ctrlC], 'Stopped watching');
    expect(detached).toContain(
      'Come back with: maxrec train cfg.yaml package run-0001',
    );
    expect(detached).toContain('╰');
    expect(lines(detached).length).toBeLessThan(15);

    const confirm = await pressAndWait(app, [KEYS.ctrlC], 'Cancel run');
    expect(confirm).not.toContain('Stopped watching; run');
    expect(boxes(confirm)).toBe(1);
    expect(confirm).toContain('╰');
    expect(lines(confirm).length).toBeLessThan(15);
  });

  it('at 60x15 a follow that broke still says how to come back, in one box', async () => {
    const journey = startJourney();
    const follower = await watchRun(journey);
    const app = await renderAppAt(journey, 60, 15);
    await feed(journey, 2);
    follower.fail(new Error('The run store cannot be read: permission denied'));
    const screen = await waitForFrame(app, 'Come back with');
    expect(screen).toContain('permission denied');
    expect(screen).toContain('maxrec train cfg.yaml package run-0001');
    expect(boxes(screen)).toBe(1);
    expect(lines(screen).length).toBeLessThan(15);
  });

  it('at 60 columns the status legend is left out rather than wrapped', async () => {
    const journey = startJourney();
    await watchRun(journey);
    const app = await renderAppAt(journey, 60, 24);
    await feed(journey, 2);
    const screen = await waitForFrame(app, '2/5');
    expect(screen).not.toMatch(/^cancelled/m);
    expect(screen).not.toContain('█ pending');
  });

  it('a reopened cancelled run shows no time left', async () => {
    const journey = startJourney();
    const follower = await watchRun(journey);
    const app = await renderAppAt(journey, 80, 24);
    await feed(journey, 2);
    follower.finish({
      id: 'run-0001',
      status: 'cancelled',
      reason: 'Cancelled by the user.',
    });
    const screen = await waitForFrame(app, 'Run run-0001 was cancelled.');
    expect(screen).toContain('2/5');
    expect(screen).toContain('left –');
    expect(screen).not.toContain('left ~');
  });

  it('a reopened run with no trainer events shows no total from the config', async () => {
    const journey = startJourney();
    const follower = await watchRun(journey);
    const app = await renderAppAt(journey, 80, 24);
    follower.finish({
      id: 'run-0001',
      status: 'failed',
      reason: 'killed by signal 9 (SIGKILL)',
    });
    const screen = await waitForFrame(app, 'Run run-0001 failed.');
    expect(screen).toContain('0/– ');
    expect(screen).not.toContain('waiting for the trainer to start');
    expect(screen).toContain('Training failed: killed by signal 9 (SIGKILL)');
    expect(boxes(screen)).toBe(1);
  });

  it('pretraining at 0/10 counts the validated epochs still to come', async () => {
    const journey = startJourney();
    const follower = await watchRun(journey);
    const app = await renderAppAt(journey, 100, 24);
    follower.handlers.onTrainerEvent({ ...trainerEventsFixture(10)[0]! });
    follower.handlers.onTrainerEvent({
      event: 'phase',
      phase: 'pretrain',
      epoch: 4,
      epochs: 5,
      loss: 0.4,
      seconds: 2,
    });
    // One pretraining epoch and ten validated ones of about 2 s each.
    const screen = await waitForFrame(app, 'pretraining 4/5');
    expect(screen).toContain('0/10 · pretraining 4/5');
    expect(screen).toContain('left ~22s');
  });
});
