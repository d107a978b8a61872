import { describe, expect, it } from 'vitest';
import { topK } from '../../src/serve/top-k.js';

/** The plain way: sort every position, best score first, ties by position. */
function sortedTop(scores: Float32Array, n: number, skip = new Set<number>()) {
  return [...scores.keys()]
    .filter((i) => !Number.isNaN(scores[i]) && !skip.has(i))
    .sort((a, b) => scores[b]! - scores[a]! || a - b)
    .slice(0, n);
}

function randomScores(length: number, seed: number, levels?: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  // Few levels make many ties.
  return Float32Array.from({ length }, () =>
    levels ? Math.floor(next() * levels) / levels : next(),
  );
}

describe('topK', () => {
  it('matches a full sort, ties broken by position', () => {
    for (const [length, n, levels] of [
      [9742, 10, undefined],
      [9742, 1000, undefined],
      [500, 50, 7],
      [5, 10, undefined],
      [1, 1, undefined],
    ] as const) {
      const scores = randomScores(length, length + n, levels);
      expect([...topK(scores, n)]).toEqual(sortedTop(scores, n));
    }
  });

  it('skips excluded positions and NaN scores', () => {
    const scores = randomScores(300, 3, 5);
    scores[17] = NaN;
    const skip = new Set([0, 5, 99, 150, 151, 152]);
    const best = topK(scores, 40, (i) => skip.has(i));
    expect([...best]).toEqual(sortedTop(scores, 40, skip));
    expect(best).not.toContain(17);
  });

  it('returns fewer when fewer remain, and nothing for n 0', () => {
    const scores = Float32Array.from([0.2, 0.9, 0.5]);
    expect([...topK(scores, 10, (i) => i === 1)]).toEqual([2, 0]);
    expect([...topK(scores, 0)]).toEqual([]);
    expect([...topK(new Float32Array(0), 5)]).toEqual([]);
  });
});
