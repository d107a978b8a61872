/**
 * The app in a real pseudo-terminal: it enters the alternate screen, draws,
 * takes keys through the whole journey to a live run, and Ctrl+C twice
 * (confirmed) cancels the run, leaves no training process and restores
 * the screen.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pty from 'node-pty';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveConfig } from '../../src/services/config/config-file.js';
import { cliPath, makeWorkspace, setupWorkspace } from '../helpers/cli.js';

const ENTER_ALT = '\x1b[?1049h';
const LEAVE_ALT = '\x1b[?1049l';

/** Terminal output with escape sequences removed, for text searches. */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]/g, '');
}

class Terminal {
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

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the app in a real terminal', () => {
  const ws = makeWorkspace({ lines: 8000 });

  beforeAll(async () => {
    await setupWorkspace(ws);
    // Long enough that the run is still going when it is cancelled.
    await saveConfig(ws.configPath, { 'train.hyperparameters.epochs': 500 });
  }, 60_000);

  it('goes from home to a live run, and Ctrl+C twice cancels it', async () => {
    const term = new Terminal(ws.dir, ws.env);
    try {
      await term.waitFor('maxrec · Home');
      expect(term.output).toContain(ENTER_ALT);

      await term.pressUntil('\r', 'maxrec · Setup', 3);
      await term.pressUntil('\r', 'maxrec · Data', 10);
      await term.pressUntil('\r', 'Inspected file', 3);
      await term.waitFor('interactions');
      await term.pressUntil('\r', 'maxrec · Hyperparameters', 3);
      await term.pressUntil('\r', 'maxrec · Monitor', 10);
      let mark = await term.waitFor('Epoch');

      term.press('\x03');
      mark = await term.waitFor('Stopped watching', mark);
      term.press('\x03');
      await term.waitFor('Cancel run', mark);
      term.press('y');

      expect(await term.exit).toBe(5);
      expect(term.output.lastIndexOf(LEAVE_ALT)).toBeGreaterThan(
        term.output.lastIndexOf(ENTER_ALT),
      );
      expect(
        plain(term.output.slice(term.output.lastIndexOf(LEAVE_ALT))),
      ).toMatch(/cancelled/);
    } finally {
      term.kill();
    }

    const runsDir = path.join(ws.env['MAXREC_HOME']!, 'runs');
    const [runId] = readdirSync(runsDir);
    const record = JSON.parse(
      readFileSync(path.join(runsDir, runId!, 'run.json'), 'utf8'),
    ) as { pgid: number; status: string };
    expect(record.status).toBe('cancelled');
    const end = Date.now() + 10_000;
    while (groupAlive(record.pgid) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(groupAlive(record.pgid)).toBe(false);
  }, 300_000);
});
