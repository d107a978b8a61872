import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  failureReasonFromLog,
  killedReason,
  withoutUsageText,
} from '../../src/services/local/log-tail.js';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-log-tail-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function reasonOf(lines: string[]): Promise<string | undefined> {
  const file = path.join(dir, 'training-log.txt');
  await fs.writeFile(file, `${lines.join('\n')}\n`);
  return failureReasonFromLog(file);
}

const USAGE = [
  'usage: train_ncf.py [-h] --data DATA [--epoch EPOCH]',
  '                    [--device {cpu,cuda}] [--output OUTPUT]',
];

describe('failureReasonFromLog', () => {
  it('says the trainer was killed by a signal, not "exit code 137"', async () => {
    const reason = await reasonOf([
      'Pretraining GMF and MLP epoch 1/5  loss 0.3711',
      './train-max-model.sh: line 37: 20511 Killed   python3 train_ncf.py',
      'Training failed with exit code 137',
    ]);
    expect(reason).toBe('the training process was killed (signal 9, SIGKILL)');
  });

  it("gives the trainer's Error line, not the usage text or exit code", async () => {
    const reason = await reasonOf([
      ...USAGE,
      'train_ncf.py: --device cuda: no CUDA device is visible (see --help)',
      'Error: bad flags: --device cuda: no CUDA device is visible',
      'Training failed with exit code 2',
    ]);
    expect(reason).toBe('bad flags: --device cuda: no CUDA device is visible');
  });

  it('prefers an error event, and keeps a plain last line', async () => {
    expect(
      await reasonOf([
        '{"event": "error", "code": 4, "message": "no ratings"}',
        'Training failed with exit code 1',
      ]),
    ).toBe('no ratings');
    expect(await reasonOf(['Error: packing x failed'])).toBe(
      'Error: packing x failed',
    );
    expect(await reasonOf(['Training failed with exit code 1'])).toBe(
      'the trainer exited with code 1',
    );
  });
});

describe('killedReason', () => {
  it('names the signal of a 128 + N exit code only', () => {
    expect(killedReason(143)).toBe(
      'the training process was killed (signal 15, SIGTERM)',
    );
    expect(killedReason(1)).toBeUndefined();
    expect(killedReason(2)).toBeUndefined();
  });
});

describe('withoutUsageText', () => {
  it("drops argparse's usage block and keeps what follows", () => {
    expect(
      withoutUsageText(['Running: x', ...USAGE, 'train_ncf.py: bad', 'done']),
    ).toEqual(['Running: x', 'train_ncf.py: bad', 'done']);
  });
});
