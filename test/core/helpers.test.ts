import { describe, expect, it } from 'vitest';
import {
  checkHyperparameter,
  stepHyperparameter,
} from '../../src/core/hyperparameters.js';
import {
  estimateTimeLeft,
  formatBytes,
  formatDuration,
  summarizeEpochs,
  transferFigures,
} from '../../src/core/progress.js';
import { DEFAULT_HYPERPARAMETERS } from '../../src/core/types.js';

const epoch = (n: number, seconds: number, valHr = 0.1 * n) => ({
  epoch: n,
  epochs: 10,
  loss: 1 / n,
  valHr,
  valNdcg: valHr / 2,
  seconds,
});

describe('progress helpers', () => {
  it('summarizes epochs', () => {
    const summary = summarizeEpochs([
      epoch(1, 10),
      epoch(2, 20, 0.5),
      epoch(3, 30, 0.4),
    ]);
    expect(summary.done).toBe(3);
    expect(summary.total).toBe(10);
    expect(summary.best?.epoch).toBe(2);
    expect(summary.secondsPerEpoch).toBe(20);
    expect(summary.losses).toHaveLength(3);
    expect(summarizeEpochs([], 7)).toMatchObject({
      done: 0,
      total: 7,
      latest: null,
    });
  });

  it('estimates the time left from recent epochs', () => {
    expect(estimateTimeLeft([], 10)).toBeNull();
    expect(estimateTimeLeft([epoch(1, 10), epoch(2, 20)], 10)).toBe(120);
    expect(estimateTimeLeft([epoch(10, 10)], 10)).toBe(0);
  });

  it('formats durations and bytes', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(125)).toBe('2m 05s');
    expect(formatDuration(3720)).toBe('1h 02m');
    expect(formatDuration(null)).toBe('–');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.00 GB');
  });

  it('computes a transfer’s rate and time left', () => {
    const progress = {
      name: 'f',
      bytesDone: 1000,
      bytesTotal: 4000,
      filesDone: 0,
      filesTotal: 1,
    };
    expect(transferFigures({ progress, startedAt: 0 }, 2000)).toEqual({
      fraction: 0.25,
      rate: 500,
      secondsLeft: 6,
    });
    expect(transferFigures({ progress, startedAt: 0 }, 0).rate).toBeNull();
  });
});

describe('hyperparameter rules', () => {
  it('checks typed values', () => {
    expect(checkHyperparameter('epochs', '20')).toEqual({
      ok: true,
      value: 20,
    });
    expect(checkHyperparameter('epochs', '2.5').ok).toBe(false);
    expect(checkHyperparameter('batchSize', '0').ok).toBe(false);
    expect(checkHyperparameter('learningRate', '2').ok).toBe(false);
    expect(checkHyperparameter('learningRate', '0').ok).toBe(false);
    expect(checkHyperparameter('learningRate', '.01')).toEqual({
      ok: true,
      value: 0.01,
    });
    expect(checkHyperparameter('delimiter', '\\t').ok).toBe(true);
    expect(checkHyperparameter('delimiter', 'x').ok).toBe(false);
  });

  it('steps by sensible amounts and stays in range', () => {
    const h = DEFAULT_HYPERPARAMETERS;
    expect(stepHyperparameter(h, 'learningRate', 1).learningRate).toBe(0.01);
    expect(stepHyperparameter(h, 'learningRate', -1).learningRate).toBe(0.002);
    expect(
      stepHyperparameter({ ...h, learningRate: 1 }, 'learningRate', 1)
        .learningRate,
    ).toBe(1);
    expect(stepHyperparameter({ ...h, epochs: 1 }, 'epochs', -1).epochs).toBe(
      1,
    );
    expect(
      stepHyperparameter({ ...h, batchSize: 1 }, 'batchSize', -1).batchSize,
    ).toBe(1);
    expect(
      stepHyperparameter({ ...h, factors: 16 }, 'factors', 1).factors,
    ).toBe(32);
    expect(
      stepHyperparameter({ ...h, delimiter: '::' }, 'delimiter', 1).delimiter,
    ).toBe(' ');
    expect(
      stepHyperparameter({ ...h, delimiter: ' ' }, 'delimiter', 1).delimiter,
    ).toBe(',');
    expect(stepHyperparameter(h, 'hpo', 1).hpo).toBe(true);
  });
});
