/**
 * Reading lines of a delimited ratings file: splitting with quotes, sniffing
 * the delimiter, telling a header from data, and naming the columns' roles.
 * Pure functions on strings, used by the data inspection.
 */
import type { ColumnRole } from '../core/types.js';

/** Candidates in order of preference when two split equally well. */
export const DELIMITER_CANDIDATES = ['::', '\t', ',', ';', '|', ' '] as const;

const QUOTE = 34;
const SPACE = 32;

/**
 * Split one line into fields. Fields may be quoted with `"` (`""` inside
 * stands for a quote). A space delimiter treats a run of spaces as one.
 * `limit` caps the number of fields returned (quoted lines return all).
 * A quoted field spanning lines is not joined: ratings files do not have
 * them, and a stray quote then spoils one line, not the rest of the file.
 */
export function splitLine(
  line: string,
  delimiter: string,
  limit?: number,
): string[] {
  const spaces = delimiter === ' ';
  const text = spaces ? line.trim() : line;
  if (!text.includes('"')) {
    return spaces ? text.split(/ +/, limit) : text.split(delimiter, limit);
  }
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let value = '';
    if (text.charCodeAt(i) === QUOTE) {
      let j = i + 1;
      for (;;) {
        const close = text.indexOf('"', j);
        if (close < 0) {
          value += text.slice(j);
          i = text.length;
          break;
        }
        value += text.slice(j, close);
        if (text.charCodeAt(close + 1) === QUOTE) {
          value += '"';
          j = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
    }
    const next = text.indexOf(delimiter, i);
    if (next < 0) {
      fields.push(value + text.slice(i));
      return fields;
    }
    fields.push(value + text.slice(i, next));
    i = next + delimiter.length;
    if (spaces) while (text.charCodeAt(i) === SPACE) i += 1;
  }
}

/** Whether a field holds a number (ratings, times, numeric ids). */
export function isNumeric(field: string): boolean {
  const trimmed = field.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed));
}

export interface SniffResult {
  delimiter: string;
  /** The field count most lines have. */
  fields: number;
  /** Share of lines with that field count, 0..1. */
  consistency: number;
}

/**
 * The delimiter that splits `lines` into the most consistent field count
 * above one; undefined when none splits any line.
 */
export function sniffDelimiter(lines: string[]): SniffResult | undefined {
  let best: SniffResult | undefined;
  for (const delimiter of DELIMITER_CANDIDATES) {
    const result = measureDelimiter(lines, delimiter);
    if (result && (!best || result.consistency > best.consistency)) {
      best = result;
    }
  }
  return best;
}

/** How consistently `delimiter` splits `lines`; undefined if never. */
export function measureDelimiter(
  lines: string[],
  delimiter: string,
): SniffResult | undefined {
  const counts = new Map<number, number>();
  for (const line of lines) {
    const n = splitLine(line, delimiter).length;
    if (n > 1) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  let fields = 0;
  let lineCount = 0;
  for (const [n, count] of counts) {
    if (count > lineCount || (count === lineCount && n > fields)) {
      fields = n;
      lineCount = count;
    }
  }
  if (fields === 0) return undefined;
  return { delimiter, fields, consistency: lineCount / lines.length };
}

const ROLE_NAMES: [ColumnRole, RegExp][] = [
  [
    'user',
    /^(user|users|userid|uid|useridx|customer|customerid|visitorid|memberid|reviewerid)$/,
  ],
  [
    'item',
    new RegExp(
      '^(item|items|itemid|iid|movie|movieid|artist|artistid|isbn|book|' +
        'bookid|product|productid|asin|song|songid|track|trackid|sku|' +
        'businessid|animeid|gameid|recipeid)$',
    ),
  ],
  [
    'rating',
    /^(rating|ratings|bookrating|score|stars|weight|playcount|plays|count|value|preference)$/,
  ],
  [
    'time',
    /^(timestamp|time|date|datetime|ts|unixtime|unixreviewtime|ratedat|createdat)$/,
  ],
];

/** The role a header name stands for, if it is a known one. */
export function roleOfName(name: string): ColumnRole | undefined {
  const normalized = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return ROLE_NAMES.find(([, pattern]) => pattern.test(normalized))?.[0];
}

/**
 * Whether the first row is a header: it names a known column, or it is
 * text in every column that is numeric in all the rows after it.
 */
export function detectHeader(rows: string[][]): boolean {
  const [first, ...rest] = rows;
  if (!first) return false;
  if (first.some((field) => !isNumeric(field) && roleOfName(field))) {
    return true;
  }
  if (rest.length === 0) return false;
  const numericColumns = first
    .map((_, column) => column)
    .filter((column) =>
      rest.every((row) => row[column] !== undefined && isNumeric(row[column])),
    );
  return (
    numericColumns.length > 0 &&
    numericColumns.every((column) => !isNumeric(first[column] ?? ''))
  );
}

/**
 * Which column is user, item, rating and time: by header names where they
 * are known, else by position (user, item, then rating and time when
 * numeric in most sample rows).
 */
export function assignRoles(
  header: string[] | undefined,
  sampleRows: string[][],
  columnCount: number,
): Partial<Record<ColumnRole, number>> {
  const roles: Partial<Record<ColumnRole, number>> = {};
  const taken = new Set<number>();
  header?.forEach((name, column) => {
    const role = roleOfName(name);
    if (role && roles[role] === undefined) {
      roles[role] = column;
      taken.add(column);
    }
  });
  const named = new Set(
    header
      ?.map((name, column) => (roleOfName(name) ? column : -1))
      .filter((column) => column >= 0),
  );
  const mostlyNumeric = (column: number): boolean =>
    sampleRows.length > 0 &&
    sampleRows.filter((row) => isNumeric(row[column] ?? '')).length >=
      0.8 * sampleRows.length;
  const positions: [ColumnRole, number, boolean][] = [
    ['user', 0, false],
    ['item', 1, false],
    ['rating', 2, true],
    ['time', 3, true],
  ];
  for (const [role, column, numeric] of positions) {
    if (roles[role] !== undefined || column >= columnCount) continue;
    if (taken.has(column) || named.has(column)) continue;
    if (numeric && !mostlyNumeric(column)) continue;
    roles[role] = column;
    taken.add(column);
  }
  return roles;
}
