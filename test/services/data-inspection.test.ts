import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaxrecError } from '../../src/core/errors.js';
import {
  createDataInspector,
  inspectData,
  inspectionError,
} from '../../src/services/data-inspection.js';
import { repoRoot, sharedData } from '../helpers/cli.js';

const shared = (relative: string): string => path.resolve(sharedData, relative);

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-inspect-'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function tmpFile(name: string, content: string | Buffer) {
  const file = path.join(dir, name);
  await fs.writeFile(file, content);
  return file;
}

describe('inspecting the shared data sets', () => {
  it('ml-100k/u.data: tab, no header', async () => {
    const progress: number[] = [];
    const result = await inspectData(shared('ml-100k/u.data'), {
      onProgress: (done) => progress.push(done),
    });
    expect(result).toMatchObject({
      delimiter: '\t',
      hasHeader: false,
      encoding: 'utf-8',
      columns: ['column 1', 'column 2', 'column 3', 'column 4'],
      roles: { user: 0, item: 1, rating: 2, time: 3 },
      users: 943,
      items: 1682,
      interactions: 100000,
      rows: 100000,
      duplicates: 0,
      singleInteractionUsers: 0,
      errors: [],
    });
    expect(result.preview[0]).toEqual(['196', '242', '3', '881250949']);
    expect(result.preview).toHaveLength(5);
    expect(progress.at(-1)).toBe(result.bytes);
  });

  it('ml-latest-small/ratings.csv: comma, header', async () => {
    const result = await inspectData(shared('ml-latest-small/ratings.csv'), {});
    expect(result).toMatchObject({
      delimiter: ',',
      hasHeader: true,
      columns: ['userId', 'movieId', 'rating', 'timestamp'],
      roles: { user: 0, item: 1, rating: 2, time: 3 },
      users: 610,
      items: 9724,
      interactions: 100836,
      rows: 100836,
      errors: [],
    });
  });

  it('book-crossing-slice: semicolon, quoted, CRLF, string ids', async () => {
    const result = await inspectData(
      shared('book-crossing-slice/BX-Book-Ratings.csv'),
      {},
    );
    expect(result).toMatchObject({
      delimiter: ';',
      hasHeader: false,
      roles: { user: 0, item: 1, rating: 2 },
      // 39,267 line ends; the last line has none.
      rows: 39268,
      errors: [],
    });
    expect(result.preview[0]).toEqual(['43842', '0739432540', '0']);
    expect(result.users).toBeGreaterThan(100);
    expect(result.items).toBeGreaterThan(1000);
  });

  it('lastfm user_artists.dat: tab, CRLF, play counts', async () => {
    const result = await inspectData(
      shared('lastfm-hetrec2011-2k/user_artists.dat'),
      {},
    );
    expect(result).toMatchObject({
      delimiter: '\t',
      hasHeader: false,
      columns: ['column 1', 'column 2', 'column 3'],
      roles: { user: 0, item: 1, rating: 2 },
      rows: 92834,
      users: 1892,
      errors: [],
    });
    expect(result.preview[0]).toEqual(['2', '51', '13883']);
  });

  it('sample_training_data/: a folder, picking data/ratings.csv', async () => {
    const result = await inspectData(
      path.join(repoRoot, 'sample_training_data'),
      {},
    );
    expect(result.file).toBe(
      path.join(repoRoot, 'sample_training_data/data/ratings.csv'),
    );
    expect(result).toMatchObject({ users: 610, interactions: 100836 });
  });

  it('a folder without data/ratings.*: the largest data file', async () => {
    const result = await inspectData(shared('ml-100k'), {});
    expect(result.file).toBe(shared('ml-100k/u.data'));
  });

  it('a Last.fm folder: user_artists.dat, not the bigger artists.dat', async () => {
    const result = await inspectData(shared('lastfm-hetrec2011-2k'), {});
    expect(result.file).toBe(shared('lastfm-hetrec2011-2k/user_artists.dat'));
    expect(result.errors).toEqual([]);
  });

  it('names a file of the same folder that would do', async () => {
    const result = await inspectData(
      shared('lastfm-hetrec2011-2k/artists.dat'),
      {},
    );
    expect(result.errors[0]?.message).toMatch(/no user has 2/);
    expect(result.warnings[0]?.message).toBe(
      'user_artists.dat in the same folder looks like interactions: pick it.',
    );
    expect(inspectionError(result)?.hint).toContain(
      'user_artists.dat in the same folder looks like interactions',
    );
  });

  it('other shared folders keep their ratings file', async () => {
    for (const [folder, file] of [
      ['ml-latest-small', 'ratings.csv'],
      ['book-crossing-slice', 'BX-Book-Ratings.csv'],
    ]) {
      const result = await inspectData(shared(folder!), {});
      expect(result.file).toBe(shared(`${folder}/${file}`));
    }
  });

  it('estimates counts past the exact limit', async () => {
    const inspector = createDataInspector({ exactLimit: 20_000 });
    const result = await inspector.inspect(shared('ml-100k/u.data'), {});
    expect(result.users).toBeGreaterThan(943 * 0.95);
    expect(result.users).toBeLessThan(943 * 1.05);
    expect(result.items).toBeGreaterThan(1682 * 0.95);
    expect(result.items).toBeLessThan(1682 * 1.05);
    expect(result.interactions).toBeGreaterThan(95_000);
    expect(result.interactions).toBeLessThanOrEqual(100_000);
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.message).join()).toMatch(/estimates/);
  });
});

