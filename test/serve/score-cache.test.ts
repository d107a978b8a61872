import { describe, expect, it } from 'vitest';
import { ScoreCache } from '../../src/serve/score-cache.js';

/** A model run's answer: each user's "scores" are the user index. */
const scores = (users: readonly number[]) =>
  Promise.resolve(users.map((user) => new Float32Array([user])));

describe('ScoreCache', () => {
  it('keeps the most recently asked users within its bytes', async () => {
    // 2 users of 10 items (40 bytes each) fit in 100 bytes.
    const cache = new ScoreCache(100, 10);
    let runs = 0;
    const ask = async (user: number) => {
      const [kept] = cache.get([user], (missing) => {
        runs++;
        return scores(missing);
      });
      return kept!;
    };
    await ask(1);
    await ask(2);
    await ask(1); // kept; 1 is now the most recent
    await ask(3); // evicts 2
    expect(runs).toBe(3);
    await ask(1);
    expect(runs).toBe(3);
    expect((await ask(2))[0]).toBe(2);
    expect(runs).toBe(4);
  });

  it('shares one computation between callers, and forgets failures', async () => {
    const cache = new ScoreCache(1000, 10);
    let runs = 0;
    const slow = (missing: readonly number[]) => {
      runs++;
      return new Promise<Float32Array[]>((resolve) =>
        setTimeout(() => resolve(missing.map(() => new Float32Array([7]))), 20),
      );
    };
    const [a, b] = await Promise.all([
      ...cache.get([7], slow),
      ...cache.get([7], slow),
    ]);
    expect(a).toBe(b);
    expect(runs).toBe(1);
    await expect(
      Promise.all(
        cache.get([8, 9], () => Promise.reject(new Error('model failed'))),
      ),
    ).rejects.toThrow('model failed');
    const [eight] = cache.get([8], scores);
    expect((await eight!)[0]).toBe(8);
  });

  it('scores only the users it lacks, each once, in one call', async () => {
    const cache = new ScoreCache(1000, 10);
    await Promise.all(cache.get([2], scores));
    const asked: (readonly number[])[] = [];
    const answers = await Promise.all(
      cache.get([3, 2, 5, 3], (missing) => {
        asked.push(missing);
        return scores(missing);
      }),
    );
    expect(asked).toEqual([[3, 5]]);
    expect(answers.map((a) => a[0])).toEqual([3, 2, 5, 3]);
  });

  it('keeps nothing when too small for one user, yet answers', async () => {
    const cache = new ScoreCache(10, 10);
    let runs = 0;
    for (let i = 0; i < 2; i++) {
      const answers = await Promise.all(
        cache.get([1, 4], (missing) => {
          runs++;
          return scores(missing);
        }),
      );
      expect(answers.map((a) => a[0])).toEqual([1, 4]);
    }
    expect(runs).toBe(2);
  });
});
