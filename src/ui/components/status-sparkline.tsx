import { Text } from 'ink';
import type { RunStatus, StatusSample } from '../../core/types.js';
import type { Theme } from '../theme.js';

/** Without colour, the glyph itself tells the statuses apart. */
const GLYPHS: Record<RunStatus, { colored: string; plain: string }> = {
  pending: { colored: '█', plain: '░' },
  running: { colored: '█', plain: '▓' },
  completed: { colored: '█', plain: '█' },
  failed: { colored: '█', plain: 'x' },
  cancelled: { colored: '█', plain: '-' },
};

/**
 * The run's status over time as `width` cells: the span from the first
 * sample to `now` cut into equal slices, each showing the status in force
 * at its end; null before the first sample.
 */
export function statusCells(
  history: readonly StatusSample[],
  now: number,
  width: number,
): (RunStatus | null)[] {
  const first = history[0];
  if (!first || width <= 0) return Array.from({ length: width }, () => null);
  const end = Math.max(now, history.at(-1)!.at);
  const span = Math.max(1, end - first.at);
  const cells: (RunStatus | null)[] = [];
  let index = 0;
  for (let cell = 0; cell < width; cell++) {
    const until = first.at + (span * (cell + 1)) / width;
    while (index + 1 < history.length && history[index + 1]!.at <= until) {
      index++;
    }
    cells.push(history[index]!.status);
  }
  return cells;
}

export function StatusSparkline({
  history,
  now,
  width,
  theme,
}: {
  history: readonly StatusSample[];
  now: number;
  width: number;
  theme: Theme;
}) {
  const cells = statusCells(history, now, width);
  // Runs of one status become one <Text>, not one per cell.
  const runs: { status: RunStatus | null; length: number }[] = [];
  for (const status of cells) {
    const last = runs.at(-1);
    if (last && last.status === status) last.length++;
    else runs.push({ status, length: 1 });
  }
  return (
    <Text>
      {runs.map((run, i) =>
        run.status === null ? (
          <Text key={i}>{' '.repeat(run.length)}</Text>
        ) : (
          <Text key={i} color={theme.status[run.status]}>
            {(theme.colors
              ? GLYPHS[run.status].colored
              : GLYPHS[run.status].plain
            ).repeat(run.length)}
          </Text>
        ),
      )}
    </Text>
  );
}

const LEGEND_STATUSES: RunStatus[] = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
];

/** Cells the legend takes: a glyph, a space, the name and a space each. */
export const STATUS_LEGEND_WIDTH = LEGEND_STATUSES.reduce(
  (width, status) => width + status.length + 3,
  0,
);

export function StatusLegend({ theme }: { theme: Theme }) {
  const statuses = LEGEND_STATUSES;
  return (
    <Text>
      {statuses.map((status) => (
        <Text key={status}>
          <Text color={theme.status[status]}>
            {theme.colors ? GLYPHS[status].colored : GLYPHS[status].plain}
          </Text>
          <Text color={theme.muted}> {status} </Text>
        </Text>
      ))}
    </Text>
  );
}