describe('what real files look like', () => {
  it('handles a BOM, CRLF, quotes, duplicates and Latin-1', async () => {
    const latin1 = Buffer.from(
      '\ufeffuser_id,item,score\r\n' +
        '"u1","caf\u00e9, le",5\r\n' +
        'u1,b,3\r\n' +
        'u2,b,4\r\n' +
        'u2,b,4\r\n' +
        'u3,a,1\r\n',
      'latin1',
    );
    // Write a real UTF-8 BOM followed by Latin-1 bytes after it.
    const file = await tmpFile(
      'latin.csv',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), latin1.subarray(1)]),
    );
    const result = await inspectData(file, {});
    expect(result).toMatchObject({
      delimiter: ',',
      hasHeader: true,
      encoding: 'latin-1',
      columns: ['user_id', 'item', 'score'],
      roles: { user: 0, item: 1, rating: 2 },
      rows: 5,
      users: 3,
      items: 3,
      interactions: 4,
      duplicates: 1,
      singleInteractionUsers: 2,
      errors: [],
    });
    expect(result.preview[0]).toEqual(['u1', 'caf\u00e9, le', '5']);
  });

  it('decodes UTF-8 ids and names', async () => {
    const file = await tmpFile(
      'utf8.tsv',
      'user\titem\nj\u00fcrgen\t\u00e9t\u00e9\nj\u00fcrgen\tb\n',
    );
    const result = await inspectData(file, {});
    expect(result.encoding).toBe('utf-8');
    expect(result.preview[0]).toEqual(['j\u00fcrgen', '\u00e9t\u00e9']);
    expect(result.roles).toEqual({ user: 0, item: 1 });
  });

  it.each([
    ['1::10::5::978300760\n1::11::3::978300761\n2::10::4::978300762\n', '::'],
    ['1|10|5\n1|11|3\n2|10|4\n', '|'],
    ['1 10 5\n1 11 3\n2  10  4\n', ' '],
  ])('sniffs %j', async (content, delimiter) => {
    const result = await inspectData(await tmpFile('d.txt', content), {});
    expect(result.delimiter).toBe(delimiter);
    expect(result.errors).toEqual([]);
    expect(result.users).toBe(2);
  });

  it('keeps ids distinct as written: 7, 07 and long string ids', async () => {
    const long = 'x'.repeat(40);
    const file = await tmpFile(
      'ids.csv',
      ['7,1', '07,1', '007,1', '7,2', `${long},1`, `${long},2`, `${long},2`]
        .map((line) => `${line},5`)
        .join('\n'),
    );
    const result = await inspectData(file, {});
    expect(result).toMatchObject({
      users: 4,
      items: 2,
      interactions: 6,
      duplicates: 1,
      singleInteractionUsers: 2,
    });
  });

  it('estimates string ids too', async () => {
    const result = await inspectData(
      shared('book-crossing-slice/BX-Book-Ratings.csv'),
      { exactLimit: 5000 },
    );
    const exact = await inspectData(
      shared('book-crossing-slice/BX-Book-Ratings.csv'),
      {},
    );
    for (const key of ['users', 'items', 'interactions'] as const) {
      expect(result[key]).toBeGreaterThan(exact[key] * 0.95);
      expect(result[key]).toBeLessThan(exact[key] * 1.05);
    }
  });

  it('accepts a forced delimiter in its typed form', async () => {
    const file = await tmpFile('tabs.txt', '1\t10\t5\n1\t11\t3\n2\t10\t4\n');
    const result = await inspectData(file, { delimiter: '\\t' });
    expect(result.delimiter).toBe('\t');
    expect(result.errors).toEqual([]);
  });
});

