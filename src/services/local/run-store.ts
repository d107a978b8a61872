/**
 * The local backend's runs on disk, one folder each under `<root>/runs/`:
 * `run.json` (the record), `training-log.txt`, `code/`, `results/`, and the
 * `exit-code` and `cancelled` files that outlive the app.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { ExitCode, MaxrecError } from '../../core/errors.js';
import { RunNotFoundError } from '../../core/journey.js';
import type { RunSnapshot, RunStatus } from '../../core/types.js';
import { errorCode } from '../fs-errors.js';
import { runsDirectory } from '../paths.js';

/** What `run.json` holds. Times are milliseconds since the epoch. */
export interface LocalRunRecord {
  id: string;
  name: string;
  status: RunStatus;
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  exitCode?: number | null;
  reason?: string;
  /** The wrapper shell, leader of the run's process group. */
  pid?: number;
  pgid?: number;
  /** Start time of `pid` from /proc (Linux), to tell it from a reused pid. */
  processStartTime?: string;
  command: string;
  dataDir: string;
  resultDir: string;
  resultsBucket: string;
  /** Set once the log and archive were copied into the results bucket. */
  resultsCollected?: boolean;
}

/** The files of one run. */
export interface RunPaths {
  dir: string;
  record: string;
  log: string;
  code: string;
  results: string;
  exitCode: string;
  cancelled: string;
}

const RUN_ID = /^train-\d{8}-\d{6}-[0-9a-f]{4}$/;

/** Paths of a run's files; throws (exit 1) for a malformed id. */
export function runPaths(root: string, id: string): RunPaths {
  if (!RUN_ID.test(id)) throw unknownRun(id, root);
  const dir = path.join(runsDirectory(root), id);
  return {
    dir,
    record: path.join(dir, 'run.json'),
    log: path.join(dir, 'training-log.txt'),
    code: path.join(dir, 'code'),
    results: path.join(dir, 'results'),
    exitCode: path.join(dir, 'exit-code'),
    cancelled: path.join(dir, 'cancelled'),
  };
}

/** A new id that sorts by creation time, e.g. `train-20261203-161500-ab12`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-');
  return `train-${stamp.slice(0, 15)}-${randomBytes(2).toString('hex')}`;
}

/** Create the folder of a new run, choosing an id no other run has. */
export async function createRunFolder(
  root: string,
): Promise<{ id: string; paths: RunPaths }> {
  await fs.mkdir(runsDirectory(root), { recursive: true });
  for (;;) {
    const id = newRunId();
    const paths = runPaths(root, id);
    try {
      await fs.mkdir(paths.dir);
      return { id, paths };
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
  }
}

/** The record of run `id`; throws (exit 1) when there is none. */
export async function readRunRecord(
  root: string,
  id: string,
): Promise<LocalRunRecord> {
  const { record } = runPaths(root, id);
  let text: string;
  try {
    text = await fs.readFile(record, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw unknownRun(id, root);
    throw error;
  }
  try {
    return JSON.parse(text) as LocalRunRecord;
  } catch (error) {
    throw new MaxrecError(
      ExitCode.invocation,
      `The record of training run ${id} is damaged (${record}).`,
      { hint: 'Delete that run folder, or start a new run.', cause: error },
    );
  }
}

/** Write `run.json` atomically: readers see the old or the new record. */
export async function writeRunRecord(
  root: string,
  record: LocalRunRecord,
): Promise<void> {
  const { record: file } = runPaths(root, record.id);
  await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** Ids of every run under `root`, most recent first. */
export async function listRunIds(root: string): Promise<string[]> {
  const names = await fs.readdir(runsDirectory(root)).catch(() => []);
  return names
    .filter((name) => RUN_ID.test(name))
    .sort()
    .reverse();
}

/** What the app sees of a run record. */
export function snapshotOf(record: LocalRunRecord): RunSnapshot {
  const snapshot: RunSnapshot = { id: record.id, status: record.status };
  if (record.startedAt !== undefined) snapshot.startedAt = record.startedAt;
  if (record.endedAt !== undefined) snapshot.endedAt = record.endedAt;
  if (record.exitCode !== undefined) snapshot.exitCode = record.exitCode;
  if (record.reason !== undefined) snapshot.reason = record.reason;
  return snapshot;
}

/**
 * The error for an id with no run, as the original said it, with where this
 * machine's runs can be seen.
 */
export function unknownRun(id: string, root?: string): RunNotFoundError {
  const where = root
    ? `look for it in ${runsDirectory(root)}`
    : 'see your recent runs on the home screen of `maxrec`';
  return new RunNotFoundError(
    id,
    `unknown training id ${id}: this machine has no run folder for it.`,
    `Start a new training, or ${where}.`,
  );
}
