import { describe, expect, it } from 'vitest';
import { failureMessage } from '../../src/core/machine-setup.js';
import {
  describeEpochsRun,
  describeTrainingTime,
  finalTraining,
  runTimeLeft,
  searchProgress,
} from '../../src/core/progress.js';
import type {
  EpochSummary,
  PhaseEvent,
  TrialSummary,
} from '../../src/core/journey.js';

const epoch = (n: number, seconds = 3): EpochSummary => ({
  epoch: n,
  epochs: 10,
  loss: 0.3,
  valHr: 0.5,
  valNdcg: 0.3,
  seconds,
});
const pretrain = (n: number, of = 5, seconds = 2): PhaseEvent => ({
  event: 'phase',
  phase: 'pretrain',
  epoch: n,
  epochs: of,
  loss: 0.4,
  seconds,
});
const refit = (n: number, of: number): PhaseEvent => ({
  event: 'phase',
  phase: 'refit',
  epoch: n,
  epochs: of,
  loss: 0.3,
  seconds: 2,
});
const metrics = {
  hit_rate_at_10: 0.7,
  ndcg_at_10: 0.4,
  protocol: 'leave-one-out',
  users: 1,
  items: 1,
  interactions: 1,
  epochs_run: 15,
  train_seconds: 28,
};

describe('runTimeLeft', () => {
  it('counts the validated epochs still to come while pretraining', () => {
    const left = runTimeLeft({
      epochs: [],
      totalEpochs: 10,
      phase: pretrain(1),
      ended: false,
    });
    // Four pretraining epochs and ten validated ones, 2 s each.
    expect(left).toBe(28);
  });

  it('is unknown once the run has ended, or without a total', () => {
    const epochs = [epoch(1), epoch(2)];
    expect(
      runTimeLeft({ epochs, totalEpochs: 10, phase: null, ended: true }),
    ).toBeNull();
    expect(
      runTimeLeft({ epochs, totalEpochs: 10, phase: null, ended: false }),
    ).toBe(24);
    expect(
      runTimeLeft({
        epochs: [],
        totalEpochs: null,
        phase: pretrain(1),
        ended: false,
      }),
    ).toBeNull();
  });
});

describe('describeEpochsRun', () => {
  it('says the pretraining apart, from metrics.json or the phase events', () => {
    expect(
      describeEpochsRun({ metrics: { ...metrics, pretrain_epochs: 5 } }),
    ).toBe('10 epochs (+5 pretraining)');
    expect(
      describeEpochsRun({
        end: {
          event: 'end',
          test_hr: 0.7,
          test_ndcg: 0.4,
          val_hr: 0.7,
          val_ndcg: 0.4,
          epochs_run: 15,
          train_seconds: 28,
        },
        phases: [pretrain(1), pretrain(2)],
      }),
    ).toBe('10 epochs (+5 pretraining)');
    expect(
      describeEpochsRun({
        metrics: { ...metrics, epochs_run: 1, pretrain_epochs: 0 },
      }),
    ).toBe('1 epoch');
    expect(describeEpochsRun({})).toBe('– epochs');
    // refit_epochs counts the refit's own pretraining: 12 is 5 + 7.
    expect(
      describeEpochsRun({
        metrics: { ...metrics, pretrain_epochs: 5, refit_epochs: 12 },
      }),
    ).toBe('10 epochs (+5 pretraining), then 7 refitting (+5 pretraining)');
    expect(
      describeEpochsRun({
        metrics: {
          ...metrics,
          epochs_run: 10,
          pretrain_epochs: 0,
          refit_epochs: 6,
        },
      }),
    ).toBe('10 epochs, then 6 refitting');
    // Without metrics.json, the refit's phase events say how many.
    expect(
      describeEpochsRun({
        end: {
          event: 'end',
          test_hr: 0.7,
          test_ndcg: 0.4,
          val_hr: 0.7,
          val_ndcg: 0.4,
          epochs_run: 15,
          train_seconds: 28,
        },
        phases: [pretrain(1), refit(1, 4), refit(2, 4)],
      }),
    ).toBe('10 epochs (+5 pretraining), then 4 refitting (+5 pretraining)');
  });
});

describe('describeTrainingTime', () => {
  const trial = (n: number, seconds: number): TrialSummary => ({
    trial: n,
    trials: 3,
    params: {},
    valHr: 0.6,
    valNdcg: 0.4,
    state: 'complete',
    seconds,
  });
  it('adds the search when every trial was seen', () => {
    expect(describeTrainingTime({ trainSeconds: 18, trials: [] })).toBe('18s');
    expect(
      describeTrainingTime({
        trainSeconds: 18,
        trials: [trial(1, 30), trial(2, 40), trial(3, 30)],
      }),
    ).toBe('18s (1m 58s with the 3-trial search)');
    // A trial missed: the total is not known.
    expect(
      describeTrainingTime({ trainSeconds: 18, trials: [trial(2, 40)] }),
    ).toBe('18s');
  });

  it("prefers the trainer's search_seconds, trials missed or not", () => {
    // The search's wall time counts more than the trials' own seconds.
    expect(
      describeTrainingTime({
        trainSeconds: 18,
        trials: [trial(2, 40)],
        searchSeconds: 110,
      }),
    ).toBe('18s (2m 08s with the 3-trial search)');
    // No trial event seen: the start event's count, else none.
    expect(
      describeTrainingTime({
        trainSeconds: 18,
        trials: [],
        searchSeconds: 110,
        plannedTrials: 12,
      }),
    ).toBe('18s (2m 08s with the 12-trial search)');
    expect(
      describeTrainingTime({
        trainSeconds: 18,
        trials: [],
        searchSeconds: 110,
      }),
    ).toBe('18s (2m 08s with the search)');
    // Without HPO the trainer says 0 for both.
    expect(
      describeTrainingTime({
        trainSeconds: 18,
        trials: [],
        searchSeconds: 0,
        plannedTrials: 0,
      }),
    ).toBe('18s');
  });
});

