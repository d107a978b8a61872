import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Recommender } from '../../src/services/recommender.js';

const PYTHON = path.resolve('.venv/bin/python');

/**
 * A 3-user, 4-item model with fixed embeddings, so the ranking is known:
 * user a prefers items 20 > 30 > 40 > 10, user b the reverse. Written as
 * model.onnx (pairs) and, kept aside for the tests that want them, as
 * user_scores.onnx graphs: one scoring all 4 items, one only 3, one with
 * other weights (as if from another training run).
 */
const EXPORT_MODEL = `
import os, sys, warnings, torch
warnings.filterwarnings('ignore')

class TinyModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.users = torch.nn.Embedding(3, 2)
        self.items = torch.nn.Embedding(4, 2)
        with torch.no_grad():
            self.users.weight.copy_(torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]]))
            self.items.weight.copy_(torch.tensor([[0.1, 0.0], [0.4, 0.0], [0.3, 0.0], [0.2, 0.0]]))

    def forward(self, user, item):
        return torch.sigmoid((self.users(user) * self.items(item)).sum(-1))

class TinyUserScores(torch.nn.Module):
    def __init__(self, model, items, scale):
        super().__init__()
        self.model, self.items, self.scale = model, items, scale

    def forward(self, user):
        items = self.model.items.weight[:self.items] * self.scale
        return torch.sigmoid(self.model.users(user) @ items.T)

model = TinyModel()
folder = sys.argv[1]
torch.onnx.export(
    model, (torch.tensor([0, 1]), torch.tensor([0, 1])), os.path.join(folder, 'model.onnx'),
    input_names=['user', 'item'], output_names=['score'],
    dynamic_axes={'user': {0: 'n'}, 'item': {0: 'n'}, 'score': {0: 'n'}},
    dynamo=False,
)
for items, scale, name in (
    (4, 1, 'user-scores.onnx'),
    (3, 1, 'user-scores-3-items.onnx'),
    (4, 2, 'user-scores-other-run.onnx'),
):
    torch.onnx.export(
        TinyUserScores(model, items, scale), (torch.tensor([0]),), os.path.join(folder, name),
        input_names=['user'], output_names=['scores'],
        dynamic_axes={'user': {0: 'k'}, 'scores': {0: 'k'}},
        dynamo=False,
    )
`;

/** seen_items.bin via the trainer's own writer: a saw item 20, b 10 and 40. */
const WRITE_SEEN = `
import sys, numpy as np
sys.path.insert(0, 'training_code')
from maxrec_trainer.seen_items import write_seen_items
write_seen_items(sys.argv[1], np.array([0, 1, 1]), np.array([1, 3, 0]), int(sys.argv[2]))
`;

const TITLES = [
  'movieId,title,genres',
  '10,"Heat, the remake (1995)",Action|Crime',
  '20,Toy Story (1995),Animation',
  '30,"Twelve Monkeys (a.k.a. 12 Monkeys) (1995)",Sci-Fi',
  '999,Not in the model,Drama',
  '',
].join('\n');

let modelDir: string;
let recommender: Recommender;

beforeAll(async () => {
  if (!existsSync(PYTHON)) {
    throw new Error(
      `No Python environment at ${PYTHON}: run npm run setup:python first.`,
    );
  }
  modelDir = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-model-'));
  execFileSync(PYTHON, ['-c', EXPORT_MODEL, modelDir]);
  await fs.writeFile(
    path.join(modelDir, 'users.json'),
    JSON.stringify({ a: 0, b: 1, c: 2 }),
  );
  await fs.writeFile(
    path.join(modelDir, 'items.json'),
    JSON.stringify({ '10': 0, '20': 1, '30': 2, '40': 3 }),
  );
  await fs.writeFile(path.join(modelDir, 'movies.csv'), TITLES);
  for (const [name, users] of [
    ['seen.bin', '3'],
    ['seen-2-users.bin', '2'],
  ] as const) {
    execFileSync(PYTHON, ['-c', WRITE_SEEN, path.join(modelDir, name), users]);
  }
  recommender = await Recommender.load(modelDir, {
    titlesFile: path.join(modelDir, 'movies.csv'),
  });
}, 120_000);

