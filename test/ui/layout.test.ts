import { describe, expect, it } from 'vitest';
import { calculateLayout } from '../../src/ui/layout.js';
import { sparkline } from '../../src/ui/components/sparkline.js';
import { statusCells } from '../../src/ui/components/status-sparkline.js';
import { bar } from '../../src/ui/components/progress-bar.js';
import { textKey, type KeyPress } from '../../src/ui/keys.js';
import { KEYMAP, hintsFor, resolveKey } from '../../src/ui/keymap.js';
import { createTheme } from '../../src/ui/theme.js';

const key = (name: string): KeyPress => ({ name, text: '' });
describe('calculateLayout', () => {
  it('keeps the root one row below the terminal', () => {
    expect(calculateLayout(100, 40).height).toBe(39);
    expect(calculateLayout(80, 24)).toEqual({
      columns: 80,
      height: 23,
      bodyHeight: 21,
      sparklineWidth: 40,
      barWidth: 30,
      logLines: 12,
      previewRows: 5,
    });
  });

  it('shrinks gracefully on tiny terminals and falls back on unknown sizes', () => {
    const tiny = calculateLayout(20, 5);
    expect(tiny.height).toBe(4);
    expect(tiny.logLines).toBe(0);
    expect(tiny.previewRows).toBe(0);
    expect(tiny.sparklineWidth).toBe(8);
    expect(calculateLayout(0, 0).height).toBe(23);
    expect(calculateLayout(300, 100).sparklineWidth).toBe(60);
  });
});

describe('sparklines and bars', () => {
  it('scales values to eight levels in a fixed width, keeping the last N', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([1, 2, 3], 5)).toBe('  ▁▅█');
    expect(sparkline([9, 0, 1, 2], 3)).toBe('▁▅█');
    expect(sparkline([2, 2], 3)).toBe(' ▄▄');
    expect(sparkline([], 4)).toBe('    ');
  });

  it('cuts the status history into equal slices of time', () => {
    const history = [
      { at: 0, status: 'pending' as const },
      { at: 2_500, status: 'running' as const },
      { at: 8_000, status: 'completed' as const },
    ];
    expect(statusCells(history, 10_000, 5)).toEqual([
      'pending',
      'running',
      'running',
      'completed',
      'completed',
    ]);
    expect(statusCells([], 10, 3)).toEqual([null, null, null]);
  });

  it('draws a progress bar', () => {
    expect(bar(0.5, 10)).toBe('█████░░░░░');
    expect(bar(2, 4)).toBe('████');
    expect(bar(Number.NaN, 4)).toBe('░░░░');
  });
});

describe('key map', () => {
  it('maps Ctrl+C per screen', () => {
    expect(resolveKey('monitor.watching', key('ctrl+c'))).toEqual({
      event: { type: 'INTERRUPT' },
    });
    expect(resolveKey('confirmQuit', key('ctrl+c'))).toEqual({
      event: { type: 'CONFIRM' },
    });
    expect(resolveKey('monitor.detached', textKey('w'))).toEqual({
      event: { type: 'WATCH' },
    });
    expect(resolveKey('hyperparameters', textKey('7'))).toEqual({
      local: 'type',
    });
    expect(resolveKey('setup', textKey('q'))).toBeNull();
  });

  it('gives every screen a way out with Ctrl+C and a hint for it', () => {
    for (const [screen, bindings] of Object.entries(KEYMAP)) {
      if (screen === 'final') continue;
      expect(
        bindings.some((b) => b.keys.includes('ctrl+c')),
        screen,
      ).toBe(true);
    }
    expect(hintsFor('data.uploading')).toContain('Esc cancel upload');
  });
});

describe('theme', () => {
  it('passes no colours when NO_COLOR is set', () => {
    const plain = createTheme({ NO_COLOR: '1' });
    expect(plain.colors).toBe(false);
    expect(plain.error).toBeUndefined();
    expect(plain.status.running).toBeUndefined();
    expect(createTheme({}).status.running).toBe('blue');
  });
});
