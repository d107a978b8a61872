/**
 * The app on a named config, in a real pseudo-terminal: nothing is
 * written until the setup is saved, and `maxrec setup` ends on Esc.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import pty from 'node-pty';
import { describe, expect, it } from 'vitest';
import { cliPath, makeWorkspace } from '../helpers/cli.js';
import { plain } from '../helpers/terminal.js';

/** The CLI in a terminal with `args`; resolves its output and exit code. */
function openTerminal(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const childEnv = { ...env } as Record<string, string>;
  delete childEnv['CI'];
  const term = pty.spawn(process.execPath, [cliPath, ...args], {
    cwd,
    env: childEnv,
    cols: 100,
    rows: 30,
    name: 'xterm-256color',
  });
  let output = '';
  term.onData((d) => (output += d));
  const exit = new Promise<number>((resolve) =>
    term.onExit(({ exitCode }) => resolve(exitCode)),
  );
  const waitFor = async (text: string) => {
    const end = Date.now() + 30_000;
    while (!plain(output).includes(text)) {
      if (Date.now() > end) {
        throw new Error(`"${text}" not shown:\n${plain(output).slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { term, exit, waitFor, output: () => plain(output) };
}

describe('the app on a named config', () => {
  it('maxrec my.yaml opens it from the defaults, creating nothing', async () => {
    const ws = makeWorkspace({ lines: 50 });
    const app = openTerminal(['my.yaml'], ws.dir, ws.env);
    try {
      await app.waitFor(`Config: ${path.join(ws.dir, 'my.yaml')}`);
      expect(existsSync(path.join(ws.dir, 'my.yaml'))).toBe(false);
      app.term.write('q');
      expect(await app.exit).toBe(0);
      expect(existsSync(path.join(ws.dir, 'my.yaml'))).toBe(false);
    } finally {
      app.term.kill();
    }
  }, 60_000);

  it('maxrec setup ends on Esc, saying nothing was saved', async () => {
    const ws = makeWorkspace({ lines: 50 });
    const app = openTerminal(['setup', 'x.yaml'], ws.dir, ws.env);
    try {
      await app.waitFor('maxrec · Setup');
      expect(existsSync(path.join(ws.dir, 'x.yaml'))).toBe(false);
      // Esc ends the command (before, it went on to Home and waited there).
      app.term.write('\x1b');
      expect(await app.exit).toBe(0);
      expect(app.output()).toContain('nothing was saved');
      expect(existsSync(path.join(ws.dir, 'x.yaml'))).toBe(false);
    } finally {
      app.term.kill();
    }
  }, 60_000);

  it('maxrec setup writes the config when it is saved', async () => {
    const ws = makeWorkspace({ lines: 50 });
    const app = openTerminal(['setup', 'x.yaml'], ws.dir, ws.env);
    try {
      await app.waitFor('Save ▶');
      // Down to Save, past the five fields.
      app.term.write('\x1b[B'.repeat(5));
      await new Promise((r) => setTimeout(r, 300));
      app.term.write('\r');
      expect(await app.exit).toBe(0);
      expect(app.output()).toContain(`Saved to ${path.join(ws.dir, 'x.yaml')}`);
      expect(existsSync(path.join(ws.dir, 'x.yaml'))).toBe(true);
    } finally {
      app.term.kill();
    }
  }, 60_000);
});
