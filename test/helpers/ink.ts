/**
 * Helpers for ink-testing-library in the Shopify cli-kit manner: wait for a
 * frame to contain something instead of sleeping, and read frames without
 * their colours.
 */
import stripAnsi from 'strip-ansi';

export interface RenderedApp {
  lastFrame: () => string | undefined;
  stdin: { write: (data: string) => void };
}

export const KEYS = {
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  enter: '\r',
  escape: '\x1b',
  tab: '\t',
  backspace: '\x7f',
  ctrlC: '\x03',
} as const;

/**
 * A few turns of the event loop: React commits, effects run and input
 * handlers (re)subscribe; no fixed delay.
 */
export async function tick(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** The last frame without ANSI escapes. */
export function frame(app: RenderedApp): string {
  return stripAnsi(app.lastFrame() ?? '');
}

/** Poll the frame until it contains `text` (or satisfies it). */
export async function waitForFrame(
  app: RenderedApp,
  text: string | ((frame: string) => boolean),
  timeoutMs = 3000,
): Promise<string> {
  const matches =
    typeof text === 'string' ? (f: string) => f.includes(text) : text;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = frame(app);
    if (matches(current)) return current;
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out waiting for ${typeof text === 'string' ? JSON.stringify(text) : 'a frame'}; last frame:\n${current}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Type keys one at a time, letting Ink handle each before the next. */
export async function press(
  app: RenderedApp,
  ...keys: string[]
): Promise<void> {
  for (const key of keys) {
    app.stdin.write(key);
    await tick();
  }
}

/** Type text one character at a time. */
export function type(app: RenderedApp, text: string): Promise<void> {
  return press(app, ...text.split(''));
}

/** Press keys, then wait for the frame to show `text`. */
export async function pressAndWait(
  app: RenderedApp,
  keys: string[],
  text: string | ((frame: string) => boolean),
): Promise<string> {
  await press(app, ...keys);
  return waitForFrame(app, text);
}
