/**
 * Home's recent runs: each with its own status word and backend; resuming
 * one its backend does not know comes back to Home with one message, and a
 * run reopened from Home that ended failed goes back to Home on Esc.
 */
import { cleanup } from 'ink-testing-library';
import { waitFor } from 'xstate';
import { afterEach, describe, expect, it } from 'vitest';
import { RunNotFoundError } from '../../src/core/journey.js';
import { renderApp, startJourney } from '../helpers/app.js';
import { frame, KEYS, tick, waitForFrame } from '../helpers/ink.js';
import { FakeJourneyServices } from '../helpers/journey-fakes.js';

afterEach(() => cleanup());

function withRecentRuns() {
  const fake = new FakeJourneyServices();
  fake.services.listRecentRuns = () =>
    Promise.resolve([
      { id: 'run-gone', status: 'not found', backend: 'ibm' },
      { id: 'run-away', status: 'unknown', backend: 'ray' },
      { id: 'run-done', status: 'completed', backend: 'local' },
    ]);
  return startJourney(fake);
}

describe('Home lists recent runs', () => {
  it('says it is looking them up until the backends answer', async () => {
    const fake = new FakeJourneyServices();
    let answer: (runs: []) => void = () => {};
    fake.services.listRecentRuns = () =>
      new Promise((resolve) => {
        answer = resolve;
      });
    const journey = startJourney(fake);
    const app = await renderApp(journey);
    await waitForFrame(app, 'Looking up your recent runs…');
    answer([]);
    await waitFor(journey.actor, (s) => !s.context.lookingUpRuns);
    await tick();
    expect(frame(app)).not.toContain('Looking up');
  });

  it('with "not found" for a run its backend does not know', async () => {
    const journey = withRecentRuns();
    const app = await renderApp(journey);
    await waitForFrame(app, 'run-done');
    expect(frame(app)).toContain('Resume run run-gone (not found, ibm)');
    expect(frame(app)).toContain('Resume run run-away (status unknown, ray)');
    expect(frame(app)).toContain('Resume run run-done (completed, local)');
  });

  it('resumes a run on the backend it ran on', async () => {
    const journey = withRecentRuns();
    const app = await renderApp(journey);
    await waitForFrame(app, 'run-done');
    app.stdin.write(KEYS.down);
    await tick();
    app.stdin.write(KEYS.enter);
    await journey.reach('monitor.watching');
    expect(journey.actor.getSnapshot().context.settings?.backend).toBe('ibm');
    expect(journey.fake.calls.followRun).toEqual([['run-gone']]);
  });

  it('a run its backend does not know comes back to Home saying so', async () => {
    const journey = withRecentRuns();
    const app = await renderApp(journey);
    await waitForFrame(app, 'run-done');
    journey.actor.send({ type: 'RESUME', runId: 'run-gone', backend: 'ibm' });
    await waitFor(journey.actor, () => journey.fake.follower !== null);
    journey.fake.follower!.fail(
      new RunNotFoundError(
        'run-gone',
        'WML knows no training run-gone in this space [HTTP 404].',
        'Check the run id, or start a new training.',
      ),
    );
    await journey.reach('home.ready');
    const shown = await waitForFrame(app, 'knows no training run-gone');
    expect(shown).toContain('maxrec · Home');
    expect(shown).toContain('❯ New training');
    expect(shown).not.toMatch(/Come back with|cancel the run|Stopped watching/);
  });
});

describe('a run reopened from Home that ended failed', () => {
  it('goes back to Home on Esc, where a new training starts', async () => {
    const journey = startJourney();
    const app = await renderApp(journey);
    await journey.reach('home.ready');
    journey.actor.send({ type: 'RESUME', runId: 'run-0000', backend: 'local' });
    await waitFor(journey.actor, () => journey.fake.follower !== null);
    journey.fake.follower!.finish({
      id: 'run-0000',
      status: 'failed',
      reason: 'Training failed with exit code 4',
    });
    await journey.reach('monitor.ended');
    await waitForFrame(app, 'Run run-0000 failed');
    app.stdin.write(KEYS.escape);
    await journey.reach('home.ready');
    await waitForFrame(app, '❯ New training');
    expect(journey.actor.getSnapshot().status).toBe('active');
    app.stdin.write(KEYS.enter);
    await journey.reach('setup.editing');
  });
});
