/**
 * What `maxrec train` finds before it uploads (an unknown run id, a staging
 * folder it cannot write, CUDA that torch does not see) and how it reports
 * a run's end: a trainer killed by a signal, a second Ctrl+C without a
 * terminal, a download that fails after the run.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
  makeWorkspace,
  repoRoot,
  runCli,
  setupWorkspace,
  startCli,
  waitForOutput,
} from '../helpers/cli.js';

const ws = makeWorkspace({ lines: 8000 });

/** A copy of the workspace's config with some text replaced. */
function configWith(name: string, replacements: [string, string][]): string {
  let text = readFileSync(ws.configPath, 'utf8');
  for (const [from, to] of replacements) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  const file = path.join(ws.dir, name);
  writeFileSync(file, text);
  return file;
}

function trainingId(output: string): string {
  const match = /Training id: (\S+)/.exec(output);
  if (!match?.[1]) throw new Error(`no training id in:\n${output}`);
  return match[1];
}

function runRecord(id: string): { pgid: number; status: string } {
  const file = path.join(ws.env.MAXREC_HOME!, 'runs', id, 'run.json');
  return JSON.parse(readFileSync(file, 'utf8')) as {
    pgid: number;
    status: string;
  };
}

const uploaded = () =>
  existsSync(path.join(ws.env.MAXREC_HOME!, 'buckets', 'e2e-data'));

beforeAll(async () => {
  await setupWorkspace(ws);
}, 60_000);

describe('checked before anything is uploaded', () => {
  it('an unknown run id is only that, with where to see the runs', async () => {
    const id = 'train-19990101-000000-dead';
    const result = await runCli(['train', ws.configPath, 'package', id], {
      cwd: ws.dir,
      env: ws.env,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('Following');
    expect(result.stderr).toContain(`unknown training id ${id}`);
    expect(result.stderr).toContain(path.join(ws.env.MAXREC_HOME!, 'runs'));
    expect(result.stderr).not.toMatch(/may still be going/);
  });

  it('a staging folder that cannot be written exits 6 naming the key', async () => {
    writeFileSync(path.join(ws.dir, 'not-a-folder'), '');
    const config = configWith('staging.yaml', [
      ['staging_dir: training_output/', 'staging_dir: not-a-folder/out/'],
    ]);
    const result = await runCli(['train', config, 'package'], {
      cwd: ws.dir,
      env: ws.env,
    });
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('process.0.params.staging_dir');
    expect(result.stderr).toContain(path.join(ws.dir, 'not-a-folder', 'out'));
    expect(result.stdout).not.toContain('Uploading');
    expect(uploaded()).toBe(false);
  });

  it('prepare, which downloads nothing, does not ask for a staging folder', async () => {
    writeFileSync(path.join(ws.dir, 'not-a-folder-either'), '');
    const config = configWith('staging-prepare.yaml', [
      [
        'staging_dir: training_output/',
        'staging_dir: not-a-folder-either/out/',
      ],
    ]);
    // Its own buckets: the other checks here expect nothing uploaded.
    const home = path.join(ws.dir, 'prepare-home');
    const result = await runCli(['train', config, 'prepare'], {
      cwd: ws.dir,
      env: { ...ws.env, MAXREC_HOME: home },
    });
    expect(result.stderr).not.toContain('staging_dir');
    expect(result.code).toBe(0);
  });

  it('compute cuda that torch does not see exits 2 naming the fix', async () => {
    // The real environment's python, except that it sees no CUDA device.
    const python = path.join(ws.dir, 'python-without-cuda');
    writeFileSync(
      python,
      '#!/bin/sh\ncase "$*" in *cuda.is_available*) exit 3 ;; esac\n' +
        `exec "${path.join(repoRoot, '.venv', 'bin', 'python')}" "$@"\n`,
    );
    chmodSync(python, 0o755);
    const config = configWith('cuda.yaml', [['name: cpu', 'name: cuda']]);
    const result = await runCli(['train', config, 'package'], {
      cwd: ws.dir,
      env: { ...ws.env, MAXREC_PYTHON: python },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no CUDA device is visible to torch/);
    expect(result.stderr).toContain(`maxrec setup ${config} --compute cpu`);
    expect(result.stdout).not.toContain('Uploading');
    expect(uploaded()).toBe(false);
  });
});

describe('the end of a run', () => {
  it('a trainer killed by a signal says so, and names the log file', async () => {
    const config = configWith('long.yaml', [['epochs: 20', 'epochs: 500']]);
    const child = startCli(['train', config, 'package'], {
      cwd: ws.dir,
      env: ws.env,
    });
    const id = trainingId(await waitForOutput(child, /Training on /));
    const { pgid } = runRecord(id);
    const trainer = execFileSync('pgrep', [
      '-g',
      String(pgid),
      '-f',
      'train_ncf.py',
    ])
      .toString()
      .trim()
      .split('\n')[0];
    process.kill(Number(trainer), 'SIGKILL');
    const result = await collect(child);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(
      'the training process was killed (signal 9, SIGKILL)',
    );
    expect(result.stderr).not.toContain('exit code 137');
    expect(result.stderr).toContain(
      path.join(ws.env.MAXREC_HOME!, 'runs', id, 'training-log.txt'),
    );
  }, 200_000);

  it('without a terminal, a second Ctrl+C after the notice cancels (exit 5)', async () => {
    const config = configWith('long.yaml', [['epochs: 20', 'epochs: 500']]);
    const child = startCli(['train', config, 'package'], {
      cwd: ws.dir,
      env: ws.env,
    });
    const id = trainingId(await waitForOutput(child, /Training id: \S+/));
    child.kill('SIGINT');
    await waitForOutput(child, /Ctrl\+C again within 3 s/);
    // Past the 300 ms in which a second SIGINT is the same press.
    await sleep(500);
    child.kill('SIGINT');
    const result = await collect(child);
    expect(result.code).toBe(5);
    expect(result.stdout).toContain(`Run ${id} was cancelled.`);
    expect(runRecord(id).status).toBe('cancelled');
  }, 200_000);

  it('a download that fails after the run gives the command to fetch again', async () => {
    const config = configWith('short.yaml', [
      ['epochs: 20', 'epochs: 1'],
      ['staging_dir: training_output/', 'staging_dir: short_output/'],
    ]);
    const child = startCli(['train', config, 'package'], {
      cwd: ws.dir,
      env: ws.env,
    });
    const id = trainingId(await waitForOutput(child, /Training id: \S+/));
    // Checked before the run; taken away while it trains.
    writeFileSync(path.join(ws.dir, 'short_output'), '');
    const result = await collect(child);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`maxrec train ${config} package ${id}`);
  }, 200_000);
});
