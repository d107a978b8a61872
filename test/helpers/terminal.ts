/**
 * The app in a real pseudo-terminal (node-pty), for the few tests that
 * need raw mode, the alternate screen and Ctrl+C as a user presses them.
 */
import pty from 'node-pty';
import { cliPath } from './cli.js';

export const ENTER_ALT = '\x1b[?1049h';
export const LEAVE_ALT = '\x1b[?1049l';

/** Terminal output with escape sequences removed, for text searches. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]/g, '');
}

export class Terminal {
  output = '';
  exit: Promise<number>;
  private readonly term: pty.IPty;

  constructor(cwd: string, env: NodeJS.ProcessEnv) {
    const childEnv = { ...env } as Record<string, string>;
    delete childEnv['CI'];
    delete childEnv['NO_COLOR'];
    this.term = pty.spawn(process.execPath, [cliPath], {
      cwd,
      env: childEnv,
      cols: 100,
      rows: 30,
      name: 'xterm-256color',
    });
    this.term.onData((d) => (this.output += d));
    this.exit = new Promise((resolve) =>
      this.term.onExit(({ exitCode }) => resolve(exitCode)),
    );
  }

  /** Waits until the screen has shown `text` since `from` (an output offset). */
  async waitFor(text: string, from = 0, timeoutMs = 120_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    while (!plain(this.output.slice(from)).includes(text)) {
      if (Date.now() > end) {
        throw new Error(
          `"${text}" not shown; screen so far:\n${plain(this.output).slice(-3000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.output.length;
  }

  /** Presses `key` until `text` shows, at most `times` presses. */
  async pressUntil(key: string, text: string, times = 10): Promise<void> {
    for (let i = 0; i < times; i++) {
      const mark = this.output.length;
      this.term.write(key);
      try {
        await this.waitFor(text, mark, 1500);
        return;
      } catch {
        // Not there yet: press again.
      }
    }
    await this.waitFor(text, 0, 1000);
  }

  press(key: string): void {
    this.term.write(key);
  }

  kill(): void {
    this.term.kill();
  }
}
