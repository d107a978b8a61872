/**
 * Which file of a data folder holds the interactions: by its name, then by
 * how its first lines look (user, item and a value per line), then by size.
 * A folder such as Last.fm's holds a bigger catalogue (artists.dat) beside
 * the interactions (user_artists.dat): size alone picks the wrong one.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, MaxrecError } from '../core/errors.js';
import {
  detectHeader,
  isNumeric,
  roleOfName,
  sniffDelimiter,
  splitLine,
} from './delimited-text.js';

const DATA_EXTENSIONS = ['.csv', '.dat', '.data', '.tsv', '.txt'];
/** Enough of a file to see its columns. */
const SNIFF_BYTES = 64 << 10;
const SNIFF_LINES = 50;
/** Files whose first lines are read, largest first; the rest by size. */
const MAX_SNIFFED_FILES = 40;

interface DataFile {
  /** Relative to the folder, with '/' between folders. */
  relative: string;
  bytes: number;
}

/** How a file's lines look: 2 user, item, value; 1 user, item; 0 neither. */
export type InteractionShape = 0 | 1 | 2;

/**
 * The ratings file inside `folder`: `data/ratings.*` or `ratings.*` when
 * there; else the file that looks most like interactions (its name says
 * rating, interaction or user_, its columns are user, item and a value),
 * the largest of equals. Throws MaxrecError (exit 4) when there is none.
 */
export async function findRatingsFile(folder: string): Promise<string> {
  const files = await listDataFiles(folder, 3);
  const preferred =
    files.find(({ relative }) => /^data\/ratings\.\w+$/i.test(relative)) ??
    files.find(({ relative }) => /^ratings\.\w+$/i.test(relative));
  const chosen = preferred ?? (await ranked(folder, files))[0];
  if (!chosen) {
    throw new MaxrecError(
      ExitCode.data,
      `No ratings file found in ${folder}.`,
      {
        hint:
          `Put the file at ${path.join(folder, 'data', 'ratings.csv')}, ` +
          'or pick the file itself.',
      },
    );
  }
  return path.join(folder, chosen.relative);
}

/**
 * Another file beside `file` that looks like interactions, for the hint
 * when `file` cannot be used; undefined when none does.
 */
export async function likelyRatingsFileBeside(
  file: string,
): Promise<string | undefined> {
  const folder = path.dirname(file);
  const others = (await listDataFiles(folder, 0).catch(() => [])).filter(
    ({ relative }) => relative !== path.basename(file),
  );
  for (const candidate of await ranked(folder, others)) {
    const full = path.join(folder, candidate.relative);
    const shape = await interactionShape(full);
    if (shape === 2 || (shape === 1 && nameScore(candidate.relative) > 0)) {
      return full;
    }
  }
  return undefined;
}

/** `files` best first: name and shape, then size. */
async function ranked(folder: string, files: DataFile[]): Promise<DataFile[]> {
  const bySize = [...files].sort((a, b) => b.bytes - a.bytes);
  const scored = await Promise.all(
    bySize.map(async (file, i) => {
      const shape =
        i < MAX_SNIFFED_FILES
          ? await interactionShape(path.join(folder, file.relative))
          : 0;
      return { file, score: 2 * shape + nameScore(file.relative) };
    }),
  );
  // A stable sort: equal scores stay largest first.
  return scored.sort((a, b) => b.score - a.score).map(({ file }) => file);
}

function nameScore(relative: string): number {
  const name = path.posix.basename(relative);
  if (/rating|interaction/i.test(name)) return 2;
  return /^user_/i.test(name) ? 1 : 0;
}

/**
 * How the first lines of `file` look. With a header that names columns,
 * it must name user and item (a value when it names a rating, weight,
 * count...); without one, the first two fields must be ids (no spaces)
 * and a third, when there, a number.
 */
export async function interactionShape(
  file: string,
): Promise<InteractionShape> {
  const lines = await firstLines(file);
  const sniffed = sniffDelimiter(lines);
  if (!sniffed || sniffed.fields < 2) return 0;
  const rows = lines.map((line) => splitLine(line, sniffed.delimiter));
  const header = detectHeader(rows) ? rows[0] : undefined;
  const roles = new Set(header?.map(roleOfName).filter(Boolean));
  if (roles.size > 0) {
    if (!roles.has('user') || !roles.has('item')) return 0;
    return roles.has('rating') ? 2 : 1;
  }
  const data = header ? rows.slice(1) : rows;
  if (data.length === 0) return 0;
  const most = (test: (row: string[]) => boolean): boolean =>
    data.filter(test).length >= 0.8 * data.length;
  const isId = (field: string | undefined): boolean =>
    field !== undefined && /^\S{1,64}$/.test(field.trim());
  if (!most((row) => isId(row[0]) && isId(row[1]))) return 0;
  if (sniffed.fields === 2) return 1;
  return most((row) => isNumeric(row[2] ?? '')) ? 2 : 0;
}

async function firstLines(file: string): Promise<string[]> {
  const handle = await fs.open(file, 'r').catch(() => undefined);
  if (!handle) return [];
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    const text = buffer.subarray(0, bytesRead).toString('latin1');
    const lines = text.replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '').split('\n');
    // The last line may be cut where the read stopped.
    if (bytesRead === SNIFF_BYTES) lines.pop();
    return lines
      .map((line) => line.replace(/\r$/, ''))
      .filter((line) => line.trim() !== '')
      .slice(0, SNIFF_LINES);
  } finally {
    await handle.close();
  }
}

async function listDataFiles(
  folder: string,
  depth: number,
  prefix = '',
): Promise<DataFile[]> {
  const entries = await fs.readdir(path.join(folder, prefix), {
    withFileTypes: true,
  });
  const found: DataFile[] = [];
  for (const entry of entries) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    if (entry.isDirectory() && depth > 0) {
      found.push(...(await listDataFiles(folder, depth - 1, relative)));
    } else if (
      entry.isFile() &&
      DATA_EXTENSIONS.includes(path.extname(entry.name).toLowerCase()) &&
      !/^readme/i.test(entry.name)
    ) {
      const { size } = await fs.stat(path.join(folder, relative));
      found.push({ relative, bytes: size });
    }
  }
  return found;
}

/** Whether `target` is named like a data file rather than a folder. */
export function hasDataExtension(target: string): boolean {
  return DATA_EXTENSIONS.includes(path.extname(target).toLowerCase());
}
