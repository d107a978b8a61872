/**
 * The interfaces every backend implements. The local backend is the first;
 * IBM Cloud (COS + WML) and Ray implement the same ones. Every long
 * operation takes an AbortSignal and reports progress through a callback;
 * every failure is a MaxrecError carrying the exit code of product.md.
 */
import type {
  DataInspection,
  RunSnapshot,
  TrainerEvent,
} from '../core/types.js';

/** Byte progress of a transfer (upload, download, copy). */
export interface TransferProgress {
  /** Path or key being transferred right now. */
  name: string;
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
}

export type OnTransferProgress = (progress: TransferProgress) => void;

export interface StoredObject {
  key: string;
  bytes: number;
}

/**
 * Buckets: folders for the local backend, COS or S3 buckets elsewhere.
 * Keys use forward slashes.
 */
export interface StorageService {
  /** Where buckets live, for messages: a folder or an endpoint. */
  readonly location: string;
  ensureBucket(bucket: string, signal?: AbortSignal): Promise<void>;
  listObjects(
    bucket: string,
    prefix?: string,
    signal?: AbortSignal,
  ): Promise<StoredObject[]>;
  /**
   * Upload every file under `localDir` (or the single file) to
   * `bucket/prefix/relativePath`, skipping `skip` (relative paths).
   * Each object appears complete or not at all.
   */
  upload(
    localPath: string,
    bucket: string,
    prefix: string,
    options: {
      skip?: (relativePath: string) => boolean;
      onProgress?: OnTransferProgress;
      signal?: AbortSignal;
    },
  ): Promise<StoredObject[]>;
  /** Download one object to a local file, atomically (write beside, rename). */
  download(
    bucket: string,
    key: string,
    localFile: string,
    options: { onProgress?: OnTransferProgress; signal?: AbortSignal },
  ): Promise<void>;
  deleteObjects(
    bucket: string,
    keys: string[],
    signal?: AbortSignal,
  ): Promise<void>;
}

/** What a backend needs to start a run. */
export interface RunRequest {
  /** The zipped training code, as built by the packaging service. */
  codeArchive: string;
  /** Shell command run inside the unpacked code, e.g. `chmod +x *.sh && ./train-max-model.sh`. */
  command: string;
  dataBucket: string;
  /** Key prefix of the data inside the data bucket ('' for all). */
  dataPrefix: string;
  resultsBucket: string;
  name: string;
  /** Backend-specific compute size (k80, cpu, ...). */
  compute: string;
}

/** Where a finished run left its log and archive. */
export interface RunResults {
  bucket: string;
  logKey: string;
  archiveKey: string;
}

export interface TrainingBackend {
  readonly name: 'local' | 'ibm' | 'ray';
  /** Check credentials, tools and reachability; throw MaxrecError (exit 2) otherwise. */
  check(signal?: AbortSignal): Promise<void>;
  start(request: RunRequest, signal?: AbortSignal): Promise<RunSnapshot>;
  /** Throws MaxrecError with exit 1 when the id is unknown. */
  status(runId: string, signal?: AbortSignal): Promise<RunSnapshot>;
  cancel(runId: string, signal?: AbortSignal): Promise<void>;
  /**
   * Follow a run: calls back with each new log line (trainer events parsed
   * as well) and each status change, until the run ends or the signal
   * aborts. Resolves with the final snapshot, or the last one seen when
   * aborted. Works after the app was restarted: it reads from the start.
   */
  follow(
    runId: string,
    handlers: {
      onLogLine?: (line: string) => void;
      onTrainerEvent?: (event: TrainerEvent) => void;
      onStatus?: (snapshot: RunSnapshot) => void;
    },
    signal?: AbortSignal,
  ): Promise<RunSnapshot>;
  /** Where the run's log and archive are, once it has ended. */
  results(runId: string, signal?: AbortSignal): Promise<RunResults>;
}

export interface DataInspector {
  /**
   * Inspect a ratings file (or the ratings file inside a folder) without
   * loading it whole. `delimiter` forces one instead of sniffing.
   */
  inspect(
    path: string,
    options: {
      delimiter?: string;
      onProgress?: (bytesRead: number, bytesTotal: number) => void;
      signal?: AbortSignal;
    },
  ): Promise<DataInspection>;
}

export interface PackagingService {
  /**
   * Zip `codeDir` into `archivePath` with relative paths, LF line ends in
   * shell scripts, caches and virtual environments left out; the
   * TRAINING_CMD line of train-max-model.sh replaced by `trainingCommand`
   * when given. Throws MaxrecError (exit 4) when the archive is over
   * `maxBytes`.
   */
  buildCodeArchive(
    codeDir: string,
    archivePath: string,
    options: {
      trainingCommand?: string;
      maxBytes?: number;
      signal?: AbortSignal;
    },
  ): Promise<{ bytes: number; files: number }>;
}
