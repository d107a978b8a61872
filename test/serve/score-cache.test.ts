import { describe, expect, it } from 'vitest';
import { ScoreCache } from '../../src/serve/score-cache.js';

const scores = (user: number) => Promise.resolve(new Float32Array([user]));

describe('ScoreCache', () => {
  it('keeps the most recently asked users within its bytes', async () => {
    // 2 users of 10 items (40 bytes each) fit in 100 bytes.
    const cache = new ScoreCache(100, 10);
    let runs = 0;
    const ask = (user: number) =>
      cache.get(user, () => {
        runs++;
        return scores(user);
      });
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
    const slow = () => {
      runs++;
      return new Promise<Float32Array>((resolve) =>
        setTimeout(() => resolve(new Float32Array([7])), 20),
      );
    };
    const [a, b] = await Promise.all([cache.get(7, slow), cache.get(7, slow)]);
    expect(a).toBe(b);
    expect(runs).toBe(1);
    await expect(
      cache.get(8, () => Promise.reject(new Error('model failed'))),
    ).rejects.toThrow('model failed');
    expect((await cache.get(8, () => scores(8)))[0]).toBe(8);
  });

  it('keeps nothing when too small for one user', async () => {
    const cache = new ScoreCache(10, 10);
    let runs = 0;
    for (let i = 0; i < 2; i++) {
      await cache.get(1, () => {
        runs++;
        return scores(1);
      });
    }
    expect(runs).toBe(2);
  });
});