afterAll(async () => {
  await recommender?.close();
  await fs.rm(modelDir, { recursive: true, force: true });
});

describe('Recommender', () => {
  it('refuses a titles file that does not exist (exit 4), without crashing', async () => {
    await expect(
      Recommender.load(modelDir, {
        titlesFile: path.join(modelDir, 'no-such-titles.csv'),
      }),
    ).rejects.toMatchObject({ exitCode: 4 });
  });

  it('ranks every item for a user, with titles', async () => {
    const top = await recommender.recommend('a', 3);
    expect(top.map((r) => r.item)).toEqual(['20', '30', '40']);
    expect(top[0]).toEqual({
      item: '20',
      score: expect.closeTo(1 / (1 + Math.exp(-0.4)), 5) as number,
      title: 'Toy Story (1995)',
    });
    expect(top[2]?.title).toBeUndefined();
    const reversed = await recommender.recommend('b', 10);
    expect(reversed.map((r) => r.item)).toEqual(['10', '40', '30', '20']);
    expect(reversed[0]?.title).toBe('Heat, the remake (1995)');
    expect(recommender.size).toEqual({ users: 3, items: 4 });
  });

  it('leaves out excluded items and can be asked again', async () => {
    const top = await recommender.recommend('a', 2, {
      exclude: new Set(['20']),
    });
    expect(top.map((r) => r.item)).toEqual(['30', '40']);
    const again = await Promise.all([
      recommender.recommend('a', 1),
      recommender.recommend('b', 1),
    ]);
    expect(again.map((r) => r[0]?.item)).toEqual(['20', '10']);
  });

  it('leaves out the training items of seen_items.bin on request', async () => {
    await fs.copyFile(
      path.join(modelDir, 'seen.bin'),
      path.join(modelDir, 'seen_items.bin'),
    );
    const withSeen = await Recommender.load(modelDir);
    try {
      expect(withSeen.canExcludeSeen).toBe(true);
      const a = await withSeen.recommend('a', 10, { excludeSeen: true });
      expect(a.map((r) => r.item)).toEqual(['30', '40', '10']);
      const b = await withSeen.recommend('b', 10, {
        excludeSeen: true,
        exclude: new Set(['30']),
      });
      expect(b.map((r) => r.item)).toEqual(['20']);
      const c = await withSeen.recommend('c', 4, { excludeSeen: true });
      expect(c).toHaveLength(4);
      expect((await withSeen.recommend('b', 2)).map((r) => r.item)).toEqual([
        '10',
        '40',
      ]);
    } finally {
      await withSeen.close();
      await fs.rm(path.join(modelDir, 'seen_items.bin'));
    }
  });

  it('refuses exclude_seen without seen_items.bin (exit 1)', async () => {
    expect(recommender.canExcludeSeen).toBe(false);
    await expect(
      recommender.recommend('a', 3, { excludeSeen: true }),
    ).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringContaining('without seen_items.bin') as string,
    });
  });

  it('reports a corrupt seen_items.bin (exit 7)', async () => {
    const seenFile = path.join(modelDir, 'seen_items.bin');
    const good = await fs.readFile(path.join(modelDir, 'seen.bin'));
    try {
      for (const bad of [
        Buffer.from('NOTMAGIC'),
        good.subarray(0, good.length - 4),
        // Another model's: 2 users, where this model has 3.
        await fs.readFile(path.join(modelDir, 'seen-2-users.bin')),
      ]) {
        await fs.writeFile(seenFile, bad);
        await expect(Recommender.load(modelDir)).rejects.toMatchObject({
          exitCode: 7,
          message: expect.stringContaining('seen_items.bin') as string,
        });
      }
    } finally {
      await fs.rm(seenFile, { force: true });
    }
  });

  it('scores with user_scores.onnx when the folder has one, many users at once', async () => {
    const userScores = path.join(modelDir, 'user_scores.onnx');
    await fs.copyFile(path.join(modelDir, 'user-scores.onnx'), userScores);
    const withUserScores = await Recommender.load(modelDir, {
      scoreCacheBytes: 2 ** 20,
    });
    try {
      const ranked = await withUserScores.recommendMany(
        ['a', 'b', 'c', 'a'],
        4,
      );
      const expected = await Promise.all(
        ['a', 'b', 'c', 'a'].map((user) => recommender.recommend(user, 4)),
      );
      expect(ranked.map((r) => r.map((x) => x.item))).toEqual(
        expected.map((r) => r.map((x) => x.item)),
      );
      ranked.flat().forEach((r, i) => {
        expect(r.score).toBeCloseTo(expected.flat()[i]!.score, 6);
      });
    } finally {
      await withUserScores.close();
      await fs.rm(userScores);
    }
  });

  it('reports a corrupt or mismatched user_scores.onnx at load (exit 7)', async () => {
    const userScores = path.join(modelDir, 'user_scores.onnx');
    try {
      await fs.writeFile(userScores, 'not a model');
      await expect(Recommender.load(modelDir)).rejects.toMatchObject({
        exitCode: 7,
        message: expect.stringMatching(
          /user_scores\.onnx cannot be loaded/,
        ) as string,
      });
      await fs.copyFile(
        path.join(modelDir, 'user-scores-3-items.onnx'),
        userScores,
      );
      await expect(Recommender.load(modelDir)).rejects.toMatchObject({
        exitCode: 7,
        message: expect.stringMatching(
          /user_scores\.onnx returned 6 scores for 2 users of 4 items/,
        ) as string,
      });
      await fs.copyFile(
        path.join(modelDir, 'user-scores-other-run.onnx'),
        userScores,
      );
      await expect(Recommender.load(modelDir)).rejects.toMatchObject({
        exitCode: 7,
        message: expect.stringMatching(
          /user_scores\.onnx does not match model\.onnx \(user index 0, item position 0: /,
        ) as string,
      });
    } finally {
      await fs.rm(userScores, { force: true });
    }
  });

  it('refuses an unknown user (exit 1), hinting at known ids', async () => {
    const error = await recommender.recommend('zz', 3).catch((e: unknown) => e);
    expect(error).toMatchObject({
      exitCode: 1,
      message: 'unknown user id "zz"',
    });
    expect((error as { hint: string }).hint).toContain('a, b, c');
    await expect(recommender.recommend('a', 0)).rejects.toMatchObject({
      exitCode: 1,
    });
  });

  it('lets runs in flight finish when closed, then refuses more', async () => {
    const closing = await Recommender.load(modelDir);
    const inFlight = closing.recommend('a', 2);
    const closed = closing.close();
    expect((await inFlight).map((r) => r.item)).toEqual(['20', '30']);
    await closed;
    await expect(closing.recommend('a', 2)).rejects.toThrow(/closed/);
    await closing.close();
  });

  it('reports a broken model folder (exit 7)', async () => {
    const broken = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-broken-'));
    try {
      await fs.writeFile(path.join(broken, 'users.json'), '{"a": 0}');
      await fs.writeFile(path.join(broken, 'items.json'), '{"x": -1}');
      await expect(Recommender.load(broken)).rejects.toMatchObject({
        exitCode: 7,
      });
      await fs.writeFile(path.join(broken, 'items.json'), '{"x": 0}');
      await fs.writeFile(path.join(broken, 'model.onnx'), 'not a model');
      await expect(Recommender.load(broken)).rejects.toMatchObject({
        exitCode: 7,
      });
    } finally {
      await fs.rm(broken, { recursive: true, force: true });
    }
  });
});
