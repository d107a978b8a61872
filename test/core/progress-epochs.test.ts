import { describe, expect, it } from 'vitest';
import { failureMessage } from '../../src/core/machine-setup.js';
import { describeEpochsRun, runTimeLeft } from '../../src/core/progress.js';
import type { EpochSummary, PhaseEvent } from '../../src/core/journey.js';

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
    expect(
      describeEpochsRun({
        metrics: { ...metrics, pretrain_epochs: 5, refit_epochs: 12 },
      }),
    ).toBe('10 epochs (+5 pretraining), then 12 refitting');
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
