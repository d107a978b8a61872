/**
 * The app in a real pseudo-terminal: it enters the alternate screen, draws,
 * takes keys through the whole journey to a live run, and Ctrl+C twice
 * (confirmed) cancels the run, leaves no training process and restores
 * the screen.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveConfig } from '../../src/services/config/config-file.js';
import { makeWorkspace, setupWorkspace } from '../helpers/cli.js';
import { ENTER_ALT, LEAVE_ALT, Terminal, plain } from '../helpers/terminal.js';

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
