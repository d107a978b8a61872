import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_HYPERPARAMETERS } from '../../src/core/types.js';
import {
  ZipPackaging,
  composeTrainingCommand,
  isExcludedFromArchive,
} from '../../src/services/packaging.js';

let tmp: string;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-packaging-'));
});

afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function makeCode(files: Record<string, string | Buffer>) {
  const dir = path.join(tmp, 'training_code');
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
  return dir;
}

/** Names and modes of a zip's entries, read with Python's zipfile. */
function zipEntries(zip: string): Record<string, number> {
  const script =
    'import json,sys,zipfile;' +
    'print(json.dumps({i.filename: i.external_attr >> 16 & 0o777' +
    ' for i in zipfile.ZipFile(sys.argv[1]).infolist()}))';
  return JSON.parse(
    execFileSync('python3', ['-c', script, zip], { encoding: 'utf8' }),
  ) as Record<string, number>;
}

function zipRead(zip: string, name: string): string {
  return execFileSync('unzip', ['-p', zip, name], { encoding: 'utf8' });
}

const ENTRY = [
  '#!/bin/bash\r',
  'TRAINING_CMD="python3 train_ncf.py"\r',
  'set -e\r',
  'eval "$TRAINING_CMD"\r',
  '',
].join('\n');

describe('composeTrainingCommand', () => {
  it('quotes the data file and the delimiter', () => {
    expect(
      composeTrainingCommand({
        ...DEFAULT_HYPERPARAMETERS,
        dataFile: 'data/ratings.csv',
      }),
    ).toBe(
      "python3 train_ncf.py --data 'data/ratings.csv' --epoch 20 " +
        "--batch_size 128 --factors 8 --learning_rate 0.005 --delimiter ','",
    );
    const odd = composeTrainingCommand({
      ...DEFAULT_HYPERPARAMETERS,
      delimiter: '\t',
      hpo: true,
      dataFile: "it's data.tsv",
    });
    expect(odd).toContain(`--data 'it'\\''s data.tsv'`);
    expect(odd).toContain(`--delimiter '\\t' --hpo`);
    const echoed = execFileSync(
      'bash',
      ['-c', `printf '%s\\n' ${odd.slice(20)}`],
      {
        encoding: 'utf8',
      },
    ).split('\n');
    expect(echoed).toContain("it's data.tsv");
    expect(echoed).toContain('\\t');
  });
});

describe('ZipPackaging', () => {
  it('zips relative paths, leaves out caches and tests, fixes scripts', async () => {
    const code = await makeCode({
      'train-max-model.sh': ENTRY,
      'train_ncf.py': 'print("hi")\r\n',
      'lib/util.py': 'x = 1\n',
      'lib/__pycache__/util.cpython-311.pyc': 'bin',
      'lib/old.pyc': 'bin',
      '.venv/bin/python': 'bin',
      'venv/x': 'bin',
      '.pytest_cache/x': 'c',
      '.mypy_cache/x': 'c',
      '.ruff_cache/x': 'c',
      '.git/HEAD': 'ref',
      'tests/test_x.py': 'def test(): pass\n',
    });
    const zip = path.join(tmp, 'out', 'code.zip');
    const command = "python3 train_ncf.py --data 'data/r.csv' --epoch 2";
    const result = await new ZipPackaging().buildCodeArchive(code, zip, {
      trainingCommand: command,
    });
    expect(result.files).toBe(3);
    expect(result.bytes).toBe((await fs.stat(zip)).size);
    const entries = zipEntries(zip);
    expect(Object.keys(entries).sort()).toEqual([
      'lib/util.py',
      'train-max-model.sh',
      'train_ncf.py',
    ]);
    expect(entries['train-max-model.sh']).toBe(0o755);
    expect(entries['train_ncf.py']).toBe(0o644);

    const script = zipRead(zip, 'train-max-model.sh');
    expect(script).not.toContain('\r');
    expect(zipRead(zip, 'train_ncf.py')).toBe('print("hi")\r\n');
    const line = script.split('\n')[1] ?? '';
    expect(line.startsWith('TRAINING_CMD=')).toBe(true);
    const value = execFileSync(
      'bash',
      ['-c', `${line}; printf %s "$TRAINING_CMD"`],
      {
        encoding: 'utf8',
      },
    );
    expect(value).toBe(command);
    expect(await fs.readdir(path.dirname(zip))).toEqual(['code.zip']);
  });

  it('refuses to set the command without a TRAINING_CMD line (exit 4)', async () => {
    const code = await makeCode({
      'train-max-model.sh': '#!/bin/bash\necho\n',
    });
    const zip = path.join(tmp, 'code.zip');
    await expect(
      new ZipPackaging().buildCodeArchive(code, zip, { trainingCommand: 'x' }),
    ).rejects.toMatchObject({ exitCode: 4 });
    await expect(fs.stat(zip)).rejects.toThrow();
  });

  it('refuses an archive over the size limit, naming the largest file', async () => {
    const code = await makeCode({
      'train-max-model.sh': ENTRY,
      'weights.bin': randomBytes(64 * 1024),
    });
    const zip = path.join(tmp, 'code.zip');
    const error = await new ZipPackaging()
      .buildCodeArchive(code, zip, { maxBytes: 32 * 1024 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 4 });
    expect((error as Error).message).toMatch(
      /64\.\d KB, over the limit of 32\.0 KB/,
    );
    expect((error as { hint: string }).hint).toContain('weights.bin');
    expect(await fs.readdir(tmp)).toEqual(['training_code']);
  });

  it('keeps an older archive when a new build is aborted', async () => {
    const code = await makeCode({ 'train_ncf.py': 'x' });
    const zip = path.join(tmp, 'code.zip');
    await fs.writeFile(zip, 'old');
    const controller = new AbortController();
    controller.abort();
    await expect(
      new ZipPackaging().buildCodeArchive(code, zip, {
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(await fs.readFile(zip, 'utf8')).toBe('old');
  });

  it('names what it leaves out', () => {
    expect(isExcludedFromArchive('tests/test_a.py')).toBe(true);
    expect(isExcludedFromArchive('lib/tests/data.py')).toBe(false);
    expect(isExcludedFromArchive('a/__pycache__/b.pyc')).toBe(true);
    expect(isExcludedFromArchive('train_ncf.py')).toBe(false);
  });
});
