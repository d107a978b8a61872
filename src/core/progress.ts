/** Pure summaries of a run's progress, shared by the screens and the CLI. */
import type {
  EndEvent,
  EpochSummary,
  PhaseEvent,
  TransferState,
} from './journey.js';
import type { TrainedModelMetrics } from './types.js';

export interface EpochsSummary {
  /** Epochs finished so far (of the current trial). */
  done: number;
  total: number;
  latest: EpochSummary | null;
  best: EpochSummary | null;
  losses: number[];
  hitRates: number[];
  ndcgs: number[];
  secondsPerEpoch: number | null;
}

export function summarizeEpochs(
  epochs: readonly EpochSummary[],
  totalEpochs?: number,
): EpochsSummary {
  const latest = epochs.at(-1) ?? null;
  let best: EpochSummary | null = null;
  for (const epoch of epochs) {
    if (!best || epoch.valHr > best.valHr) best = epoch;
  }
  const seconds = epochs.map((e) => e.seconds);
  return {
    done: latest?.epoch ?? 0,
    total: latest?.epochs ?? totalEpochs ?? 0,
    latest,
    best,
    losses: epochs.map((e) => e.loss),
    hitRates: epochs.map((e) => e.valHr),
    ndcgs: epochs.map((e) => e.valNdcg),
    secondsPerEpoch:
      seconds.length > 0
        ? seconds.reduce((a, b) => a + b, 0) / seconds.length
        : null,
  };
}

/**
 * Seconds left, from the mean of the last (up to five) epochs' durations
 * times the epochs still to run; null before the first epoch.
 */
export function estimateTimeLeft(
  epochs: readonly EpochSummary[],
  totalEpochs: number,
): number | null {
  const recent = epochs.slice(-5);
  if (recent.length === 0) return null;
  const mean = recent.reduce((sum, e) => sum + e.seconds, 0) / recent.length;
  const done = epochs.at(-1)?.epoch ?? 0;
  return Math.max(0, totalEpochs - done) * mean;
}

/**
 * Seconds left as the monitor shows them: null once the run has ended or
 * before anything can be timed. While pretraining runs, its epochs left
 * plus the validated epochs still to come, each timed as a pretraining
 * epoch until a validated one has been.
 */
export function runTimeLeft(progress: {
  epochs: readonly EpochSummary[];
  totalEpochs: number | null;
  phase: PhaseEvent | null;
  ended: boolean;
}): number | null {
  const { epochs, totalEpochs, phase, ended } = progress;
  if (ended) return null;
  if (!phase) {
    return totalEpochs === null ? null : estimateTimeLeft(epochs, totalEpochs);
  }
  const phaseLeft = Math.max(0, phase.epochs - phase.epoch) * phase.seconds;
  // The refit's own pretraining comes after the validated epochs: what
  // follows it (the refit) is not known yet.
  if (phase.phase !== 'pretrain' || epochs.length > 0) return phaseLeft;
  if (totalEpochs === null) return null;
  return phaseLeft + totalEpochs * phase.seconds;
}

/**
 * How many epochs trained, as true as the run tells: '10 epochs (+5
 * pretraining)'. metrics.json's epochs_run and the end event's count the
 * pretraining epochs too; metrics.json says how many, else the first
 * pretraining phase event does. A refit's epochs are said after them.
 */
export function describeEpochsRun(run: {
  metrics?: TrainedModelMetrics | undefined;
  end?: EndEvent | null | undefined;
  phases?: readonly PhaseEvent[] | undefined;
}): string {
  const epochsRun = run.metrics?.epochs_run ?? run.end?.epochs_run;
  if (epochsRun === undefined) return '– epochs';
  const fromMetrics = run.metrics?.pretrain_epochs;
  const pretrain =
    typeof fromMetrics === 'number'
      ? fromMetrics
      : (run.phases?.find((p) => p.phase === 'pretrain')?.epochs ?? 0);
  const validated = Math.max(0, epochsRun - pretrain);
  const noun = validated === 1 ? 'epoch' : 'epochs';
  const trained =
    pretrain > 0
      ? `${validated} ${noun} (+${pretrain} pretraining)`
      : `${validated} ${noun}`;
  // The refit's epochs (its pretraining included) are in train_seconds too.
  const refit = run.metrics?.refit_epochs;
  return typeof refit === 'number' && refit > 0
    ? `${trained}, then ${refit} refitting`
    : trained;
}

/** 5s, 2m 05s, 1h 02m; '–' for unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
    return '–';
  }
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

/** 610 users · 9,724 items · 100,836 interactions */
export function formatCounts(counts: {
  users: number;
  items: number;
  interactions: number;
}): string {
  const count = (n: number) => n.toLocaleString('en-US');
  return (
    `${count(counts.users)} users · ${count(counts.items)} items · ` +
    `${count(counts.interactions)} interactions`
  );
}

/** 512 B, 1.5 KB, 12.3 MB, 1.02 GB (powers of 1024). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

export interface TransferFigures {
  fraction: number;
  /** Bytes per second, null until some time has passed. */
  rate: number | null;
  /** Seconds left, null while the rate is unknown. */
  secondsLeft: number | null;
}

export function transferFigures(
  transfer: TransferState,
  now: number,
): TransferFigures {
  const { bytesDone, bytesTotal } = transfer.progress;
  const fraction = bytesTotal > 0 ? Math.min(1, bytesDone / bytesTotal) : 0;
  const elapsed = (now - transfer.startedAt) / 1000;
  const rate = elapsed > 0 && bytesDone > 0 ? bytesDone / elapsed : null;
  const secondsLeft =
    rate !== null ? Math.max(0, bytesTotal - bytesDone) / rate : null;
  return { fraction, rate, secondsLeft };
}
