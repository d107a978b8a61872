/** `maxrec recommend` and `maxrec demo` count in words: 1 item, 2 items. */
import { describe, expect, it, vi } from 'vitest';
import { plural } from '../../src/cli/demo.js';
import { createOutput } from '../../src/cli/output.js';
import { recommendCommand } from '../../src/cli/recommend.js';

vi.mock('../../src/serve/model-folder.js', () => ({
  loadServedModel: () =>
    Promise.resolve({
      recommender: {
        canExcludeSeen: false,
        recommend: (_user: string, n: number) =>
          Promise.resolve(
            Array.from({ length: n }, (_, i) => ({
              item: String(i + 1),
              score: 0.5,
            })),
          ),
        close: () => Promise.resolve(),
      },
    }),
}));

async function firstLine(count: number): Promise<string> {
  let text = '';
  const stdout = { write: (chunk: string) => (text += chunk) } as never;
  await recommendCommand({
    userId: '7',
    model: 'model',
    count,
    output: createOutput({ stdout, stderr: stdout }, { json: false }),
  });
  return text.split('\n')[0]!;
}

describe('counts in words', () => {
  it('says "Top 1 item" and "Top 2 items"', async () => {
    expect(await firstLine(1)).toBe('Top 1 item for user 7:');
    expect(await firstLine(2)).toBe('Top 2 items for user 7:');
  });

  it('says "1 epoch" and "2 epochs"', () => {
    expect(plural(1, 'epoch')).toBe('1 epoch');
    expect(plural(2, 'epoch')).toBe('2 epochs');
  });
});
