import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MaxrecError } from '../../src/core/errors.js';
import { LocalStorage } from '../../src/services/local/local-storage.js';
import { resolveDataDirectory } from '../../src/services/paths.js';
import type { TransferProgress } from '../../src/services/types.js';

let tmp: string;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-storage-'));
});

afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function makeTree(files: Record<string, string | Buffer>) {
  const dir = path.join(tmp, 'source');
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
  return dir;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

describe('resolveDataDirectory', () => {
  it('prefers the config root, then MAXREC_HOME, then the platform', () => {
    const env = { MAXREC_HOME: '/srv/maxrec', HOME: '/home/u' };
    expect(
      resolveDataDirectory({ configRoot: 'data', baseDir: '/p', env }),
    ).toBe('/p/data');
    expect(resolveDataDirectory({ configRoot: '', env })).toBe('/srv/maxrec');
    expect(resolveDataDirectory({ configRoot: '~/m', env })).toBe('/home/u/m');
    expect(resolveDataDirectory({ env: {} })).toMatch(/maxrec$/);
  });
});

describe('LocalStorage', () => {
  it('uploads a folder tree with progress, lists and downloads it', async () => {
    const source = await makeTree({
      'data/ratings.csv': 'u,i,r\n1,2,3\n',
      'README.txt': 'hello',
      'skip/me.txt': 'no',
    });
    const storage = new LocalStorage(tmp);
    const progress: TransferProgress[] = [];
    const uploaded = await storage.upload(source, 'data-bucket', 'p', {
      skip: (relative) => relative.startsWith('skip'),
      onProgress: (p) => progress.push(p),
    });
    expect(uploaded.map((o) => o.key)).toEqual([
      'p/README.txt',
      'p/data/ratings.csv',
    ]);
    const last = progress.at(-1);
    expect(last).toMatchObject({ filesDone: 2, filesTotal: 2 });
    expect(last?.bytesDone).toBe(last?.bytesTotal);
    expect(await storage.listObjects('data-bucket', 'p/data')).toEqual([
      { key: 'p/data/ratings.csv', bytes: 12 },
    ]);

    const target = path.join(tmp, 'out', 'r.csv');
    await storage.download('data-bucket', 'p/data/ratings.csv', target, {});
    expect(await fs.readFile(target, 'utf8')).toBe('u,i,r\n1,2,3\n');

    await storage.deleteObjects('data-bucket', ['p/data/ratings.csv']);
    expect(await storage.listObjects('data-bucket')).toEqual([
      { key: 'p/README.txt', bytes: 5 },
    ]);
  });

  it('uploads a single file under the prefix', async () => {
    const source = await makeTree({ 'ratings.csv': 'a' });
    const storage = new LocalStorage(tmp);
    const uploaded = await storage.upload(
      path.join(source, 'ratings.csv'),
      'b',
      'run-1/',
      {},
    );
    expect(uploaded).toEqual([{ key: 'run-1/ratings.csv', bytes: 1 }]);
  });

  it('throttles progress to about ten callbacks a second', async () => {
    const source = await makeTree({ 'big.bin': Buffer.alloc(8 << 20, 1) });
    const calls: number[] = [];
    const started = performance.now();
    await new LocalStorage(tmp).upload(source, 'b', '', {
      onProgress: () => calls.push(performance.now()),
    });
    const seconds = (performance.now() - started) / 1000;
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
  });

  it('stops on abort, removes the partial object, keeps earlier ones', async () => {
    const size = 4 << 20;
    const source = await makeTree({
      'a.bin': Buffer.alloc(size, 1),
      'b.bin': Buffer.alloc(size, 2),
      'c.bin': Buffer.alloc(size, 3),
    });
    const storage = new LocalStorage(tmp, { progressIntervalMs: 0 });
    const controller = new AbortController();
    const upload = storage.upload(source, 'b', '', {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesDone > size + 65536) controller.abort();
      },
    });
    await expect(upload).rejects.toMatchObject({ name: 'AbortError' });
    const bucket = path.join(tmp, 'buckets', 'b');
    expect(await filesUnder(bucket)).toEqual(['a.bin']);
    expect((await fs.stat(path.join(bucket, 'a.bin'))).size).toBe(size);
  });

  it('refuses keys and bucket names that leave the bucket', async () => {
    const storage = new LocalStorage(tmp);
    for (const key of ['../x', 'a/../../x', '/etc/passwd', 'a\\..\\x', '']) {
      expect(() => storage.objectPath('b', key)).toThrow(MaxrecError);
    }
    expect(() => storage.bucketPath('..')).toThrow(MaxrecError);
    expect(() => storage.bucketPath('a/b')).toThrow(MaxrecError);
    expect(storage.objectPath('b', 'x/y.csv')).toBe(
      path.join(tmp, 'buckets', 'b', 'x', 'y.csv'),
    );
    const source = await makeTree({ 'f.txt': 'x' });
    await expect(
      storage.upload(source, 'b', '../escape', {}),
    ).rejects.toMatchObject({ exitCode: 3 });
  });

  it('reports a missing object as a download failure (exit 6)', async () => {
    const storage = new LocalStorage(tmp);
    await storage.ensureBucket('b');
    await expect(
      storage.download('b', 'nope.txt', path.join(tmp, 'x'), {}),
    ).rejects.toMatchObject({ exitCode: 6 });
  });

  it('reports an empty folder as having nothing to upload (exit 4)', async () => {
    await fs.mkdir(path.join(tmp, 'empty'));
    await expect(
      new LocalStorage(tmp).upload(path.join(tmp, 'empty'), 'b', '', {}),
    ).rejects.toMatchObject({ exitCode: 4 });
  });
});
