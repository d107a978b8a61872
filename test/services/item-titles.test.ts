/**
 * Item titles from the catalogue files of the real data sets in
 * ../shared/data (read there, never copied), and from small made-up ones.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readItemTitles } from '../../src/services/item-titles.js';
import { sharedData } from '../helpers/cli.js';

const shared = (relative: string): string => path.resolve(sharedData, relative);

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-titles-'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const known =
  (...ids: string[]) =>
  (id: string) =>
    ids.includes(id);

async function tmpFile(name: string, content: string | Buffer) {
  const file = path.join(dir, name);
  await fs.writeFile(file, content);
  return file;
}

describe('readItemTitles', () => {
  it("MovieLens 100K's u.item: '|', Latin-1, no header", async () => {
    const titles = await readItemTitles(
      shared('ml-100k/u.item'),
      known('1', '50', '543', '1682', '9999'),
    );
    expect(Object.fromEntries(titles)).toEqual({
      '1': 'Toy Story (1995)',
      '50': 'Star Wars (1977)',
      '543': 'Misérables, Les (1995)',
      '1682': 'Scream of Stone (Schrei aus Stein) (1991)',
    });
  });

  it("ml-latest-small's movies.csv: ',', UTF-8, quoted titles, a header", async () => {
    const titles = await readItemTitles(
      shared('ml-latest-small/movies.csv'),
      known('1', '11', '73'),
    );
    expect(Object.fromEntries(titles)).toEqual({
      '1': 'Toy Story (1995)',
      '11': 'American President, The (1995)',
      '73': 'Misérables, Les (1995)',
    });
  });

  it("Last.fm's artists.dat: tab, header id and name", async () => {
    const titles = await readItemTitles(
      shared('lastfm-hetrec2011-2k/artists.dat'),
      known('18', '89', 'id'),
    );
    expect(Object.fromEntries(titles)).toEqual({
      '18': 'The Crüxshadows',
      '89': 'Lady Gaga',
    });
  });

  it('finds the id and title columns by name, wherever they are', async () => {
    const file = await tmpFile(
      'books.csv',
      '\uFEFFyear;title;item_id\r\n1999;"Dune; the book";b-1\r\n2001;Emma;b-2\r\n',
    );
    const titles = await readItemTitles(file, known('b-1', 'b-2'));
    expect(Object.fromEntries(titles)).toEqual({
      'b-1': 'Dune; the book',
      'b-2': 'Emma',
    });
  });

  it('decodes non-ASCII ids as the trainer does (Latin-1 here)', async () => {
    const file = await tmpFile(
      'latin1.dat',
      Buffer.from('café::A café\nthé::Tea\n', 'latin1'),
    );
    const titles = await readItemTitles(file, known('café'));
    expect(Object.fromEntries(titles)).toEqual({ café: 'A café' });
  });

  it('refuses a file of one column, saying titles need an id and a title', async () => {
    const file = await tmpFile('one.txt', 'Heat\nJumanji\n');
    await expect(readItemTitles(file, known('1'))).rejects.toThrow(
      /single column.*id and a title/,
    );
  });
});
