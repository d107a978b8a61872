/**
 * Runs the full-screen app until the journey ends or the user quits. Ink 6
 * has no alternate screen of its own, so it is entered here before the
 * first frame and left on every way out: a normal end, a thrown error, or
 * a signal (through signal-exit).
 */
import { render } from 'ink';
import { onExit } from 'signal-exit';
import { createActor } from 'xstate';
import { ExitCode } from '../core/errors.js';
import { closingMessage, exitCodeOf } from '../core/exit-code.js';
import { createJourneyMachine } from '../core/machine.js';
import type { JourneyEvent } from '../core/journey.js';
import type { JourneyServices } from '../core/ports.js';
import { isIn } from '../core/state-path.js';
import { debugLog } from '../services/debug-log.js';
import { App } from './app.js';

const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[?25l';
const LEAVE_ALTERNATE_SCREEN = '\x1b[?25h\x1b[?1049l';

export interface RunAppOptions {
  services: JourneyServices;
  configPath: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Injected for tests. */
  now?: () => number;
  /** Sent once home is ready, e.g. NEW_TRAINING to open at setup. */
  initialEvents?: JourneyEvent[];
  /** Closes the app (exit 0) at the first state this is true of. */
  endWhen?: (snapshot: { matches: (value: never) => boolean }) => boolean;
}

/** Resolves with the exit code of product.md once the app has closed. */
export async function runApp({
  services,
  configPath,
  stdin = process.stdin,
  stdout = process.stdout,
  now = Date.now,
  initialEvents = [],
  endWhen = () => false,
}: RunAppOptions): Promise<number> {
  const actor = createActor(createJourneyMachine(services), {
    input: { configPath, now },
  });
  const fullScreen = Boolean(stdout.isTTY);
  let restored = !fullScreen;
  const restore = () => {
    if (restored) return;
    restored = true;
    stdout.write(LEAVE_ALTERNATE_SCREEN);
  };
  const removeExitHook = onExit(() => restore());
  if (fullScreen) stdout.write(ENTER_ALTERNATE_SCREEN);

  let instance: ReturnType<typeof render> | undefined;
  try {
    const ended = new Promise<void>((resolve) => {
      actor.subscribe({
        next: (snapshot) => {
          if (snapshot.status !== 'active' || endWhen(snapshot)) resolve();
        },
        error: (error) => {
          debugLog('journey machine error', error);
          resolve();
        },
      });
    });
    let pending = initialEvents;
    actor.subscribe((snapshot) => {
      if (pending.length === 0 || !isIn(snapshot, 'home.ready')) return;
      const events = pending;
      pending = [];
      for (const event of events) actor.send(event);
    });
    actor.start();
    instance = render(<App actor={actor} now={now} />, {
      stdin,
      stdout,
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: 20,
    });
    await Promise.race([ended, instance.waitUntilExit()]);
    const snapshot = actor.getSnapshot();
    instance.unmount();
    restore();
    const message = closingMessage(snapshot);
    if (message) stdout.write(`${message}\n`);
    debugLog('app closed in', JSON.stringify(snapshot.value));
    return exitCodeOf(snapshot) ?? ExitCode.ok;
  } catch (error) {
    debugLog('app crashed', error);
    instance?.unmount();
    throw error;
  } finally {
    actor.stop();
    restore();
    removeExitHook();
  }
}
