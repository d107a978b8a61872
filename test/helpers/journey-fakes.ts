/**
 * In-memory JourneyServices for the machine and screen tests. Each call is
 * recorded; by default it answers at once with a fixture, and a test can
 * `hold` a method so that its next call waits until `release`d, `fail`ed or
 * aborted. The follow is driven by hand (`follower`) or by a `followScript`.
 */
import type {
  HmacKeysWritten,
  IbmAccountItem,
  IbmStep,
} from '../../src/core/ibm-lookup.js';
import type {
  FollowHandlers,
  JourneyServices,
  JourneySettings,
  RunResultsSummary,
} from '../../src/core/ports.js';
import {
  DEFAULT_HYPERPARAMETERS,
  type DataInspection,
  type RunSnapshot,
  type TrainerEvent,
} from '../../src/core/types.js';

export const settingsFixture: JourneySettings = {
  backend: 'local',
  localDataDir: 'sample_training_data/',
  dataBucket: 'maxrec-data',
  resultsBucket: 'maxrec-results',
  compute: 'cpu',
  dataFile: 'data/ratings.csv',
  itemTitlesFile: 'data/movies.csv',
  hyperparameters: { ...DEFAULT_HYPERPARAMETERS, epochs: 5 },
  stagingDir: 'training_output/',
};

export const inspectionFixture: DataInspection = {
  file: '/data/sample_training_data/data/ratings.csv',
  bytes: 2_483_723,
  delimiter: ',',
  hasHeader: true,
  encoding: 'utf-8',
  columns: ['userId', 'movieId', 'rating', 'timestamp'],
  roles: { user: 0, item: 1, rating: 2, time: 3 },
  users: 610,
  items: 9724,
  interactions: 100_836,
  rows: 100_836,
  duplicates: 0,
  singleInteractionUsers: 0,
  preview: [
    ['1', '1', '4.0', '964982703'],
    ['1', '3', '4.0', '964981247'],
    ['1', '6', '4.0', '964982224'],
    ['1', '47', '5.0', '964983815'],
    ['1', '50', '5.0', '964982931'],
  ],
  errors: [],
  warnings: [{ message: '3 ratings are 0.5 stars or less' }],
};

export const brokenInspectionFixture: DataInspection = {
  ...inspectionFixture,
  errors: [{ message: 'only one column: no item id', line: 2 }],
  warnings: [],
};

export const resultsFixture: RunResultsSummary = {
  stagingDir: 'training_output/',
  logFile: 'training_output/training-log.txt',
  archiveFile: 'training_output/model_training_output.tar.gz',
  modelDir: 'training_output/trained_model/',
  metrics: {
    hit_rate_at_10: 0.7123,
    ndcg_at_10: 0.4567,
    protocol: 'leave-one-out, 99 negatives',
    users: 610,
    items: 9724,
    interactions: 100_836,
    epochs_run: 5,
    train_seconds: 42.5,
  },
};

/** A short run: start, five epochs, the end; as the trainer prints them. */
export function trainerEventsFixture(epochs = 5): TrainerEvent[] {
  const events: TrainerEvent[] = [
    {
      event: 'start',
      users: 610,
      items: 9724,
      interactions: 100_836,
      train_interactions: 99_616,
      evaluated_users: 610,
      single_interaction_users: 0,
      duplicates: 0,
      epochs,
      hpo: false,
      device: 'cpu',
      read_seconds: 0.4,
    },
  ];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    events.push({
      event: 'epoch',
      epoch,
      epochs,
      loss: Number((0.7 / epoch).toFixed(4)),
      val_hr: Number((0.3 + epoch * 0.08).toFixed(4)),
      val_ndcg: Number((0.15 + epoch * 0.05).toFixed(4)),
      seconds: 8 + epoch,
      samples_per_second: 50_000,
    });
  }
  events.push({
    event: 'end',
    test_hr: 0.7123,
    test_ndcg: 0.4567,
    val_hr: 0.7,
    val_ndcg: 0.4,
    epochs_run: epochs,
    train_seconds: 42.5,
  });
  return events;
}

