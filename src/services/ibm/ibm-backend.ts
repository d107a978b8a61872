/**
 * Training on IBM Cloud: the code archive becomes a WML model definition,
 * a WML v4 training runs it against the data bucket, and the results land
 * in the results bucket, where the log is read while the run goes on.
 *
 * Where WML puts things (see README.md, "IBM Cloud"): the
 * service adds `training` and `logs` keys to the results reference's
 * location; the log is `<logs>/learner-1/training-log.txt` and what the
 * training script writes to $RESULT_DIR lands under `<training>/`, so the
 * archive is found by listing that prefix.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, MaxrecError } from '../../core/errors.js';
import { isFinal } from '../../core/types.js';
import type { RunSnapshot } from '../../core/types.js';
import { LineSplitter, parseTrainerEvent } from '../local/log-tail.js';
import type { FollowHandlers } from '../local/follow-run.js';
import type { RunRequest, RunResults, TrainingBackend } from '../types.js';
import type { CosStorage } from './cos-storage.js';
import { hardwareSpecOf } from './hardware.js';
import { runStatusOf } from './wml-client.js';
import type {
  HmacConnection,
  IamConnection,
  TrainingState,
  WmlClient,
} from './wml-client.js';

const ARCHIVE_NAME = 'model_training_output.tar.gz';
const LOG_NAME = 'training-log.txt';

export interface IbmBackendOptions {
  wml: Pick<
    WmlClient,
    | 'createModelDefinition'
    | 'uploadModelDefinitionCode'
    | 'deleteModelDefinition'
    | 'createTraining'
    | 'getTraining'
    | 'cancelTraining'
  >;
  storage: CosStorage;
  /** How WML reaches the buckets. */
  connection: HmacConnection | IamConnection;
  /** WML software specification; unset: the service's default. */
  softwareSpec?: string;
  /** Key prefix in the results bucket under which runs write. */
  resultsPath?: string;
  /** Time between two looks at a running training (default 10 s). */
  pollMs?: number;
  /** Checks the API key can be exchanged for a token. */
  checkCredentials: (signal?: AbortSignal) => Promise<unknown>;
  /** The config's compute size, checked by check(). */
  compute?: string;
}

export class IbmBackend implements TrainingBackend {
  readonly name = 'ibm' as const;
  private readonly pollMs: number;

  constructor(private readonly options: IbmBackendOptions) {
    this.pollMs = options.pollMs ?? 10_000;
  }

  get storage(): CosStorage {
    return this.options.storage;
  }

  /** The compute size and the API key, before anything is uploaded. */
  async check(signal?: AbortSignal): Promise<void> {
    if (this.options.compute) hardwareSpecOf(this.options.compute);
    await this.options.checkCredentials(signal);
  }

  async start(request: RunRequest, signal?: AbortSignal): Promise<RunSnapshot> {
    const { wml } = this.options;
    const hardwareSpec = hardwareSpecOf(request.compute);
    const definition = await wml.createModelDefinition(
      {
        name: request.name,
        command: request.command,
        platform: { name: 'python', versions: ['3.11'] },
      },
      signal,
    );
    let id: string;
    try {
      await wml.uploadModelDefinitionCode(
        definition,
        request.codeArchive,
        signal,
      );
      id = await wml.createTraining(
        {
          name: request.name,
          modelDefinitionId: definition,
          command: request.command,
          hardwareSpec,
          softwareSpec: this.options.softwareSpec
            ? { name: this.options.softwareSpec }
            : undefined,
          dataConnection: this.options.connection,
          dataBucket: request.dataBucket,
          dataPath: request.dataPrefix || undefined,
          resultsBucket: request.resultsBucket,
          resultsPath: this.options.resultsPath ?? 'maxrec-runs',
        },
        signal,
      );
    } catch (error) {
      // No training came of the definition: leave no clutter in the space.
      await wml.deleteModelDefinition(definition).catch(() => undefined);
      throw error;
    }
    return { id, status: 'pending', startedAt: Date.now() };
  }

  async status(runId: string, signal?: AbortSignal): Promise<RunSnapshot> {
    return snapshotOf(await this.options.wml.getTraining(runId, signal));
  }

  async cancel(runId: string, signal?: AbortSignal): Promise<void> {
    await this.options.wml.cancelTraining(runId, {}, signal);
  }

