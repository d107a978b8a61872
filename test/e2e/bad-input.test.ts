/**
 * Bad input through the real CLI: each gets one clear message, the exit
 * code of product.md, and nothing uploaded or half-written.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeWorkspace, runCli, setupWorkspace } from '../helpers/cli.js';

describe('the command line refuses bad input', () => {
  it('maxrec without a terminal exits 1 naming the commands to use', async () => {
    const ws = makeWorkspace();
    const result = await runCli([], { cwd: ws.dir, env: ws.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/needs a terminal/);
    expect(result.stderr).toMatch(/maxrec demo/);
    // No escape sequences when stdout is not a terminal.
    expect(result.stdout + result.stderr).not.toContain('\x1b[');
  });

  it('an unknown command exits 1 naming it', async () => {
    const ws = makeWorkspace();
    const result = await runCli(['trian'], { cwd: ws.dir, env: ws.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/"trian" is not a maxrec command/);
  });

  it('maxrec CONFIG.yaml opens a config, and without a terminal creates nothing', async () => {
    const ws = makeWorkspace();
    const result = await runCli(['my.yaml'], { cwd: ws.dir, env: ws.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/needs a terminal/);
    expect(existsSync(path.join(ws.dir, 'my.yaml'))).toBe(false);
    // A word that is no .yaml path nor a file is still an unknown command.
    const word = await runCli(['my'], { cwd: ws.dir, env: ws.env });
    expect(word.stderr).toMatch(/"my" is not a maxrec command/);
  });

  it('demo with a user the sample lacks exits 1 at once, naming valid ids', async () => {
    const ws = makeWorkspace();
    const result = await runCli(['demo', '--user', '99999'], {
      cwd: ws.dir,
      env: ws.env,
      timeoutMs: 20_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--user 99999');
    expect(result.stderr).toMatch(/ids 1, 2, 3 … 610\), e\.g\. --user 1/);
    expect(result.stdout).not.toMatch(/Training id/);
    expect(existsSync(path.join(ws.dir, 'home', 'runs'))).toBe(false);
  });

  it('a wrong flag or mode exits 1', async () => {
    const ws = makeWorkspace();
    const flag = await runCli(['demo', '--epochs', 'zero'], {
      cwd: ws.dir,
      env: ws.env,
    });
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/epochs/);
    const mode = await runCli(['train', ws.configPath, 'launch'], {
      cwd: ws.dir,
      env: ws.env,
    });
    expect(mode.code).toBe(1);
    expect(mode.stderr).toMatch(/clean, prepare, train, package/);
  });

  it('setup without a terminal or flags names the flags to pass', async () => {
    const ws = makeWorkspace();
    const result = await runCli(['setup', ws.configPath], {
      cwd: ws.dir,
      env: ws.env,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--backend/);
  });

  it('setup with a bad flag value names the flag and leaves no config behind', async () => {
    const ws = makeWorkspace();
    const result = await runCli(
      [
        'setup',
        ws.configPath,
        '--data',
        ws.dataDir,
        '--data-bucket',
        'Bad_Name',
      ],
      { cwd: ws.dir, env: ws.env },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('--data-bucket');
    expect(existsSync(ws.configPath)).toBe(false);
  });

  it('inspects and trains on the ratings file the config names', async () => {
    const ws = makeWorkspace();
    // A bigger file beside it must not be picked instead.
    writeFileSync(
      path.join(ws.dataDir, 'data', 'zz-other.csv'),
      'a,b\n'.repeat(50_000),
    );
    await setupWorkspace(ws, ['--data-file', 'data/ratings.csv']);
    const result = await runCli(['train', ws.configPath, 'prepare'], {
      cwd: ws.dir,
      env: ws.env,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(path.join('data', 'ratings.csv'));
    expect(result.stdout).not.toContain('zz-other.csv:');
  });

  it('a config with a wrong key exits 3 naming its dotted path', async () => {
    const ws = makeWorkspace();
    await setupWorkspace(ws);
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(ws.configPath, 'utf8').replace(
      'batch_size: 128',
      'batch_size: lots',
    );
    writeFileSync(ws.configPath, text);
    const result = await runCli(['train', ws.configPath, 'prepare'], {
      cwd: ws.dir,
      env: ws.env,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('train.hyperparameters.batch_size');
  });

  it('a data file the trainer would reject exits 4 before anything is uploaded', async () => {
    const ws = makeWorkspace();
    writeFileSync(
      path.join(ws.dataDir, 'data', 'ratings.csv'),
      'userId,movieId,rating\n1,10,4\n1,11,five\n2,10,3\n2,12,1\n',
    );
    await setupWorkspace(ws);
    const result = await runCli(['train', ws.configPath, 'package'], {
      cwd: ws.dir,
      env: ws.env,
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/line 3/);
    expect(result.stderr).toMatch(/nothing was uploaded/i);
    const bucket = path.join(ws.env.MAXREC_HOME!, 'buckets', 'e2e-data');
    expect(existsSync(bucket) ? readdirSync(bucket) : []).toEqual([]);
  });

  it('a results folder that cannot be written exits 6 with a clear message', async () => {
    const ws = makeWorkspace({ lines: 3000 });
    await setupWorkspace(ws);
    const { saveConfig } =
      await import('../../src/services/config/config-file.js');
    // A staging folder below a regular file can never be created.
    const blocker = path.join(ws.dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    await saveConfig(ws.configPath, {
      'process.0.params.staging_dir': path.join(blocker, 'training_output'),
      'train.hyperparameters.epochs': 1,
    });
    const result = await runCli(['train', ws.configPath, 'package'], {
      cwd: ws.dir,
      env: ws.env,
      timeoutMs: 300_000,
    });
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/not a folder|ENOTDIR/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 320_000);
});
