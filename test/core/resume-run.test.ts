/**
 * Runs reopened from Home: shown on the backend they ran on; one their
 * backend does not know goes back to Home with why; one that ended failed
 * or cancelled goes back to Home, while a run started in this session still
 * exits with 5 as the original did.
 */
import { describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { exitCodeOf } from '../../src/core/exit-code.js';
import { RunNotFoundError } from '../../src/core/journey.js';
import { createJourneyMachine } from '../../src/core/machine.js';
import { isIn, type JourneyStatePath } from '../../src/core/state-path.js';
import { FakeJourneyServices } from '../helpers/journey-fakes.js';

function start(settings: { backend: 'local' | 'ibm' | 'ray' }) {
  const fake = new FakeJourneyServices();
  const answered = fake.answers.settings;
  if (!(answered instanceof Error)) {
    fake.answers.settings = { ...answered, ...settings };
  }
  const actor = createActor(createJourneyMachine(fake.services), {
    input: { configPath: 'cfg.yaml', now: () => 10_000 },
  });
  actor.start();
  const at = (state: string) =>
    waitFor(actor, (s) => isIn(s, state as JourneyStatePath), {
      timeout: 2000,
    });
  return { actor, fake, at };
}

const notFound = () =>
  new RunNotFoundError(
    'run-0042',
    'WML knows no training run-0042 in this space [HTTP 404].',
    'Check the run id, or start a new training.',
  );

describe('a run reopened from Home', () => {
  it('is shown on the backend it ran on, not the config’s', async () => {
    const { actor, at } = start({ backend: 'ray' });
    await at('home.ready');
    actor.send({ type: 'RESUME', runId: 'run-0042', backend: 'local' });
    await at('monitor.watching');
    expect(actor.getSnapshot().context.settings?.backend).toBe('local');
  });

  it('of another config is shown on the backend it ran on', async () => {
    const { actor, at } = start({ backend: 'ray' });
    await at('home.ready');
    actor.send({
      type: 'RESUME',
      runId: 'run-0042',
      configPath: '/elsewhere/c.yaml',
      backend: 'ibm',
    });
    await at('monitor.watching');
    expect(actor.getSnapshot().context.settings?.backend).toBe('ibm');
  });

  it('that its backend does not know goes back to Home saying so', async () => {
    const { actor, fake, at } = start({ backend: 'ibm' });
    await at('home.ready');
    actor.send({ type: 'RESUME', runId: 'run-0042', backend: 'ibm' });
    await waitFor(actor, () => fake.follower !== null);
    fake.follower!.fail(notFound());
    await at('home.ready');
    const { context } = actor.getSnapshot();
    expect(context.error?.message).toMatch(/knows no training run-0042/);
    expect(context.notice).toBeNull();
    expect(context.runId).toBeNull();
    expect(fake.callCount('listRecentRuns')).toBe(2);
    expect(fake.callCount('cancelRun')).toBe(0);
  });

  it('that ended failed goes back to Home with Enter or Esc', async () => {
    const { actor, fake, at } = start({ backend: 'local' });
    await at('home.ready');
    actor.send({ type: 'RESUME', runId: 'run-0042', backend: 'local' });
    await waitFor(actor, () => fake.follower !== null);
    fake.follower!.finish({ id: 'run-0042', status: 'failed', reason: 'x' });
    await at('monitor.ended');
    actor.send({ type: 'EXIT' });
    await at('home.ready');
    const snapshot = actor.getSnapshot();
    expect(snapshot.context.error).toBeNull();
    expect(snapshot.context.runId).toBeNull();
    expect(exitCodeOf(snapshot)).toBeUndefined();
    // From there a new training starts.
    actor.send({ type: 'NEW_TRAINING' });
    expect(isIn(actor.getSnapshot(), 'setup.editing')).toBe(true);
  });

  it('that ended cancelled goes back to Home too', async () => {
    const { actor, fake, at } = start({ backend: 'local' });
    await at('home.ready');
    actor.send({ type: 'RESUME', runId: 'run-0042', backend: 'local' });
    await waitFor(actor, () => fake.follower !== null);
    fake.follower!.finish({ id: 'run-0042', status: 'cancelled' });
    await at('monitor.ended');
    actor.send({ type: 'EXIT' });
    await at('home.ready');
  });
});

describe('a headless resume of a run its backend does not know', () => {
  it('exits 1 without saying the run may still be going', async () => {
    const { actor, fake, at } = start({ backend: 'ibm' });
    actor.send({ type: 'RUN_HEADLESS', mode: 'package', runId: 'run-0042' });
    await waitFor(actor, () => fake.follower !== null);
    fake.follower!.fail(notFound());
    await at('failed');
    const snapshot = actor.getSnapshot();
    expect(exitCodeOf(snapshot)).toBe(1);
    expect(snapshot.context.error?.hint).not.toMatch(/still be going/);
  });
});
