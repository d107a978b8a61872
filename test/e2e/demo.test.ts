/**
 * The main job end to end, no mocks: `maxrec demo` on the bundled sample
 * with the real trainer, as the README's first command runs it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  makeWorkspace,
  repoRoot,
  runCli,
  type CliResult,
} from '../helpers/cli.js';

const python = path.join(repoRoot, '.venv', 'bin', 'python');

describe('maxrec demo', () => {
  const ws = makeWorkspace();
  let result: CliResult;

  beforeAll(async () => {
    result = await runCli(['demo', '--epochs', '2', '--user', '414'], {
      cwd: ws.dir,
      env: ws.env,
      timeoutMs: 600_000,
    });
  }, 620_000);

  it('trains and exits 0', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Training id: train-/);
    expect(result.stdout).toMatch(/Epoch 2\/2/);
  });

  it('leaves the log, the archive and the extracted model in ./training_output', () => {
    const staging = path.join(ws.dir, 'training_output');
    expect(
      readFileSync(path.join(staging, 'training-log.txt'), 'utf8'),
    ).toMatch(/"event": ?"end"/);
    expect(existsSync(path.join(staging, 'model_training_output.tar.gz'))).toBe(
      true,
    );
    for (const file of [
      'model.onnx',
      'users.json',
      'items.json',
      'parameters.json',
      'metrics.json',
    ]) {
      expect(existsSync(path.join(staging, 'trained_model', file))).toBe(true);
    }
  });

  it('prints the metrics read back from metrics.json', () => {
    const metrics = JSON.parse(
      readFileSync(
        path.join(ws.dir, 'training_output/trained_model/metrics.json'),
        'utf8',
      ),
    ) as { hit_rate_at_10: number; ndcg_at_10: number; epochs_run: number };
    expect(metrics.epochs_run).toBe(2);
    expect(result.stdout).toContain(
      `Test HR@10 ${metrics.hit_rate_at_10.toFixed(3)}, NDCG@10 ${metrics.ndcg_at_10.toFixed(3)}`,
    );
  });

  it('prints recommendations that come from the trained model', () => {
    const printed = [...result.stdout.matchAll(/\(item (\d+), score/g)].map(
      (m) => m[1],
    );
    expect(printed).toHaveLength(5);
    // The same model scored independently, in Python with onnxruntime.
    const script = `
import json, sys, numpy as np, onnxruntime as ort
d = sys.argv[1]
users = json.load(open(d + '/users.json')); items = json.load(open(d + '/items.json'))
by_index = {v: k for k, v in items.items()}
s = ort.InferenceSession(d + '/model.onnx')
n = len(items)
scores = s.run(None, {'user': np.full(n, users['414'], dtype=np.int64),
                      'item': np.arange(n, dtype=np.int64)})[0]
seen = set()
try:
    import struct
    raw = open(d + '/seen_items.bin', 'rb').read()
    nu, nnz = struct.unpack_from('<II', raw, 8)
    indptr = np.frombuffer(raw, '<u4', nu + 1, 16)
    indices = np.frombuffer(raw, '<u4', nnz, 16 + 4 * (nu + 1))
    u = users['414']
    seen = set(indices[indptr[u]:indptr[u + 1]].tolist())
except FileNotFoundError:
    pass
order = [int(i) for i in np.argsort(-scores, kind='stable') if int(i) not in seen]
print(json.dumps([by_index[i] for i in order[:5]]))
`;
    const expected = JSON.parse(
      execFileSync(python, [
        '-c',
        script,
        path.join(ws.dir, 'training_output/trained_model'),
      ]).toString(),
    ) as string[];
    expect(printed).toEqual(expected);
  });
});