/** An account as the IBM lookup finds it: two groups, two of the rest. */
export function ibmAccountFixture(): Record<IbmStep, IbmAccountItem[]> {
  return {
    group: [
      {
        id: 'group-default',
        name: 'Default',
        state: 'ACTIVE',
        isDefault: true,
      },
      { id: 'group-research', name: 'research', state: 'ACTIVE' },
    ],
    wml: [
      {
        id: 'wml-guid-1',
        name: 'maxrec-ml',
        region: 'us-south',
        state: 'active',
      },
      {
        id: 'wml-guid-2',
        name: 'maxrec-ml-frankfurt',
        region: 'eu-de',
        state: 'active',
      },
    ],
    space: [
      { id: 'space-0001', name: 'maxrec' },
      { id: 'space-0002', name: 'other' },
    ],
    cos: [
      {
        id: 'cos-guid-1',
        name: 'maxrec-storage',
        region: 'global',
        state: 'active',
      },
    ],
    credential: [
      {
        id: 'key-guid-1',
        name: 'maxrec-hmac',
        hmac: 'yes',
        createdAt: '2026-01-15T09:30:12Z',
      },
      {
        id: 'key-guid-2',
        name: 'reader',
        hmac: 'no',
        createdAt: '2026-01-16T10:00:00Z',
      },
    ],
  };
}

export const hmacKeysFixture: HmacKeysWritten = {
  credentialName: 'maxrec-hmac',
  created: false,
  file: '/work/cos-keys.sh',
  accessKeyId: '…a1b2',
  secretAccessKey: '…c3d4',
};

export type FollowStep =
  { status: RunSnapshot } | { line: string } | { event: TrainerEvent };

type Name = keyof JourneyServices;

interface Held {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal;
}

export interface Follower {
  runId: string;
  handlers: FollowHandlers;
  signal: AbortSignal;
  finish: (snapshot: RunSnapshot) => void;
  fail: (error: unknown) => void;
}

