/**
 * Which of the monitor's rows fit the body, pure so that it is tested
 * directly. The run line, the epoch line and the box's main lines (the
 * resume command, why a run ended) always show; the rest is kept in order
 * of use while rows are left, and the log tail takes what remains.
 */
import { wrapWords } from '../wrap.js';

/** essential: always shown; detail: when rows allow; keys: the footer says it too. */
export type BoxLineKind = 'essential' | 'detail' | 'keys';

export interface BoxLine {
  text: string;
  kind: BoxLineKind;
  bold?: boolean;
  color?: string | undefined;
}

export interface MonitorRows {
  legend: boolean;
  status: boolean;
  loss: boolean;
  hitRate: boolean;
  data: boolean;
  trials: boolean;
  /** The box's lines, wrapped, of the kinds that fit. */
  boxLines: BoxLine[];
  /** Lines of log tail; its header shows when this is above 0. */
  logLines: number;
}

/** Borders and padding of the monitor's boxes, in cells. */
export const BOX_CHROME_COLUMNS = 4;
const BOX_BORDER_ROWS = 2;
/** What the log kept room for beside a box before rows were counted. */
const BOX_ROWS = 6;

export function planMonitorRows(options: {
  bodyHeight: number;
  columns: number;
  /** The log lines the layout gives the monitor without a box. */
  maxLogLines: number;
  legendWidth: number;
  trialRows: number;
  box: readonly BoxLine[] | null;
  cancelling: boolean;
}): MonitorRows {
  const innerWidth = Math.max(1, options.columns - BOX_CHROME_COLUMNS);
  const wrapped = (kind: BoxLineKind) =>
    (options.box ?? [])
      .filter((line) => line.kind === kind)
      .flatMap((line) =>
        wrapWords(line.text, innerWidth).map((text) => ({ ...line, text })),
      );
  const essential = wrapped('essential');
  const detail = wrapped('detail');
  const keys = wrapped('keys');
  // The run line and the epoch line.
  let free =
    options.bodyHeight -
    2 -
    (options.box ? BOX_BORDER_ROWS + essential.length : 0) -
    (options.cancelling ? 1 : 0);
  const keep = (rows: number) => {
    if (rows > free) return false;
    free -= rows;
    return true;
  };
  const data = keep(1);
  const showDetail = keep(detail.length);
  const loss = keep(1);
  const hitRate = keep(1);
  const status = keep(1);
  const legend = options.legendWidth <= options.columns && keep(1);
  const trials = options.trialRows > 0 && keep(options.trialRows);
  const showKeys = keep(keys.length);
  const roomy =
    options.maxLogLines -
    (trials ? options.trialRows : 0) -
    (options.box ? BOX_ROWS : 0) -
    (options.cancelling ? 1 : 0);
  const logLines = Math.max(0, Math.min(roomy, free - 1));
  const boxLines = (options.box ?? []).flatMap((line) => {
    if (line.kind === 'detail' && !showDetail) return [];
    if (line.kind === 'keys' && !showKeys) return [];
    return wrapWords(line.text, innerWidth).map((text) => ({ ...line, text }));
  });
  return { legend, status, loss, hitRate, data, trials, boxLines, logLines };
}
