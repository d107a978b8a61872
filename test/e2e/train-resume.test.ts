/**
 * Runs that outlive the command: `maxrec train CONFIG package` killed while
 * monitoring, then resumed by id; a cancel that leaves no process; a
 * training process killed from outside.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
  makeWorkspace,
  runCli,
  setupWorkspace,
  startCli,
  waitForOutput,
  type Workspace,
} from '../helpers/cli.js';

function runRecord(ws: Workspace, id: string): { pgid: number; pid: number } {
  return JSON.parse(
    readFileSync(
      path.join(ws.env.MAXREC_HOME!, 'runs', id, 'run.json'),
      'utf8',
    ),
  ) as { pgid: number; pid: number };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function trainingId(output: string): string {
  const match = /Training id: (\S+)/.exec(output);
  if (!match?.[1]) throw new Error(`no training id in:\n${output}`);
  return match[1];
}

describe('a run outlives its command', () => {
  const ws = makeWorkspace({ lines: 8000 });
  beforeAll(async () => {
    await setupWorkspace(ws);
  }, 60_000);

  it('package killed while monitoring, then package ID resumes and finishes', async () => {
    const first = startCli(['train', ws.configPath, 'package'], {
      cwd: ws.dir,
      env: ws.env,
    });
    const seen = await waitForOutput(first, /Epoch 1\//);
    const id = trainingId(seen);
    first.kill('SIGKILL');
    await collect(first);

    const resumed = await runCli(['train', ws.configPath, 'package', id], {
      cwd: ws.dir,
      env: ws.env,
      timeoutMs: 400_000,
    });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    // Following from the start, the resumed command sees every epoch.
    expect(resumed.stdout).toMatch(/Epoch 1\//);
    expect(resumed.stdout).toMatch(/Done\. The trained model is in/);
    const metrics = JSON.parse(
      readFileSync(
        path.join(ws.dir, 'training_output/trained_model/metrics.json'),
        'utf8',
      ),
    ) as { users: number };
    expect(metrics.users).toBeGreaterThan(0);
  }, 500_000);

  it('a training process killed from outside is reported as failed', async () => {
    const child = startCli(['train', ws.configPath, 'package'], {
      cwd: ws.dir,
      env: ws.env,
    });
    const seen = await waitForOutput(child, /Training id: \S+/);
    const id = trainingId(seen);
    const { pgid } = runRecord(ws, id);
    process.kill(-pgid, 'SIGKILL');
    const result = await collect(child);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/died|killed/);
  }, 300_000);

  it('an unknown training id exits 1', async () => {
    const result = await runCli(
      ['train', ws.configPath, 'package', 'train-19990101-000000-dead'],
      { cwd: ws.dir, env: ws.env },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown training id/i);
  });

  it('prepare uploads and packages without starting a run', async () => {
    const result = await runCli(['train', ws.configPath, 'prepare'], {
      cwd: ws.dir,
      env: ws.env,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Code archive/);
    expect(result.stdout).not.toMatch(/Training id/);
  });
});

describe('cancelling a run', () => {
  it('leaves no training process behind', async () => {
    const ws = makeWorkspace({ lines: 8000 });
    await setupWorkspace(ws);
    const child = startCli(['train', ws.configPath, 'train'], {
      cwd: ws.dir,
      env: ws.env,
    });
    const seen = await waitForOutput(child, /Training id: \S+/);
    const id = trainingId(seen);
    child.kill('SIGINT');
    const detached = await collect(child);
    // Without a terminal, Ctrl+C stops watching and says how to come back.
    expect(detached.code).toBe(0);
    expect(detached.stdout).toContain(`package ${id}`);
    const { pgid } = runRecord(ws, id);
    expect(groupAlive(pgid)).toBe(true);

    const { LocalBackend } =
      await import('../../src/services/local/local-backend.js');
    const backend = new LocalBackend({ root: ws.env.MAXREC_HOME! });
    await backend.cancel(id);
    await waitUntil(() => !groupAlive(pgid));
    expect((await backend.status(id)).status).toBe('cancelled');
  }, 300_000);
});
