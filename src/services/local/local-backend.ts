/**
 * The local backend: training runs as detached process groups on this
 * machine, each with its state on disk so that any later app instance can
 * follow, cancel or collect it by id, also after this one was closed.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ExitCode, MaxrecError, isAbortError } from '../../core/errors.js';
import { isFinal } from '../../core/types.js';
import type { RunSnapshot } from '../../core/types.js';
import { reasonOf } from '../fs-errors.js';
import type { RunRequest, RunResults, TrainingBackend } from '../types.js';
import { followRun } from './follow-run.js';
import type { FollowHandlers } from './follow-run.js';
import { failureReasonFromLog, killedReason } from './log-tail.js';
import { LocalStorage } from './local-storage.js';
import {
  isProcessAlive,
  processStartTime,
  signalGroup,
  waitForGroupExit,
} from './process-state.js';
import {
  createRunFolder,
  listRunIds,
  readRunRecord,
  runPaths,
  snapshotOf,
  writeRunRecord,
} from './run-store.js';
import type { LocalRunRecord } from './run-store.js';
import { spawnTraining } from './spawn-training.js';
import { unpackCode } from './unpack-code.js';

const run = promisify(execFile);

const STARTING_GRACE_MS = 5 * 60 * 1000;

/** Why a run whose process vanished without an exit code failed. */
export const DIED_REASON = 'the training process died (killed from outside?)';

/** Settings of the local backend. */
export interface LocalBackendOptions {
  /** The app's data directory (see paths.ts). */
  root: string;
  /** The Python that trains (a virtual environment's); its folder leads PATH. */
  python?: string;
  /** Time between SIGTERM and SIGKILL on cancel. */
  cancelGraceMs?: number;
  /** How often follow() looks at the state when no file change wakes it
   * (fs.watch wakes it for every log write; this catches a dead process). */
  pollMs?: number;
}

/** `TrainingBackend` for runs on this machine. */
export class LocalBackend implements TrainingBackend {
  readonly name = 'local' as const;
  readonly root: string;
  readonly storage: LocalStorage;
  private readonly python: string;
  private readonly cancelGraceMs: number;
  private readonly pollMs: number;

  constructor(options: LocalBackendOptions) {
    this.root = options.root;
    this.python = options.python ?? 'python3';
    this.cancelGraceMs = options.cancelGraceMs ?? 3000;
    this.pollMs = options.pollMs ?? 1000;
    this.storage = new LocalStorage(options.root);
  }

  async check(signal?: AbortSignal): Promise<void> {
    try {
      await run(this.python, ['-c', 'import sys'], { signal, timeout: 30_000 });
    } catch (error) {
      throw new MaxrecError(
        ExitCode.environment,
        `The training Python ${this.python} does not run: ${reasonOf(error)}.`,
        {
          hint: 'Run npm run setup:python, or set backend.local.python.',
          cause: error,
        },
      );
    }
    try {
      await run('bash', ['-c', 'exit 0'], { signal, timeout: 30_000 });
    } catch (error) {
      throw new MaxrecError(
        ExitCode.environment,
        `bash, which runs the training script, was not found: ${reasonOf(error)}.`,
        { hint: 'Install bash and make sure it is on PATH.', cause: error },
      );
    }
  }

  async start(request: RunRequest, signal?: AbortSignal): Promise<RunSnapshot> {
    const dataDir = request.dataPrefix
      ? this.storage.objectPath(request.dataBucket, request.dataPrefix)
      : this.storage.bucketPath(request.dataBucket);
    const dataStat = await fs.stat(dataDir).catch(() => undefined);
    if (!dataStat?.isDirectory()) {
      throw new MaxrecError(
        ExitCode.data,
        `There is no uploaded data at ${dataDir}.`,
        { hint: 'Upload it first: maxrec train CONFIG prepare.' },
      );
    }
    this.storage.bucketPath(request.resultsBucket);

    const { id, paths } = await createRunFolder(this.root);
    const record: LocalRunRecord = {
      id,
      name: request.name,
      status: 'pending',
      createdAt: Date.now(),
      command: request.command,
      dataDir,
      resultDir: paths.results,
      resultsBucket: request.resultsBucket,
    };
    await writeRunRecord(this.root, record);
    try {
      await unpackCode(request.codeArchive, paths.code, this.python, signal);
      await fs.mkdir(paths.results, { recursive: true });
      signal?.throwIfAborted();
      const pid = await spawnTraining({
        command: record.command,
        codeDir: paths.code,
        runDir: paths.dir,
        logFile: paths.log,
        python: this.python,
        env: { DATA_DIR: record.dataDir, RESULT_DIR: record.resultDir },
      });
      record.pid = pid;
      record.pgid = pid;
      record.processStartTime = processStartTime(pid);
    } catch (error) {
      record.status = 'failed';
      record.endedAt = Date.now();
      record.reason = `the training could not start: ${reasonOf(error)}`;
      await writeRunRecord(this.root, record);
      if (error instanceof MaxrecError || isAbortError(error)) throw error;
      throw new MaxrecError(
        ExitCode.training,
        `Training run ${id} could not start: ${reasonOf(error)}.`,
        { hint: 'Check that bash is installed (maxrec checks it first).' },
      );
    }
    record.status = 'running';
    record.startedAt = Date.now();
    await writeRunRecord(this.root, record);
    return snapshotOf(record);
  }

