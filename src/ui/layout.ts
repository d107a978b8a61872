/**
 * The screen's geometry from the terminal size. Pure, so it is tested
 * directly. The root stays at rows - 1 at most: on Ink 6 a frame as tall as
 * the terminal is redrawn from scratch on every render, which flickers.
 */
export interface Layout {
  columns: number;
  /** Height of the root box: rows - 1, at least MIN_HEIGHT when it fits. */
  height: number;
  /** Rows between the header and the footer. */
  bodyHeight: number;
  /** Width of the metric and status sparklines, in cells. */
  sparklineWidth: number;
  /** Width of progress bars, in cells. */
  barWidth: number;
  /** Lines of log the monitor shows (before any HPO trial table). */
  logLines: number;
  /** Rows of the data preview table. */
  previewRows: number;
}

export const FALLBACK_SIZE = { columns: 80, rows: 24 };
/** Header (1) and footer (1). */
const CHROME_ROWS = 2;
/** The monitor's rows above the log: status, series, progress, boxes. */
const MONITOR_FIXED_ROWS = 9;

export function calculateLayout(columns: number, rows: number): Layout {
  const safeColumns = columns > 0 ? Math.floor(columns) : FALLBACK_SIZE.columns;
  const safeRows = rows > 0 ? Math.floor(rows) : FALLBACK_SIZE.rows;
  const height = Math.max(1, safeRows - 1);
  const bodyHeight = Math.max(0, height - CHROME_ROWS);
  const sparklineWidth = clamp(safeColumns - 40, 8, 60);
  const barWidth = clamp(safeColumns - 50, 10, 40);
  const logLines = Math.max(0, bodyHeight - MONITOR_FIXED_ROWS);
  const previewRows = clamp(bodyHeight - 15, 0, 5);
  return {
    columns: safeColumns,
    height,
    bodyHeight,
    sparklineWidth,
    barWidth,
    logLines,
    previewRows,
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
