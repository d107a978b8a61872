/**
 * The journey machine's context and events: what the screens read and what
 * they (and the effects) send.
 */
import type { TransferProgress } from '../services/types.js';
import { ExitCode, MaxrecError } from './errors.js';
import type {
  CodeArchive,
  JourneySettings,
  RecentRun,
  RunResultsSummary,
  SetupChoices,
  UploadResult,
} from './ports.js';
import type {
  BackendName,
  DataInspection,
  Hyperparameters,
  Recommendation,
  RunSnapshot,
  StatusSample,
  TrainerEvent,
} from './types.js';
import type { HyperparameterField } from './hyperparameters.js';
import type { IbmLookup } from './ibm-lookup.js';

/** How the machine is driven: by the screens, or by a headless command. */
export type JourneyMode = 'interactive' | 'prepare' | 'train' | 'package';
export type HeadlessMode = Exclude<JourneyMode, 'interactive'>;

export type StartEvent = Extract<TrainerEvent, { event: 'start' }>;
export type EndEvent = Extract<TrainerEvent, { event: 'end' }>;
export type PhaseEvent = Extract<TrainerEvent, { event: 'phase' }>;

export interface EpochSummary {
  epoch: number;
  epochs: number;
  loss: number;
  valHr: number;
  valNdcg: number;
  seconds: number;
  trial?: number;
}

export interface TrialSummary {
  trial: number;
  trials: number;
  params: Record<string, number>;
  valHr: number;
  valNdcg: number;
  state: 'complete' | 'pruned' | 'failed';
  seconds: number;
}

/** A transfer under way, with when it began for its rate and time left. */
export interface TransferState {
  progress: TransferProgress;
  startedAt: number;
}

/** An error as shown to a user: what happened, what to do, the exit code. */
export interface JourneyError {
  message: string;
  hint?: string;
  exitCode: number;
}

export interface JourneyContext {
  configPath: string;
  mode: JourneyMode;
  /** The clock; injected so that tests and frames are deterministic. */
  now: () => number;
  settings: JourneySettings | null;
  /** The setup form's values, saved on submit. */
  setup: SetupChoices;
  /** Saving setup ends the journey (`maxrec setup`) rather than going on. */
  endAfterSetup?: boolean;
  /** The setup screen's IBM Cloud lookup: its lists, choices and keys. */
  ibmLookup: IbmLookup;
  recentRuns: RecentRun[];
  /** While Home asks the backends how the recent runs stand. */
  lookingUpRuns: boolean;
  dataPath: string;
  inspectProgress: { bytesRead: number; bytesTotal: number } | null;
  inspection: DataInspection | null;
  upload: TransferState | null;
  uploaded: UploadResult | null;
  hyperparameters: Hyperparameters;
  hyperparameterErrors: Partial<Record<HyperparameterField, string>>;
  archive: CodeArchive | null;
  runId: string | null;
  /**
   * The backend a run reopened from Home ran on, which the config may no
   * longer name; unset for a run started in this session.
   */
  runBackend?: BackendName;
  run: RunSnapshot | null;
  statusHistory: StatusSample[];
  /** The epochs of the current trial (all epochs without HPO). */
  epochs: EpochSummary[];
  trials: TrialSummary[];
  /** Pretraining and refit epochs, in order. */
  phases: PhaseEvent[];
  /** The last of them while no validated epoch has come since. */
  currentPhase: PhaseEvent | null;
  startEvent: StartEvent | null;
  endEvent: EndEvent | null;
  /** The trainer's own error event, the best reason when a run fails. */
  trainerError: string | null;
  logTail: string[];
  /**
   * What the backend says about following the run itself (a service not
   * answering, retried), in order; the headless output prints each once.
   */
  followNotices: string[];
  download: TransferState | null;
  results: RunResultsSummary | null;
  recommendUserId: string;
  recommendations: Recommendation[];
  error: JourneyError | null;
  /** One line for the user about what just happened. */
  notice: string | null;
  /** Ctrl+C on a screen with nothing to cancel asks whether to quit. */
  quitRequested: boolean;
}

export interface JourneyInput {
  configPath: string;
  now?: () => number;
}

export type JourneyEvent =
  /** `endAfterSetup`: `maxrec setup`, whose journey ends once it is saved. */
  | { type: 'NEW_TRAINING'; endAfterSetup?: boolean }
  /**
   * `configPath`: the run's own config, when it differs from this one;
   * `backend`: the backend the run ran on.
   */
  | {
      type: 'RESUME';
      runId: string;
      configPath?: string;
      backend?: BackendName;
    }
  | { type: 'RUN_HEADLESS'; mode: HeadlessMode; runId?: string }
  | { type: 'QUIT' }
  | { type: 'BACK' }
  | { type: 'SUBMIT' }
  | { type: 'CANCEL' }
  | { type: 'SETUP_CHANGE'; patch: Partial<SetupChoices> }
  /** Setup on ibm: look the values up in the IBM Cloud account. */
  | { type: 'IBM_LOOKUP' }
  /** The item of the list shown, by its id. */
  | { type: 'IBM_PICK'; id: string }
  | { type: 'IBM_CREATE_CREDENTIAL' }
  /** Leave the lookup to type the value in its field. */
  | { type: 'IBM_BY_HAND' }
  | { type: 'DATA_PATH_CHANGE'; path: string }
  | { type: 'HYPERPARAMETER_SET'; field: HyperparameterField; value: string }
  | { type: 'INTERRUPT' }
  | { type: 'CONFIRM' }
  | { type: 'DENY' }
  | { type: 'WATCH' }
  | { type: 'EXIT' }
  | { type: 'RECOMMEND_USER_CHANGE'; userId: string }
  | { type: 'RECOMMEND'; userId?: string }
  | ProgressEvent
  | FollowEvent;

/** Sent by effects while they work. */
export type ProgressEvent =
  | { type: 'INSPECT_PROGRESS'; bytesRead: number; bytesTotal: number }
  | { type: 'UPLOAD_PROGRESS'; progress: TransferProgress }
  | { type: 'DOWNLOAD_PROGRESS'; progress: TransferProgress };

/** Sent by the followRun actor. */
export type FollowEvent =
  | { type: 'RUN_LOG_LINE'; line: string }
  | { type: 'RUN_NOTICE'; message: string }
  | { type: 'TRAINER_EVENT'; event: TrainerEvent }
  | { type: 'RUN_STATUS'; snapshot: RunSnapshot }
  | { type: 'FOLLOW_DONE'; snapshot: RunSnapshot }
  | { type: 'FOLLOW_ERROR'; error: unknown };

/** Lines of the log kept for the monitor's tail. */
export const LOG_TAIL_LINES = 200;

/**
 * A run its backend does not know: its folder is gone, or the service was
 * reset or deleted it. Nothing of it can be followed, cancelled or fetched.
 */
export class RunNotFoundError extends MaxrecError {
  readonly runId: string;

  constructor(runId: string, message: string, hint: string) {
    super(ExitCode.invocation, message, { hint });
    this.name = 'RunNotFoundError';
    this.runId = runId;
  }
}

/**
 * A run opened from Home rather than started in this session: only a run
 * started here has its code archive in the context (Home's NO_RUN clears it).
 */
export function runOpenedFromHome(context: JourneyContext): boolean {
  return context.archive === null;
}