  /**
   * Polls the training's status and reads the log's new bytes from the
   * results bucket each time, until the run ends or the signal aborts.
   */
  async follow(
    runId: string,
    handlers: FollowHandlers,
    signal?: AbortSignal,
  ): Promise<RunSnapshot> {
    const lines = new LineSplitter();
    const onLine = (line: string) => {
      handlers.onLogLine?.(line);
      const event = parseTrainerEvent(line);
      if (event) handlers.onTrainerEvent?.(event);
    };
    // A hung service would otherwise mean minutes of silence: say so.
    const onRetry = (attempt: number, attempts: number) =>
      handlers.onNotice?.(
        `WML not answering; trying again, attempt ${attempt} of ${attempts}`,
      );
    let offset = 0;
    let last: RunSnapshot | undefined;
    for (;;) {
      const training = await this.options.wml.getTraining(
        runId,
        signal,
        onRetry,
      );
      const snapshot = snapshotOf(training);
      const log = logLocation(training);
      if (log) {
        const bytes = await this.storage
          .readFrom(log.bucket, log.key, offset, signal)
          .catch(() => undefined); // A log that cannot be read yet is no failure.
        if (bytes && bytes.length > 0) {
          offset += bytes.length;
          lines.push(bytes, onLine);
        }
      }
      if (!last || last.status !== snapshot.status) {
        handlers.onStatus?.(snapshot);
      }
      last = snapshot;
      if (isFinal(snapshot.status)) {
        lines.flush(onLine);
        return snapshot;
      }
      try {
        await sleep(this.pollMs, undefined, { signal });
      } catch {
        return last;
      }
    }
  }

  async results(runId: string, signal?: AbortSignal): Promise<RunResults> {
    const training = await this.options.wml.getTraining(runId, signal);
    const status = runStatusOf(training).status;
    if (!isFinal(status)) {
      throw new MaxrecError(
        ExitCode.invocation,
        `Training run ${runId} is still ${status}; it has no results yet.`,
        { hint: 'Follow it until it ends, or cancel it.' },
      );
    }
    const log = logLocation(training);
    const prefix = trainingPrefix(training);
    if (!log || prefix === undefined) {
      throw new MaxrecError(
        ExitCode.download,
        `WML gave no results location for training ${runId}.`,
        { hint: 'Look for its results in the results bucket.' },
      );
    }
    const objects = await this.storage.listObjects(log.bucket, prefix, signal);
    const archive = objects.find(
      (o) =>
        o.key === `${prefix}/${ARCHIVE_NAME}` ||
        o.key.endsWith(`/${ARCHIVE_NAME}`),
    );
    return {
      bucket: log.bucket,
      logKey: log.key,
      // A failed run may have no archive; downloading it then says so.
      archiveKey: archive?.key ?? `${prefix}/${ARCHIVE_NAME}`,
    };
  }
}

function snapshotOf(training: TrainingState): RunSnapshot {
  const { status, reason } = runStatusOf(training);
  const time = (iso: string | undefined) => {
    const ms = iso ? Date.parse(iso) : NaN;
    return Number.isNaN(ms) ? undefined : ms;
  };
  const snapshot: RunSnapshot = { id: training.id, status };
  const startedAt = time(training.runningAt);
  const endedAt = isFinal(status) ? time(training.completedAt) : undefined;
  if (startedAt !== undefined) snapshot.startedAt = startedAt;
  if (endedAt !== undefined) snapshot.endedAt = endedAt;
  if (reason) snapshot.reason = reason;
  return snapshot;
}

/** `<training>` in the results bucket: where $RESULT_DIR's files land. */
function trainingPrefix(training: TrainingState): string | undefined {
  const location = training.resultsLocation;
  if (!location) return undefined;
  const prefix =
    location['training'] ??
    [location['path'], training.id].filter(Boolean).join('/');
  return prefix.replace(/^\/+|\/+$/g, '');
}

function logLocation(
  training: TrainingState,
): { bucket: string; key: string } | undefined {
  const location = training.resultsLocation;
  const bucket = location?.['bucket'];
  if (!location || !bucket) return undefined;
  const logs = (location['logs'] ?? trainingPrefix(training) ?? '').replace(
    /^\/+|\/+$/g,
    '',
  );
  return { bucket, key: `${logs}/learner-1/${LOG_NAME}` };
}