describe('searchProgress', () => {
  const trialEpoch = (trial: number, n: number, seconds = 5): EpochSummary => ({
    ...epoch(n, seconds),
    epochs: 4,
    trial,
  });
  const ended = (
    n: number,
    seconds: number,
    state = 'complete',
  ): TrialSummary => ({
    trial: n,
    trials: 10,
    params: { epochs: n + 3 },
    valHr: 0.5 + n / 100,
    valNdcg: 0.3,
    state: state as TrialSummary['state'],
    seconds,
  });
  const base = { hpo: true, phases: [], ended: false };

  it("counts trials, not the running trial's epochs", () => {
    const search = searchProgress({
      ...base,
      epochs: [trialEpoch(3, 1), trialEpoch(3, 2)],
      trials: [ended(1, 20), ended(2, 10, 'pruned')],
    });
    // 15 s a trial: the running one's 15 - 10, 7 more, then two complete
    // trials (20 s) for the final training.
    expect(search).toEqual({
      done: 2,
      total: 10,
      running: 3,
      epoch: { epoch: 2, epochs: 4 },
      secondsLeft: 5 + 7 * 15 + 2 * 20,
    });
  });

  it('times the first trial by its epochs, and uses the trainer default count', () => {
    const search = searchProgress({
      ...base,
      epochs: [trialEpoch(1, 1, 3)],
      trials: [],
    });
    expect(search?.total).toBe(12);
    // 4 epochs of 3 s make a trial: 12 - 3 left, 11 more, two for the final.
    expect(search?.secondsLeft).toBe(9 + 11 * 12 + 2 * 12);
  });

  it("takes the start event's trial count until a trial event says it", () => {
    const first = searchProgress({
      ...base,
      plannedTrials: 4,
      epochs: [trialEpoch(1, 1, 3)],
      trials: [],
    });
    expect(first?.total).toBe(4);
    // 12 s a trial: 12 - 3 left, 3 more, two for the final training.
    expect(first?.secondsLeft).toBe(9 + 3 * 12 + 2 * 12);
    expect(
      searchProgress({ ...base, plannedTrials: 4, epochs: [], trials: [] }),
    ).toMatchObject({ done: 0, total: 4, running: 1, secondsLeft: null });
    // A trial event's count wins over the start event's.
    expect(
      searchProgress({
        ...base,
        plannedTrials: 4,
        epochs: [],
        trials: [ended(1, 20)],
      })?.total,
    ).toBe(10);
  });

  it('is null without HPO and once the final training has begun', () => {
    expect(
      searchProgress({ ...base, hpo: false, epochs: [epoch(1)], trials: [] }),
    ).toBeNull();
    expect(
      searchProgress({
        ...base,
        epochs: [trialEpoch(10, 4)],
        trials: [ended(10, 20)],
        phases: [pretrain(1)],
      }),
    ).toBeNull();
    expect(
      searchProgress({ ...base, epochs: [epoch(1)], trials: [ended(1, 20)] }),
    ).toBeNull();
  });
});

describe('finalTraining', () => {
  it("leaves the trials' epochs out and takes the best trial's count", () => {
    const trials: TrialSummary[] = [
      {
        trial: 1,
        trials: 2,
        params: { epochs: 7 },
        valHr: 0.6,
        valNdcg: 0.4,
        state: 'complete',
        seconds: 9,
      },
      {
        trial: 2,
        trials: 2,
        params: { epochs: 9 },
        valHr: 0.7,
        valNdcg: 0.4,
        state: 'pruned',
        seconds: 3,
      },
    ];
    const final = finalTraining({
      epochs: [{ ...epoch(3), trial: 2 }],
      trials,
      maxEpochs: 20,
    });
    expect(final).toEqual({ epochs: [], totalEpochs: 7 });
    expect(
      finalTraining({ epochs: [epoch(1)], trials, maxEpochs: 20 }).totalEpochs,
    ).toBe(10);
  });
});

describe('failureMessage', () => {
  it('adds "Training failed" only where the reason does not say it', () => {
    expect(failureMessage('Training failed with exit code 137')).toBe(
      'Training failed with exit code 137',
    );
    expect(failureMessage('killed by signal 9 (SIGKILL)')).toBe(
      'Training failed: killed by signal 9 (SIGKILL)',
    );
    expect(failureMessage('line 7: no item id')).toBe(
      'Training failed: line 7: no item id',
    );
  });
});
