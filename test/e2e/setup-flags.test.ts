/** `maxrec setup` flags that name what is not there, and what prepare uploads. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  makeWorkspace,
  runCli,
  setupWorkspace,
  type Workspace,
} from '../helpers/cli.js';

function setup(ws: Workspace, flags: string[]) {
  return runCli(['setup', ws.configPath, ...flags], {
    cwd: ws.dir,
    env: ws.env,
  });
}

/** Every file under `dir`, relative, with / between folders. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .map((relative) => relative.split(path.sep).join('/'))
    .sort();
}

describe('maxrec setup', () => {
  it('refuses a --data-file that is not there, exit 4, leaving no config', async () => {
    const ws = makeWorkspace({ lines: 50 });
    const result = await setup(ws, [
      '--data',
      ws.dataDir,
      '--data-file',
      'nothere.csv',
    ]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      `--data-file: ${path.join(ws.dataDir, 'nothere.csv')} does not exist`,
    );
    expect(existsSync(ws.configPath)).toBe(false);
  });

  it('refuses a --data folder that is not there, exit 4, leaving no config', async () => {
    const ws = makeWorkspace({ lines: 50 });
    const result = await setup(ws, ['--data', 'no-such-folder']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      `--data: ${path.join(ws.dir, 'no-such-folder')} does not exist`,
    );
    expect(existsSync(ws.configPath)).toBe(false);
  });

  it('refuses a --data-file missing from an existing config, changing nothing', async () => {
    const ws = makeWorkspace({ lines: 50 });
    await setupWorkspace(ws);
    const before = readFileSync(ws.configPath, 'utf8');
    const result = await setup(ws, ['--data-file', 'data/nothere.csv']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('--data-file');
    expect(readFileSync(ws.configPath, 'utf8')).toBe(before);
  });

  it('refuses a compute size the backend does not have, exit 1', async () => {
    const ws = makeWorkspace({ lines: 50 });
    const result = await setup(ws, ['--data', ws.dataDir, '--compute', 'huge']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--compute huge');
    expect(result.stderr).toContain('cpu, cuda');
    expect(existsSync(ws.configPath)).toBe(false);

    const ibm = await setup(ws, ['--backend', 'ibm', '--compute', 'cuda']);
    expect(ibm.code).toBe(1);
    expect(ibm.stderr).toContain('k80');
  });

  it('writes cuda for --compute gpu, and the default after --backend', async () => {
    const ws = makeWorkspace({ lines: 50 });
    expect(
      (await setup(ws, ['--backend', 'ibm', '--compute', 'k80'])).code,
    ).toBe(0);
    const local = await setup(ws, ['--backend', 'local']);
    expect(local.code).toBe(0);
    expect(local.stdout).toMatch(/compute +cpu/);
    const gpu = await setup(ws, ['--compute', 'gpu']);
    expect(gpu.stdout).toMatch(/compute +cuda/);
    expect(readFileSync(ws.configPath, 'utf8')).toContain('name: cuda');
  });

  it('refuses one bucket for both and writes nothing, not even a new file', async () => {
    const ws = makeWorkspace({ lines: 50 });
    const result = await setup(ws, [
      '--data-bucket',
      'same',
      '--results-bucket',
      'same',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('both "same"');
    expect(result.stderr).toContain('Nothing was written');
    expect(existsSync(ws.configPath)).toBe(false);
  });

  it('refuses any setup that leaves the buckets the same, until one fixes them', async () => {
    const ws = makeWorkspace({ lines: 50 });
    await setupWorkspace(ws);
    writeFileSync(
      ws.configPath,
      readFileSync(ws.configPath, 'utf8').replace(
        'bucket: e2e-results',
        'bucket: e2e-data',
      ),
    );
    const before = readFileSync(ws.configPath, 'utf8');
    for (const flags of [
      ['--backend', 'ray'],
      ['--backend', 'ibm', '--compute', 'xs'],
      ['--results-bucket', 'e2e-data'],
    ]) {
      const result = await setup(ws, flags);
      expect(result.code, flags.join(' ')).toBe(3);
      expect(result.stderr).toContain('both "e2e-data"');
      expect(readFileSync(ws.configPath, 'utf8')).toBe(before);
    }
    const fixed = await setup(ws, ['--results-bucket', 'other']);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/results bucket +other/);
  });

  it('prints the notes of an original-style config', async () => {
    const ws = makeWorkspace({ lines: 500 });
    await setupWorkspace(ws);
    writeFileSync(
      ws.configPath,
      readFileSync(ws.configPath, 'utf8').replace('name: cpu', 'name: k80'),
    );
    const result = await runCli(['train', ws.configPath, 'prepare'], {
      cwd: ws.dir,
      env: ws.env,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^note: train\.execution\.compute_configuration\.name: "k80" is read as "cpu" on the local backend: it is a WML hardware size/m,
    );
  });

  it('a misspelt key makes prepare exit 3 naming it', async () => {
    const ws = makeWorkspace({ lines: 50 });
    await setupWorkspace(ws);
    const text = readFileSync(ws.configPath, 'utf8');
    writeFileSync(ws.configPath, text.replace('epochs: 20', 'epocs: 2'));
    const result = await runCli(['train', ws.configPath, 'prepare'], {
      cwd: ws.dir,
      env: ws.env,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'train.hyperparameters.epocs: unknown key; did you mean epochs?',
    );
  });

  it('leaves the config and COS key files out of the data upload', async () => {
    const ws = makeWorkspace({ lines: 500 });
    // The data folder is the config's own folder.
    const configPath = path.join(ws.dataDir, 'my-config.yaml');
    const keys = path.join(ws.dataDir, 'cos-keys-2.sh');
    writeFileSync(keys, 'export AWS_SECRET_ACCESS_KEY=hunter2\n');
    writeFileSync(
      path.join(ws.dataDir, 'max-recommender-training-config.yaml'),
      'name: another\n',
    );
    const set = await runCli(
      ['setup', configPath, '--data', '.', '--data-file', 'data/ratings.csv'],
      { cwd: ws.dataDir, env: ws.env },
    );
    expect(set.code).toBe(0);
    for (let round = 0; round < 2; round += 1) {
      // The second time, the code archive beside the config is there too.
      const result = await runCli(['train', configPath, 'prepare'], {
        cwd: ws.dataDir,
        env: ws.env,
      });
      expect(result.code).toBe(0);
    }
    const bucket = path.join(ws.dir, 'home', 'buckets', 'maxrec-data');
    expect(filesUnder(bucket).filter((f) => !f.includes('.maxrec'))).toEqual([
      'data/ratings.csv',
    ]);
  }, 120_000);
});
