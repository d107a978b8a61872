/**
 * What the journey's effects need from the outside world. The state machine
 * only knows this interface; the CLI implements it over the real services
 * and the tests over in-memory fakes. Every long operation takes an
 * AbortSignal (leaving a state aborts its work) and reports progress through
 * callbacks; every failure meant for a user is a MaxrecError.
 */
import type { OnTransferProgress } from '../services/types.js';
import type {
  HmacKeysRequest,
  HmacKeysWritten,
  IbmAccountItem,
  IbmQuery,
} from './ibm-lookup.js';
import type {
  BackendName,
  DataInspection,
  Hyperparameters,
  Recommendation,
  RunSnapshot,
  RunStatus,
  TrainedModelMetrics,
  TrainerEvent,
} from './types.js';

/** What the setup screen chooses; written to the config file. */
export interface SetupChoices {
  backend: BackendName;
  /** The local folder (or file) holding the ratings, uploaded to `dataBucket`. */
  localDataDir: string;
  dataBucket: string;
  resultsBucket: string;
  /** Backend-specific compute size (cpu, gpu, k80, v100...). */
  compute: string;
  /** ibm: the Cloud Object Storage endpoint of the buckets. */
  cosEndpoint?: string;
  /** ibm: the WML deployment space that runs trainings. */
  spaceId?: string;
  /** ibm: the WML URL of the region (ML_ENV, when set, wins over it). */
  wmlUrl?: string;
  /** ibm: the COS instance's GUID or CRN, for signing in with the API key. */
  cosInstance?: string;
}

/** The configuration as the journey needs it, read from the config file. */
export interface JourneySettings extends SetupChoices {
  /** The ratings file, relative to `localDataDir`. */
  dataFile: string;
  /** Item titles for "try the model", relative to `localDataDir`; optional. */
  itemTitlesFile?: string;
  hyperparameters: Hyperparameters;
  /** Where results are downloaded: `training_output/`. */
  stagingDir: string;
  /** What the upload does with the data bucket (default add). */
  dataUpload?: 'add' | 'replace' | 'existing';
}

export interface UploadResult {
  objects: number;
  bytes: number;
  /** Nothing was sent: the bucket's data is used as it is. */
  existing?: boolean;
  /** In replace mode, the objects removed from under the prefix first. */
  removed?: number;
}

export interface CodeArchive {
  path: string;
  bytes: number;
  files: number;
}

/** What the results step left in the staging folder. */
export interface RunResultsSummary {
  stagingDir: string;
  /** `training_output/training-log.txt`. */
  logFile: string;
  /** `training_output/model_training_output.tar.gz`; absent when only the log was fetched. */
  archiveFile?: string;
  /** `training_output/trained_model/`; absent when only the log was fetched. */
  modelDir?: string;
  /** `trained_model/metrics.json`; absent when only the log was fetched. */
  metrics?: TrainedModelMetrics;
}

/** A run the user started before, for "resume a recent run". */
export interface RecentRun {
  id: string;
  /** 'not found': its backend does not know it; 'unknown': not reachable. */
  status: RunStatus | 'not found' | 'unknown';
  backend: BackendName;
  startedAt?: number;
  configPath?: string;
}

export interface FollowHandlers {
  onLogLine: (line: string) => void;
  onTrainerEvent: (event: TrainerEvent) => void;
  onStatus: (snapshot: RunSnapshot) => void;
  /** About the following itself, not the run: a service retried, say. */
  onNotice?: (message: string) => void;
}

export interface JourneyServices {
  /**
   * Read and validate the config. A missing file gives the defaults; an
   * invalid one throws MaxrecError with exit code 3 naming the bad key.
   */
  loadSettings(
    configPath: string,
    signal: AbortSignal,
  ): Promise<JourneySettings>;
  saveSetup(
    configPath: string,
    setup: SetupChoices,
    signal: AbortSignal,
  ): Promise<void>;
  saveHyperparameters(
    configPath: string,
    hyperparameters: Hyperparameters,
    signal: AbortSignal,
  ): Promise<void>;
  /** Inspect a ratings file, or the ratings file inside a folder. */
  inspectData(
    path: string,
    options: {
      delimiter?: string;
      onProgress: (bytesRead: number, bytesTotal: number) => void;
      signal: AbortSignal;
    },
  ): Promise<DataInspection>;
  /** Upload `dataPath` (file or folder) to the data bucket. */
  uploadData(options: {
    settings: JourneySettings;
    dataPath: string;
    inspection: DataInspection;
    onProgress: OnTransferProgress;
    signal: AbortSignal;
  }): Promise<UploadResult>;
  /** Zip the training code with the training command for `hyperparameters`. */
  buildCodeArchive(options: {
    settings: JourneySettings;
    hyperparameters: Hyperparameters;
    signal: AbortSignal;
  }): Promise<CodeArchive>;
  startRun(options: {
    settings: JourneySettings;
    archive: CodeArchive;
    signal: AbortSignal;
  }): Promise<RunSnapshot>;
  /**
   * Follow a run from its start until it ends (resolving with the final
   * snapshot) or the signal aborts (resolving or rejecting, either is fine).
   */
  followRun(
    runId: string,
    handlers: FollowHandlers,
    signal: AbortSignal,
  ): Promise<RunSnapshot>;
  cancelRun(runId: string, signal: AbortSignal): Promise<void>;
  /**
   * Download the log (and, unless `logOnly`, the model archive, extracted)
   * into the staging folder.
   */
  fetchResults(options: {
    runId: string;
    settings: JourneySettings;
    logOnly: boolean;
    onProgress: OnTransferProgress;
    signal: AbortSignal;
  }): Promise<RunResultsSummary>;
  /** Top `n` items for a user from the trained model in `modelDir`. */
  recommend(options: {
    modelDir: string;
    settings: JourneySettings;
    userId: string;
    n: number;
    signal: AbortSignal;
  }): Promise<Recommendation[]>;
  listRecentRuns(signal: AbortSignal): Promise<RecentRun[]>;
  /**
   * What the IBM Cloud account holds for one setup step, with the API key
   * of ML_APIKEY or ML_APIKEY_FILE; never a secret.
   */
  lookUpIbm(query: IbmQuery, signal: AbortSignal): Promise<IbmAccountItem[]>;
  /**
   * A COS credential's HMAC keys, read or newly created, written to a file
   * beside the config that only its owner can read; this session uses
   * them. Resolves with the keys masked.
   */
  writeHmacKeys(
    request: HmacKeysRequest,
    signal: AbortSignal,
  ): Promise<HmacKeysWritten>;
}
