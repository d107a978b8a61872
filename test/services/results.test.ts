import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MaxrecError } from '../../src/core/errors.js';
import { LocalStorage } from '../../src/services/local/local-storage.js';
import {
  checkStagingFolder,
  copyTrainedModel,
  downloadResults,
  extractModelArchive,
  readMetrics,
} from '../../src/services/results.js';
import type { TransferProgress } from '../../src/services/types.js';

const METRICS = {
  hit_rate_at_10: 0.7,
  ndcg_at_10: 0.45,
  protocol: 'leave-one-out, 99 negatives',
  users: 3,
  items: 4,
  interactions: 9,
  epochs_run: 2,
  train_seconds: 1.5,
};

const ABSOLUTE_EVIL = path.join(
  os.tmpdir(),
  `maxrec-abs-evil-${process.pid}.txt`,
);

let tmp: string;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-results-'));
});

afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/**
 * A tar.gz written with Python's tarfile, which, unlike the tar package,
 * writes unsafe entries as asked. `entries`: [name, content or link target,
 * kind].
 */
function pythonTar(
  file: string,
  entries: [string, string, ('file' | 'symlink')?][],
): string {
  const script = `
import io, json, sys, tarfile
with tarfile.open(sys.argv[1], 'w:gz') as archive:
    for name, content, kind in json.loads(sys.argv[2]):
        info = tarfile.TarInfo(name)
        if kind == 'symlink':
            info.type = tarfile.SYMTYPE
            info.linkname = content
            archive.addfile(info)
        else:
            data = content.encode()
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
`;
  execFileSync('python3', [
    '-c',
    script,
    file,
    JSON.stringify(entries.map(([n, c, k]) => [n, c, k ?? 'file'])),
  ]);
  return file;
}

function goodArchive(name: string, marker: string): string {
  return pythonTar(path.join(tmp, name), [
    ['./trained_model/metrics.json', JSON.stringify(METRICS)],
    ['./trained_model/marker.txt', marker],
    ['./trained_model/link-inside', 'marker.txt', 'symlink'],
  ]);
}

describe('downloadResults', () => {
  it('downloads the log and the archive into the staging folder', async () => {
    const storage = new LocalStorage(tmp);
    const run = path.join(tmp, 'run');
    await fs.mkdir(run);
    await fs.writeFile(path.join(run, 'training-log.txt'), 'log\n');
    await fs.writeFile(path.join(run, 'model_training_output.tar.gz'), 'tgz');
    await storage.upload(run, 'results', 'train-1', {});
    const staging = path.join(tmp, 'training_output');
    const progress: TransferProgress[] = [];
    const files = await downloadResults(
      storage,
      {
        bucket: 'results',
        logKey: 'train-1/training-log.txt',
        archiveKey: 'train-1/model_training_output.tar.gz',
      },
      staging,
      { onProgress: (p) => progress.push(p) },
    );
    expect(await fs.readFile(files.logFile, 'utf8')).toBe('log\n');
    expect(await fs.readFile(files.archiveFile ?? '', 'utf8')).toBe('tgz');
    expect(progress.at(-1)).toMatchObject({
      bytesDone: 7,
      bytesTotal: 7,
      filesDone: 2,
      filesTotal: 2,
    });
  });

  it('fails with exit 6 for a missing object or an unusable folder', async () => {
    const storage = new LocalStorage(tmp);
    await storage.ensureBucket('results');
    const results = {
      bucket: 'results',
      logKey: 'x/training-log.txt',
      archiveKey: 'x/model_training_output.tar.gz',
    };
    await expect(
      downloadResults(storage, results, path.join(tmp, 'out'), {}),
    ).rejects.toMatchObject({ exitCode: 6 });
    await fs.writeFile(path.join(tmp, 'file.txt'), 'a file');
    const error = await downloadResults(
      storage,
      results,
      path.join(tmp, 'file.txt', 'sub'),
      {},
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaxrecError);
    expect(error).toMatchObject({ exitCode: 6 });
    expect((error as Error).message).toContain('is a file, not a folder');
  });
});