describe('files the trainer rejects', () => {
  async function errorsOf(name: string, content: string | Buffer) {
    const result = await inspectData(await tmpFile(name, content), {});
    return result.errors;
  }

  it('throws for a missing file', async () => {
    const error: unknown = await inspectData(
      path.join(dir, 'nope.csv'),
      {},
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaxrecError);
    expect((error as MaxrecError).exitCode).toBe(4);
  });

  it('a missing folder is called a folder, a missing file a file', async () => {
    await expect(inspectData(path.join(dir, 'no-folder'), {})).rejects.toThrow(
      /^The data folder .*no-folder does not exist/,
    );
    await expect(inspectData(path.join(dir, 'no.dat'), {})).rejects.toThrow(
      /^The data file .*no\.dat does not exist/,
    );
  });

  it('picks by name and columns in a folder of several files', async () => {
    const folder = path.join(dir, 'several');
    await fs.mkdir(folder, { recursive: true });
    const catalogue = Array.from(
      { length: 400 },
      (_, i) => `${i}\tArtist number ${i}\thttp://example.com/${i}`,
    );
    await fs.writeFile(
      path.join(folder, 'catalogue.dat'),
      ['id\tname\turl', ...catalogue].join('\n'),
    );
    await fs.writeFile(
      path.join(folder, 'plays.dat'),
      '1\t10\t5\n1\t11\t3\n2\t10\t1\n',
    );
    const result = await inspectData(folder, {});
    expect(result.file).toBe(path.join(folder, 'plays.dat'));
  });

  it('throws for a folder without a data file', async () => {
    const empty = path.join(dir, 'empty-folder');
    await fs.mkdir(empty, { recursive: true });
    await fs.writeFile(path.join(empty, 'README.txt'), 'hello');
    await expect(inspectData(empty, {})).rejects.toMatchObject({ exitCode: 4 });
  });

  it.each([
    ['empty.csv', '', /empty/],
    ['blank.csv', '\n\n  \n', /empty/],
    ['binary.csv', Buffer.from([1, 2, 0, 3, 44, 10]), /binary/],
    ['single.csv', 'a\nb\nc\n', /single column/],
    ['header-only.csv', 'userId,movieId,rating\n', /no data rows/],
    ['one-item.csv', '1,10,5\n1,10,4\n2,10,3\n', /1 item/],
    ['no-two.csv', '1,10,5\n2,11,4\n3,12,3\n', /no user has 2/],
  ])('%s', async (name, content, expected) => {
    const errors = await errorsOf(name, content);
    expect(errors.map((e) => e.message).join('\n')).toMatch(expected);
  });

  it('names the line of a non-numeric rating', async () => {
    const errors = await errorsOf(
      'bad-rating.csv',
      'user,item,rating\n1,10,5\n1,11,4\n2,10,good\n2,11,bad\n',
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 4 });
    expect(errors[0]?.message).toMatch(/"good" is not a number.*1 more/);
  });

  it('reports a forced delimiter that splits no line', async () => {
    const file = await tmpFile('comma.csv', '1,10,5\n1,11,4\n2,10,3\n');
    const result = await inspectData(file, { delimiter: ';' });
    expect(result.errors[0]?.message).toMatch(/splits no line.*","/);
    const error = inspectionError(result);
    expect(error?.exitCode).toBe(4);
    expect(error?.message).toContain(file);
  });

  it('stops reading when aborted', async () => {
    const big = await tmpFile(
      'big.csv',
      Array.from({ length: 400_000 }, (_, i) => `${i % 1000},${i},5`).join(
        '\n',
      ),
    );
    const controller = new AbortController();
    let calls = 0;
    const promise = inspectData(big, {
      signal: controller.signal,
      onProgress: () => {
        calls += 1;
        controller.abort();
      },
    });
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toBe(1);
  });
});