function abortError(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

export class FakeJourneyServices {
  readonly calls: { [K in Name]?: unknown[][] } = {};
  /** Signals passed to each method, latest last. */
  readonly signals: { [K in Name]?: AbortSignal[] } = {};
  readonly answers: {
    settings: JourneySettings | Error;
    inspection: DataInspection;
    runId: string;
    results: RunResultsSummary;
    ibm: Record<IbmStep, IbmAccountItem[]>;
    hmacKeys: HmacKeysWritten;
  } = {
    settings: settingsFixture,
    inspection: inspectionFixture,
    runId: 'run-0001',
    results: resultsFixture,
    ibm: ibmAccountFixture(),
    hmacKeys: hmacKeysFixture,
  };
  /** When set, a follow plays these steps then ends with `final`. */
  followScript: { steps: FollowStep[]; final: RunSnapshot } | null = null;
  follower: Follower | null = null;
  private readonly held = new Map<Name, Held | 'waiting'>();

  /** The next call of `name` waits until release, fail or abort. */
  hold(name: Name): void {
    this.held.set(name, 'waiting');
  }

  release(name: Name, value?: unknown): void {
    const held = this.held.get(name);
    if (!held || held === 'waiting') throw new Error(`${name} is not held`);
    this.held.delete(name);
    held.resolve(value);
  }

  fail(name: Name, error: unknown): void {
    const held = this.held.get(name);
    if (!held || held === 'waiting') throw new Error(`${name} is not held`);
    this.held.delete(name);
    held.reject(error);
  }

  isWaiting(name: Name): boolean {
    const held = this.held.get(name);
    return held !== undefined && held !== 'waiting';
  }

  callCount(name: Name): number {
    return this.calls[name]?.length ?? 0;
  }

  private record(name: Name, signal: AbortSignal, args: unknown[]): void {
    (this.calls[name] ??= []).push(args);
    (this.signals[name] ??= []).push(signal);
  }

  private answer<T>(
    name: Name,
    signal: AbortSignal,
    value: () => T,
  ): Promise<T> {
    if (this.held.get(name) !== 'waiting') {
      return Promise.resolve().then(value);
    }
    return new Promise<T>((resolve, reject) => {
      this.held.set(name, {
        resolve: (v) => resolve((v as T | undefined) ?? value()),
        reject,
        signal,
      });
      signal.addEventListener('abort', () => {
        this.held.delete(name);
        reject(abortError());
      });
    });
  }

  readonly services: JourneyServices = {
    loadSettings: (configPath, signal) => {
      this.record('loadSettings', signal, [configPath]);
      return this.answer('loadSettings', signal, () => {
        const settings = this.answers.settings;
        if (settings instanceof Error) throw settings;
        return settings;
      });
    },
    saveSetup: (configPath, setup, signal) => {
      this.record('saveSetup', signal, [configPath, setup]);
      return this.answer('saveSetup', signal, () => undefined);
    },
    saveHyperparameters: (configPath, hyperparameters, signal) => {
      this.record('saveHyperparameters', signal, [configPath, hyperparameters]);
      return this.answer('saveHyperparameters', signal, () => undefined);
    },
    inspectData: (path, options) => {
      this.record('inspectData', options.signal, [path]);
      options.onProgress(1000, this.answers.inspection.bytes);
      return this.answer('inspectData', options.signal, () => ({
        ...this.answers.inspection,
      }));
    },
    uploadData: (options) => {
      this.record('uploadData', options.signal, [options.dataPath]);
      const total = options.inspection.bytes;
      options.onProgress({
        name: 'data/ratings.csv',
        bytesDone: Math.round(total / 4),
        bytesTotal: total,
        filesDone: 0,
        filesTotal: 2,
      });
      return this.answer('uploadData', options.signal, () => ({
        objects: 2,
        bytes: total,
      }));
    },
    buildCodeArchive: (options) => {
      this.record('buildCodeArchive', options.signal, [
        options.hyperparameters,
      ]);
      return this.answer('buildCodeArchive', options.signal, () => ({
        path: '/tmp/maxrec/training_code.zip',
        bytes: 20_480,
        files: 9,
      }));
    },
    startRun: (options) => {
      this.record('startRun', options.signal, [options.archive]);
      return this.answer('startRun', options.signal, () => ({
        id: this.answers.runId,
        status: 'pending' as const,
        startedAt: 1_000,
      }));
    },
    followRun: (runId, handlers, signal) => {
      this.record('followRun', signal, [runId]);
      return new Promise<RunSnapshot>((resolve, reject) => {
        this.follower = {
          runId,
          handlers,
          signal,
          finish: resolve,
          fail: reject,
        };
        signal.addEventListener('abort', () => reject(abortError()));
        const script = this.followScript;
        if (script)
          void this.play(script.steps, handlers, signal, () =>
            resolve(script.final),
          );
      });
    },
    cancelRun: (runId, signal) => {
      this.record('cancelRun', signal, [runId]);
      return this.answer('cancelRun', signal, () => undefined);
    },
    fetchResults: (options) => {
      this.record('fetchResults', options.signal, [
        options.runId,
        options.logOnly,
      ]);
      options.onProgress({
        name: 'model_training_output.tar.gz',
        bytesDone: 100,
        bytesTotal: 400,
        filesDone: 1,
        filesTotal: 2,
      });
      return this.answer('fetchResults', options.signal, () =>
        options.logOnly
          ? {
              stagingDir: this.answers.results.stagingDir,
              logFile: this.answers.results.logFile,
            }
          : this.answers.results,
      );
    },
    recommend: (options) => {
      this.record('recommend', options.signal, [options.userId, options.n]);
      return this.answer('recommend', options.signal, () =>
        Array.from({ length: options.n }, (_, i) => ({
          item: String(100 + i),
          score: Number((0.99 - i * 0.05).toFixed(2)),
          title: `Movie ${100 + i} (199${i})`,
        })),
      );
    },
    lookUpIbm: (query, signal) => {
      this.record('lookUpIbm', signal, [query]);
      return this.answer('lookUpIbm', signal, () => [
        ...this.answers.ibm[query.step],
      ]);
    },
    writeHmacKeys: (request, signal) => {
      this.record('writeHmacKeys', signal, [request]);
      return this.answer('writeHmacKeys', signal, () => ({
        ...this.answers.hmacKeys,
        created: request.credentialId === undefined,
      }));
    },
    listRecentRuns: (signal) => {
      this.record('listRecentRuns', signal, []);
      return this.answer('listRecentRuns', signal, () => [
        {
          id: 'run-0000',
          status: 'completed' as const,
          backend: 'local' as const,
        },
      ]);
    },
  };

  /** Play steps one per macrotask, as a real follow would trickle them in. */
  private async play(
    steps: FollowStep[],
    handlers: FollowHandlers,
    signal: AbortSignal,
    done: () => void,
  ): Promise<void> {
    for (const step of steps) {
      await new Promise((resolve) => setImmediate(resolve));
      if (signal.aborted) return;
      if ('status' in step) handlers.onStatus(step.status);
      else if ('line' in step) handlers.onLogLine(step.line);
      else {
        handlers.onLogLine(JSON.stringify(step.event));
        handlers.onTrainerEvent(step.event);
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
    if (!signal.aborted) done();
  }
}

/** The steps of a whole successful run, for followScript. */
export function successfulRunSteps(
  runId = 'run-0001',
  epochs = 5,
): FollowStep[] {
  return [
    { status: { id: runId, status: 'pending', startedAt: 1_000 } },
    { status: { id: runId, status: 'running', startedAt: 1_000 } },
    { line: 'Reading data/ratings.csv' },
    ...trainerEventsFixture(epochs).map((event) => ({ event })),
    { line: 'Packing model_training_output.tar.gz' },
    {
      status: {
        id: runId,
        status: 'completed',
        startedAt: 1_000,
        endedAt: 60_000,
      },
    },
  ];
}
