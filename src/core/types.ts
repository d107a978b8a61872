/**
 * The domain vocabulary shared by the state machine, the services and the
 * screens. No I/O and no React here: only shapes.
 */

export type BackendName = 'local' | 'ibm' | 'ray';

/** What a user can tune before a run; mirrors train_ncf.py's flags. */
export interface Hyperparameters {
  epochs: number;
  batchSize: number;
  factors: number;
  learningRate: number;
  /** As the user types it: ',', '\t' (backslash-t), ';', '::', '|'. */
  delimiter: string;
  hpo: boolean;
}

export const DEFAULT_HYPERPARAMETERS: Hyperparameters = {
  epochs: 20,
  batchSize: 128,
  factors: 8,
  learningRate: 5e-3,
  delimiter: ',',
  hpo: false,
};

export type ColumnRole = 'user' | 'item' | 'rating' | 'time';

/** What the data inspection found in a ratings file, before any upload. */
export interface DataInspection {
  /** Absolute path of the file inspected. */
  file: string;
  bytes: number;
  /** As found: ',', '\t', ';', '|', '::' or ' '. */
  delimiter: string;
  hasHeader: boolean;
  encoding: 'utf-8' | 'latin-1';
  /** Column names as in the header, or `column 1`... when there is none. */
  columns: string[];
  /** Index into `columns` for each role found; user and item always exist on success. */
  roles: Partial<Record<ColumnRole, number>>;
  users: number;
  items: number;
  /** Distinct (user, item) pairs. */
  interactions: number;
  /** Data lines read, duplicates included. */
  rows: number;
  duplicates: number;
  /** Users with a single interaction: trained on, not evaluated. */
  singleInteractionUsers: number;
  /** First data rows, split into fields, for the preview. */
  preview: string[][];
  /** Blocking problems: the trainer would reject the file. */
  errors: DataProblem[];
  /** Worth knowing, not blocking. */
  warnings: DataProblem[];
}

export interface DataProblem {
  message: string;
  /** 1-based line number where the problem can be located. */
  line?: number;
}

export type RunStatus =
  'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export const FINAL_STATUSES: readonly RunStatus[] = [
  'completed',
  'failed',
  'cancelled',
];

export function isFinal(status: RunStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/**
 * The trainer's progress events: one JSON object per line on its standard
 * output, each with an `event` field. See training_code/README.md.
 */
export type TrainerEvent =
  | {
      event: 'start';
      users: number;
      items: number;
      interactions: number;
      train_interactions: number;
      evaluated_users: number;
      single_interaction_users: number;
      duplicates: number;
      epochs: number;
      hpo: boolean;
      /** HPO trials to run, 0 without HPO; absent from older runs' logs. */
      trials?: number;
      device: string;
      read_seconds: number;
    }
  | {
      event: 'epoch';
      epoch: number;
      epochs: number;
      loss: number;
      val_hr: number;
      val_ndcg: number;
      seconds: number;
      samples_per_second: number;
      /** Set while HPO is running: the trial this epoch belongs to. */
      trial?: number;
    }
  | {
      /** An epoch without validation: pretraining, or the refit. */
      event: 'phase';
      phase: 'pretrain' | 'refit';
      epoch: number;
      epochs: number;
      loss: number;
      seconds: number;
    }
  | {
      event: 'trial';
      trial: number;
      trials: number;
      params: Record<string, number>;
      val_hr: number;
      val_ndcg: number;
      state: 'complete' | 'pruned' | 'failed';
      seconds: number;
    }
  | {
      event: 'end';
      test_hr: number;
      test_ndcg: number;
      val_hr: number;
      val_ndcg: number;
      epochs_run: number;
      train_seconds: number;
      /** The HPO search's wall time, 0 without HPO; absent from older logs. */
      search_seconds?: number;
    }
  | { event: 'error'; code: number; message: string };

/** One observation of a run's status, for the status sparkline. */
export interface StatusSample {
  at: number;
  status: RunStatus;
}

/** What a backend reports when asked about a run. */
export interface RunSnapshot {
  id: string;
  status: RunStatus;
  startedAt?: number;
  endedAt?: number;
  exitCode?: number | null;
  /** A one-line reason when the run failed or was cancelled. */
  reason?: string;
}

/** `trained_model/metrics.json`, the fields the app reads. */
export interface TrainedModelMetrics {
  hit_rate_at_10: number;
  ndcg_at_10: number;
  protocol: string;
  users: number;
  items: number;
  interactions: number;
  epochs_run: number;
  train_seconds: number;
  /** The HPO search's wall time (0 without --hpo; absent from older models). */
  search_seconds?: number;
  [key: string]: unknown;
}

export interface Recommendation {
  item: string;
  score: number;
  title?: string;
}
