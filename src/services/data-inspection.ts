/**
 * The data inspection: what a ratings file holds and whether the trainer
 * can use it, found by streaming the file once, before anything is
 * uploaded. It rejects the same files train_ncf.py rejects with exit 4.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, MaxrecError } from '../core/errors.js';
import type { DataInspection, DataProblem } from '../core/types.js';
import {
  RatingsScan,
  abortError,
  type ScanOptions,
  type ScanResult,
} from './ratings-scan.js';
import {
  findRatingsFile,
  hasDataExtension,
  likelyRatingsFileBeside,
} from './ratings-file-choice.js';
import type { DataInspector } from './types.js';

export { findRatingsFile } from './ratings-file-choice.js';

export type InspectOptions = ScanOptions;

/** The DataInspector of services/types.ts. */
export function createDataInspector(
  defaults: Pick<InspectOptions, 'exactLimit'> = {},
): DataInspector {
  return {
    inspect: (target, options) =>
      inspectData(target, { ...defaults, ...options }),
  };
}

/**
 * Inspect a ratings file, or the ratings file inside a folder, streaming it
 * once. Throws MaxrecError (exit 4) when there is no file to read; problems
 * with its content are listed in `errors` (blocking) and `warnings`.
 * Rejects with an AbortError when `signal` aborts.
 */
export async function inspectData(
  target: string,
  options: InspectOptions = {},
): Promise<DataInspection> {
  if (options.signal?.aborted) throw abortError();
  const file = await resolveRatingsFile(target);
  const { size } = await fs.stat(file);
  const scan = new RatingsScan(file, size, options);
  await scan.run();
  const inspection = describeScan(file, size, scan.result());
  if (inspection.errors.length > 0) {
    // With errors there are no other warnings: this one is the hint.
    const other = await likelyRatingsFileBeside(file);
    if (other) inspection.warnings.unshift({ message: pickOther(other) });
  }
  return inspection;
}

/** The hint for another file of the same folder that would do. */
function pickOther(file: string): string {
  return `${path.basename(file)} in the same folder looks like interactions: pick it.`;
}

/** The first blocking problem as a MaxrecError (exit 4), if any. */
export function inspectionError(
  inspection: DataInspection,
): MaxrecError | undefined {
  const [first, ...rest] = inspection.errors;
  if (!first) return undefined;
  const at = first.line ? ` (line ${first.line})` : '';
  const more = rest.length > 0 ? ` ${rest.length} more problem(s) found.` : '';
  const other = inspection.warnings[0]?.message;
  return new MaxrecError(
    ExitCode.data,
    `${inspection.file} cannot be used for training: ${first.message}${at}.${more}`,
    {
      hint: other
        ? `${other} Nothing was uploaded.`
        : 'Fix the file, or choose another one; nothing was uploaded.',
    },
  );
}

async function resolveRatingsFile(target: string): Promise<string> {
  const absolute = path.resolve(target);
  let stat;
  try {
    stat = await fs.stat(absolute);
  } catch (error) {
    const what = hasDataExtension(absolute) ? 'data file' : 'data folder';
    throw new MaxrecError(
      ExitCode.data,
      `The ${what} ${absolute} does not exist or cannot be read.`,
      { hint: 'Check the path and try again.', cause: error },
    );
  }
  return stat.isDirectory() ? findRatingsFile(absolute) : absolute;
}

/** The scan's findings in the user's terms, with the problems found. */
function describeScan(
  file: string,
  bytes: number,
  scan: ScanResult,
): DataInspection {
  const decode = (field: string): string =>
    scan.utf8 ? Buffer.from(field, 'latin1').toString('utf8') : field;
  const { totals } = scan;
  const inspection: DataInspection = {
    file,
    bytes,
    delimiter: scan.delimiter,
    hasHeader: scan.header !== undefined,
    encoding: scan.utf8 ? 'utf-8' : 'latin-1',
    columns: scan.header
      ? scan.header.map(decode)
      : Array.from({ length: scan.columns }, (_, i) => `column ${i + 1}`),
    roles: scan.roles,
    users: totals.users,
    items: totals.items,
    interactions: totals.interactions,
    rows: scan.rows,
    duplicates: totals.duplicates,
    singleInteractionUsers: totals.singleInteractionUsers,
    preview: scan.preview.map((row) => row.map(decode)),
    errors: [...scan.errors],
    warnings: [],
  };
  if (inspection.errors.length === 0) {
    inspection.errors.push(...blockingProblems(scan));
  }
  if (inspection.errors.length === 0) {
    inspection.warnings.push(...warningsOf(scan, inspection));
  }
  return inspection;
}

/** What train_ncf.py would reject with exit 4. */
function blockingProblems(scan: ScanResult): DataProblem[] {
  const { totals, badRatings } = scan;
  if (scan.rows === 0) return [{ message: 'the file has no data rows' }];
  const problems: DataProblem[] = [];
  if (badRatings.count > 0) {
    const more =
      badRatings.count > 1
        ? ` (${badRatings.count - 1} more lines like it)`
        : '';
    problems.push({
      message: `the rating "${badRatings.value}" is not a number${more}`,
      line: badRatings.first,
    });
  }
  if (totals.items < 2) {
    problems.push({
      message: `the file has ${totals.items} item; training needs at least 2`,
    });
  }
  if (!totals.someUserHasTwo) {
    problems.push({
      message:
        'no user has 2 or more interactions, so nothing can be held out for evaluation',
    });
  }
  return problems;
}

function warningsOf(
  scan: ScanResult,
  inspection: DataInspection,
): DataProblem[] {
  const warnings: DataProblem[] = [];
  if (scan.totals.approximate) {
    warnings.push({
      message:
        'The file holds millions of distinct ids or pairs: the counts are estimates (about 1% off).',
    });
  }
  if (!scan.utf8) {
    warnings.push({
      message: 'The file is not UTF-8; it was read as Latin-1.',
    });
  }
  if (inspection.roles.rating === undefined) {
    warnings.push({
      message:
        'No rating column: every line counts as an interaction (implicit feedback).',
    });
  }
  if (scan.shortRows.count > 0) {
    warnings.push({
      message: `${scan.shortRows.count} line(s) lack a user or an item and will be skipped.`,
      line: scan.shortRows.first,
    });
  }
  if (inspection.duplicates > 0) {
    warnings.push({
      message: `${inspection.duplicates} duplicate (user, item) line(s); each pair counts once.`,
    });
  }
  if (inspection.singleInteractionUsers > 0) {
    warnings.push({
      message:
        inspection.singleInteractionUsers === 1
          ? '1 user has a single interaction: trained on, not evaluated.'
          : `${inspection.singleInteractionUsers} users have a single ` +
            'interaction: trained on, not evaluated.',
    });
  }
  return warnings;
}