describe('extractModelArchive', () => {
  it('extracts trained_model/ and replaces an older one', async () => {
    const staging = path.join(tmp, 'training_output');
    await extractModelArchive(goodArchive('a.tar.gz', 'first'), staging);
    const model = await extractModelArchive(
      goodArchive('b.tar.gz', 'second'),
      staging,
    );
    expect(model).toBe(path.join(staging, 'trained_model'));
    expect(await fs.readFile(path.join(model, 'marker.txt'), 'utf8')).toBe(
      'second',
    );
    expect(await fs.readFile(path.join(model, 'link-inside'), 'utf8')).toBe(
      'second',
    );
    expect(await fs.readdir(staging)).toEqual(['trained_model']);
    expect(await readMetrics(model)).toEqual(METRICS);
  });

  it.each([
    ['a parent path', ['../evil.txt', 'x']],
    ['a nested parent path', ['trained_model/../../evil.txt', 'x']],
    ['an absolute path', [ABSOLUTE_EVIL, 'x']],
    [
      'a link leading outside',
      ['trained_model/passwd', '/etc/passwd', 'symlink'],
    ],
    [
      'a relative link leading outside',
      ['trained_model/up', '../../x', 'symlink'],
    ],
  ] as const)('refuses an archive with %s', async (_what, bad) => {
    const staging = path.join(tmp, 'training_output');
    const archive = pythonTar(path.join(tmp, 'bad.tar.gz'), [
      ['trained_model/metrics.json', '{}'],
      [...bad] as [string, string, 'file' | 'symlink'],
    ]);
    const error = await extractModelArchive(archive, staging).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ exitCode: 7 });
    expect((error as Error).message).toContain('unsafe');
    expect(await fs.readdir(tmp)).not.toContain('evil.txt');
    await expect(fs.stat(ABSOLUTE_EVIL)).rejects.toThrow();
    expect(await fs.readdir(staging)).toEqual([]);
  });

  it('keeps the previous model when extraction fails', async () => {
    const staging = path.join(tmp, 'training_output');
    await extractModelArchive(goodArchive('a.tar.gz', 'first'), staging);
    const corrupt = path.join(tmp, 'corrupt.tar.gz');
    const good = await fs.readFile(goodArchive('b.tar.gz', 'second'));
    await fs.writeFile(corrupt, good.subarray(0, good.length / 2));
    await expect(extractModelArchive(corrupt, staging)).rejects.toMatchObject({
      exitCode: 7,
    });
    const noModel = pythonTar(path.join(tmp, 'empty.tar.gz'), [
      ['other/file.txt', 'x'],
    ]);
    await expect(extractModelArchive(noModel, staging)).rejects.toMatchObject({
      exitCode: 7,
    });
    expect(
      await fs.readFile(
        path.join(staging, 'trained_model', 'marker.txt'),
        'utf8',
      ),
    ).toBe('first');
    expect(await fs.readdir(staging)).toEqual(['trained_model']);
  });
});

describe('copyTrainedModel', () => {
  it('copies the model, and fails with exit 8 where it cannot', async () => {
    const staging = path.join(tmp, 'training_output');
    const model = await extractModelArchive(
      goodArchive('a.tar.gz', 'first'),
      staging,
    );
    const dest = path.join(tmp, 'custom_assets');
    await copyTrainedModel(model, dest);
    expect(await fs.readFile(path.join(dest, 'marker.txt'), 'utf8')).toBe(
      'first',
    );
    await fs.writeFile(path.join(tmp, 'file.txt'), 'a file');
    const error = await copyTrainedModel(
      model,
      path.join(tmp, 'file.txt', 'sub'),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 8 });
    expect((error as Error).message).toMatch(
      /^Could not copy the trained model to .*file\.txt\/sub: a part of the path is a file, not a folder \(ENOTDIR\)\.$/,
    );
  });
});

describe('readMetrics', () => {
  it('names the fields that are missing or mistyped (exit 7)', async () => {
    await fs.writeFile(
      path.join(tmp, 'metrics.json'),
      JSON.stringify({ ...METRICS, users: '3', protocol: undefined }),
    );
    const error = await readMetrics(tmp).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 7 });
    expect((error as Error).message).toContain('users (a number)');
    expect((error as Error).message).toContain('protocol (a text)');
    await fs.writeFile(path.join(tmp, 'metrics.json'), '{not json');
    await expect(readMetrics(tmp)).rejects.toMatchObject({ exitCode: 7 });
  });
});

describe('checkStagingFolder', () => {
  it('refuses a folder that cannot be made (exit 6), naming the key', async () => {
    const file = path.join(tmp, 'a-file');
    await fs.writeFile(file, '');
    const staging = path.join(file, 'training_output');
    const error = await checkStagingFolder(staging).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaxrecError);
    expect(error).toMatchObject({ exitCode: 6 });
    const { message, hint } = error as MaxrecError;
    expect(message).toContain(staging);
    expect(message).toContain('process.0.params.staging_dir');
    expect(message).toContain('ENOTDIR');
    expect(hint).toContain('process.0.params.staging_dir');
  });

  it('leaves no trace of a folder it could make and write', async () => {
    const staging = path.join(tmp, 'deep', 'training_output');
    await checkStagingFolder(staging);
    expect(await fs.readdir(tmp)).toEqual([]);
    await fs.mkdir(staging, { recursive: true });
    await checkStagingFolder(staging);
    expect(await fs.readdir(staging)).toEqual([]);
  });
});
