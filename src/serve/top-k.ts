/**
 * Positions of the `n` highest scores, best first (ties: lower position
 * first), skipping NaN and `excluded` ones. A bounded min-heap costs
 * O(items * log n): for top-10 of ~10,000 items far less than sorting
 * every score on each request.
 */
export function topK(
  scores: Float32Array,
  n: number,
  excluded?: (position: number) => boolean,
): Int32Array {
  const heap = new Int32Array(Math.max(0, Math.min(n, scores.length)));
  let size = 0;

  // True when position a ranks below position b.
  const worse = (a: number, b: number): boolean => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    return sa < sb || (sa === sb && a > b);
  };

  const siftDown = (from: number): void => {
    let i = from;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < size && worse(heap[left]!, heap[worst]!)) worst = left;
      if (right < size && worse(heap[right]!, heap[worst]!)) worst = right;
      if (worst === i) return;
      const moved = heap[i]!;
      heap[i] = heap[worst]!;
      heap[worst] = moved;
      i = worst;
    }
  };

  const siftUp = (from: number): void => {
    let i = from;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!worse(heap[i]!, heap[parent]!)) return;
      const moved = heap[i]!;
      heap[i] = heap[parent]!;
      heap[parent] = moved;
      i = parent;
    }
  };

  if (heap.length === 0) return heap;
  // Positions come in increasing order, so one that only ties the worst
  // kept score ranks below it: a single comparison rejects most items.
  let threshold = -Infinity;
  for (let position = 0; position < scores.length; position++) {
    const score = scores[position]!;
    if (size === heap.length && !(score > threshold)) continue;
    if (Number.isNaN(score) || excluded?.(position)) continue;
    if (size < heap.length) {
      heap[size] = position;
      siftUp(size++);
    } else {
      heap[0] = position;
      siftDown(0);
    }
    if (size === heap.length) threshold = scores[heap[0]!]!;
  }
  return heap.subarray(0, size).sort((a, b) => (worse(a, b) ? 1 : -1));
}
