/** Render the whole app over fake services with a clock the test sets. */
import { render } from 'ink-testing-library';
import { createActor, waitFor } from 'xstate';
import { createJourneyMachine } from '../../src/core/machine.js';
import { isIn, type JourneyStatePath } from '../../src/core/state-path.js';
import { App } from '../../src/ui/app.js';
import { createTheme } from '../../src/ui/theme.js';
import { FakeJourneyServices } from './journey-fakes.js';
import { tick } from './ink.js';

export interface TestClock {
  now: () => number;
  set: (ms: number) => void;
}

export function testClock(start = 1_000): TestClock {
  let time = start;
  return {
    now: () => time,
    set: (ms) => {
      time = ms;
    },
  };
}

export function startJourney(
  fake = new FakeJourneyServices(),
  clock = testClock(),
) {
  const actor = createActor(createJourneyMachine(fake.services), {
    input: { configPath: 'cfg.yaml', now: clock.now },
  });
  actor.start();
  const reach = (path: JourneyStatePath) =>
    waitFor(actor, (s) => isIn(s, path), { timeout: 2000 });
  return { actor, fake, clock, reach };
}

export type Journey = ReturnType<typeof startJourney>;

/** Mount the app on a running journey; colours on, no ticking. */
export async function renderApp(journey: Journey) {
  const app = render(
    <App
      actor={journey.actor}
      now={journey.clock.now}
      tickMs={0}
      theme={createTheme({})}
    />,
  );
  await tick();
  return app;
}

/** Resume run-0001 from Home and wait until the app follows it. */
export async function watchRun(journey: Journey) {
  await journey.reach('home.ready');
  journey.actor.send({ type: 'RESUME', runId: 'run-0001' });
  await journey.reach('monitor.watching');
  await waitFor(journey.actor, () => journey.fake.follower !== null);
  return journey.fake.follower!;
}
