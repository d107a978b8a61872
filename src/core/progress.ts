/** Pure summaries of a run's progress, shared by the screens and the CLI. */
import type {
  EndEvent,
  EpochSummary,
  PhaseEvent,
  TransferState,
  TrialSummary,
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
 * train_ncf.py's --hpo_trials default: the count for an older run's log,
 * whose start event does not say it, until a trial event does.
 */
export const TRAINER_HPO_TRIALS = 12;

/** Where a hyperparameter search stands, while it runs. */
export interface SearchProgress {
  /** Trials finished (complete, pruned or failed). */
  done: number;
  total: number;
  /** The trial running now, 1-based: its epoch events carry it. */
  running: number;
  /** Its epochs so far, of at most `epochs`; null before its first. */
  epoch: { epoch: number; epochs: number } | null;
  /** The trials left and the final training; null until timed. */
  secondsLeft: number | null;
}

const mean = (values: readonly number[]) =>
  values.length === 0
    ? null
    : values.reduce((sum, v) => sum + v, 0) / values.length;

/**
 * The search's progress while HPO runs, null without HPO or once the final
 * training has begun: its pretraining phase events (trials send none) or an
 * epoch event outside any trial. Time left: the trials still to run at the
 * mean trial's time, less what the running one has spent, plus the final
 * training, timed as two complete trials (it trains the chosen values on
 * validation once, then refits for the epochs it chose). The trial count:
 * the trial events', else the start event's `trials` (`plannedTrials`).
 */
export function searchProgress(run: {
  hpo: boolean;
  plannedTrials?: number | undefined;
  epochs: readonly EpochSummary[];
  trials: readonly TrialSummary[];
  phases: readonly PhaseEvent[];
  ended: boolean;
}): SearchProgress | null {
  const { epochs, trials, phases } = run;
  const inTrials = epochs.filter((e) => e.trial !== undefined);
  const hpo = run.hpo || trials.length > 0 || inTrials.length > 0;
  if (!hpo) return null;
  if (phases.length > 0 || epochs.some((e) => e.trial === undefined)) {
    return null;
  }
  const done = trials.length;
  const planned =
    run.plannedTrials !== undefined && run.plannedTrials > 0
      ? run.plannedTrials
      : TRAINER_HPO_TRIALS;
  const total = Math.max(trials.at(-1)?.trials ?? planned, done);
  const latest = inTrials.at(-1);
  const running =
    latest?.trial !== undefined && latest.trial > done
      ? latest.trial
      : Math.min(total, done + 1);
  const current = inTrials.filter((e) => e.trial === running);
  const last = current.at(-1);
  const epoch = last ? { epoch: last.epoch, epochs: last.epochs } : null;
  // Before a trial has ended, the running one's epochs time a trial: at
  // most its epochs at their mean time (early stopping may end it sooner).
  const perEpoch = mean(current.map((e) => e.seconds));
  const trialSeconds =
    mean(trials.map((t) => t.seconds)) ??
    (perEpoch !== null && last ? perEpoch * last.epochs : null);
  const completeSeconds =
    mean(trials.filter((t) => t.state === 'complete').map((t) => t.seconds)) ??
    trialSeconds;
  let secondsLeft: number | null = null;
  if (!run.ended && trialSeconds !== null && completeSeconds !== null) {
    const spent = current.reduce((sum, e) => sum + e.seconds, 0);
    const runningLeft = done < total ? Math.max(0, trialSeconds - spent) : 0;
    const notStarted = Math.max(0, total - done - 1);
    secondsLeft = runningLeft + notStarted * trialSeconds + 2 * completeSeconds;
  }
  return { done, total, running, epoch, secondsLeft };
}

/**
 * The epochs of the final training, without any trial's; and how many it
 * will run: its own epoch events say, else the best complete trial's
 * `epochs` (the values the search hands on), else the run's maximum.
 */
export function finalTraining(run: {
  epochs: readonly EpochSummary[];
  trials: readonly TrialSummary[];
  maxEpochs: number | null;
}): { epochs: EpochSummary[]; totalEpochs: number | null } {
  const epochs = run.epochs.filter((e) => e.trial === undefined);
  let best: TrialSummary | undefined;
  for (const trial of run.trials) {
    if (trial.state !== 'complete') continue;
    const score = trial.valHr + trial.valNdcg;
    if (!best || score > best.valHr + best.valNdcg) best = trial;
  }
  const chosen = best?.params['epochs'];
  return {
    epochs,
    totalEpochs: epochs.at(-1)?.epochs ?? chosen ?? run.maxEpochs,
  };
}

/**
 * How many epochs trained, as true as the run tells: '10 epochs (+5
 * pretraining)'. metrics.json's epochs_run and the end event's count the
 * pretraining epochs too; metrics.json says how many, else the first
 * pretraining phase event does. A refit follows, said apart: its
 * refit_epochs in metrics.json count its own pretraining too (it pretrains
 * again), so they are taken off; without metrics.json the refit's phase
 * events say how many.
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
  const counted = (epochs: number, noun: string) =>
    pretrain > 0
      ? `${epochs} ${noun} (+${pretrain} pretraining)`
      : `${epochs} ${noun}`;
  const trained = counted(validated, validated === 1 ? 'epoch' : 'epochs');
  const refitWithPretraining = run.metrics?.refit_epochs;
  const refit =
    typeof refitWithPretraining === 'number'
      ? refitWithPretraining - pretrain
      : run.phases?.findLast((p) => p.phase === 'refit')?.epochs;
  return refit !== undefined && refit > 0
    ? `${trained}, then ${counted(refit, 'refitting')}`
    : trained;
}

/**
 * How long it took: the trainer's train_seconds (pretraining, the epochs and
 * the refit), and with HPO the whole, search included: '18s (1m 58s with the
 * 12-trial search)'. The search's time is the trainer's search_seconds; an
 * older run's log lacks it, and then the trials' own times stand for it when
 * every trial's event was seen. The count: the trial events', else the start
 * event's `trials` (`plannedTrials`).
 */
export function describeTrainingTime(run: {
  trainSeconds: number | undefined;
  trials: readonly TrialSummary[];
  searchSeconds?: number | undefined;
  plannedTrials?: number | undefined;
}): string {
  const training = formatDuration(run.trainSeconds);
  if (run.trainSeconds === undefined) return training;
  const total = run.trials.at(-1)?.trials ?? run.plannedTrials;
  let search: number | null = null;
  if (run.searchSeconds !== undefined && run.searchSeconds > 0) {
    search = run.searchSeconds;
  } else if (
    total !== undefined &&
    new Set(run.trials.map((t) => t.trial)).size >= total
  ) {
    search = run.trials.reduce((sum, t) => sum + t.seconds, 0);
  }
  if (search === null || search === 0) return training;
  const counted =
    total !== undefined && total > 0 ? `the ${total}-trial` : 'the';
  return (
    `${training} (${formatDuration(search + run.trainSeconds)} with ` +
    `${counted} search)`
  );
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
