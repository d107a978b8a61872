import { describe, expect, it } from 'vitest';
import { fitHints, wrapWords } from '../../src/ui/wrap.js';
import { planMonitorRows } from '../../src/ui/screens/monitor-rows.js';

describe('wrapWords', () => {
  it('wraps at spaces and cuts words longer than a line', () => {
    expect(wrapWords('Come back with: maxrec train cfg.yaml', 16)).toEqual([
      'Come back with:',
      'maxrec train',
      'cfg.yaml',
    ]);
    expect(wrapWords('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapWords('', 10)).toEqual(['']);
  });
});

describe('fitHints', () => {
  const hints = [
    '↑↓ Tab move',
    'Enter next',
    '←→ change',
    'Esc back',
    'Ctrl+C quit',
  ];
  it('drops whole hints, moving ones first, rather than cutting one', () => {
    expect(fitHints(hints, 200)).toBe(hints.join('  ·  '));
    expect(fitHints(hints, 60)).toBe(
      'Enter next · ←→ change · Esc back · Ctrl+C quit',
    );
    expect(fitHints(hints, 30)).toBe('Enter next · Ctrl+C quit');
  });
});

describe('planMonitorRows', () => {
  const box = [
    { text: 'Stopped watching. Run run-0001 keeps running.', kind: 'detail' },
    {
      text: 'Come back with: maxrec train cfg.yaml package run-0001',
      kind: 'essential',
    },
    { text: 'w watch again · Enter exit', kind: 'keys' },
  ] as const;

  it('keeps the resume command when rows run short, the log going first', () => {
    const rows = planMonitorRows({
      bodyHeight: 8,
      columns: 40,
      maxLogLines: 10,
      legendWidth: 62,
      trialRows: 0,
      box: [...box],
      cancelling: false,
    });
    expect(rows.logLines).toBe(0);
    expect(rows.legend).toBe(false);
    expect(rows.boxLines.map((l) => l.text)).toEqual([
      'Come back with: maxrec train',
      'cfg.yaml package run-0001',
    ]);
  });

  it('gives the log what is left on a tall terminal', () => {
    const rows = planMonitorRows({
      bodyHeight: 37,
      columns: 120,
      maxLogLines: 28,
      legendWidth: 62,
      trialRows: 0,
      box: [...box],
      cancelling: false,
    });
    expect(rows.legend).toBe(true);
    expect(rows.boxLines).toHaveLength(3);
    // 37 rows: run, epoch, 2 borders, 3 box lines, 5 more, the log header.
    expect(rows.logLines).toBe(22);
  });
});