  async status(runId: string): Promise<RunSnapshot> {
    const record = await readRunRecord(this.root, runId);
    if (!isFinal(record.status)) await this.observe(record);
    if (isFinal(record.status) && !record.resultsCollected) {
      await this.collectResults(record).catch(() => undefined);
    }
    return snapshotOf(record);
  }

  async cancel(runId: string): Promise<void> {
    const snapshot = await this.status(runId);
    if (isFinal(snapshot.status)) return;
    const { cancelled } = runPaths(this.root, runId);
    await fs.writeFile(cancelled, `${new Date().toISOString()}\n`);
    const record = await readRunRecord(this.root, runId);
    if (record.pgid !== undefined && this.ownsGroup(record)) {
      signalGroup(record.pgid, 'SIGTERM');
      if (!(await waitForGroupExit(record.pgid, this.cancelGraceMs))) {
        signalGroup(record.pgid, 'SIGKILL');
        await waitForGroupExit(record.pgid, 2000);
      }
    }
    await this.status(runId);
  }

  async follow(
    runId: string,
    handlers: FollowHandlers,
    signal?: AbortSignal,
  ): Promise<RunSnapshot> {
    const paths = runPaths(this.root, runId);
    return followRun(
      {
        log: paths.log,
        watchDir: paths.dir,
        status: () => this.status(runId),
        pollMs: this.pollMs,
      },
      handlers,
      signal,
    );
  }

  async results(runId: string): Promise<RunResults> {
    const snapshot = await this.status(runId);
    if (!isFinal(snapshot.status)) {
      throw new MaxrecError(
        ExitCode.invocation,
        `Training run ${runId} is still ${snapshot.status}; it has no results yet.`,
        { hint: 'Follow it until it ends, or cancel it.' },
      );
    }
    const record = await readRunRecord(this.root, runId);
    if (!record.resultsCollected) {
      await this.collectResults(record).catch((error: unknown) => {
        throw new MaxrecError(
          ExitCode.download,
          `Could not copy the results of ${runId} into the results bucket: ${reasonOf(error)}.`,
          { hint: `Look in ${runPaths(this.root, runId).dir}.`, cause: error },
        );
      });
    }
    return {
      bucket: record.resultsBucket,
      logKey: `${runId}/training-log.txt`,
      archiveKey: `${runId}/model_training_output.tar.gz`,
    };
  }

  /** Every run on this machine, most recent first, states brought up to date. */
  async listRuns(): Promise<LocalRunRecord[]> {
    const records: LocalRunRecord[] = [];
    for (const id of await listRunIds(this.root)) {
      try {
        await this.status(id);
        records.push(await readRunRecord(this.root, id));
      } catch {
        // A folder without a readable record is not a run to show.
      }
    }
    return records;
  }

  /** Brings a running record up to date from the files and the process. */
  private async observe(record: LocalRunRecord): Promise<void> {
    const paths = runPaths(this.root, record.id);
    // Looked at before the files: a process found gone has left them all.
    const alive = this.ownsGroup(record);
    const exitText = await fs.readFile(paths.exitCode, 'utf8').catch(() => '');
    const exitCode = exitText.trim() === '' ? undefined : Number(exitText);
    const cancelled = await fs.stat(paths.cancelled).catch(() => undefined);
    let ended: Partial<LocalRunRecord> | undefined;
    if (exitCode === 0) {
      ended = { status: 'completed', exitCode };
    } else if (cancelled) {
      ended = { status: 'cancelled', reason: 'cancelled by the user' };
      if (exitCode !== undefined) ended.exitCode = exitCode;
    } else if (exitCode !== undefined) {
      // 128 + N: the training script itself was killed by signal N.
      const reason =
        killedReason(exitCode) ??
        (await failureReasonFromLog(paths.log)) ??
        `the training exited with code ${exitCode}`;
      ended = { status: 'failed', exitCode, reason };
    } else if (!alive && !this.mayStillBeStarting(record)) {
      ended = { status: 'failed', exitCode: null, reason: DIED_REASON };
    }
    if (!ended) return;
    const endStat = await fs.stat(paths.exitCode).catch(() => cancelled);
    Object.assign(record, ended, { endedAt: endStat?.mtimeMs ?? Date.now() });
    await writeRunRecord(this.root, record);
  }

  /** Another app instance may be unpacking the code of a pending run. */
  private mayStillBeStarting(record: LocalRunRecord): boolean {
    return (
      record.pid === undefined &&
      record.status === 'pending' &&
      Date.now() - record.createdAt < STARTING_GRACE_MS
    );
  }

  private ownsGroup(record: LocalRunRecord): boolean {
    return (
      record.pid !== undefined &&
      isProcessAlive(record.pid, record.processStartTime)
    );
  }

  /** Copies the log and archive into the results bucket, once. */
  private async collectResults(record: LocalRunRecord): Promise<void> {
    const paths = runPaths(this.root, record.id);
    const archive = path.join(paths.results, 'model_training_output.tar.gz');
    await fs.writeFile(paths.log, '', { flag: 'a' });
    await this.storage.upload(paths.log, record.resultsBucket, record.id, {});
    if (await fs.stat(archive).catch(() => undefined)) {
      await this.storage.upload(archive, record.resultsBucket, record.id, {});
    }
    record.resultsCollected = true;
    await writeRunRecord(this.root, record);
  }
}
