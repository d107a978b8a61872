import { Text } from 'ink';

const LEVELS = '▁▂▃▄▅▆▇█';

/**
 * The last `width` values as block characters scaled between their min and
 * max, left-padded with spaces to exactly `width` cells.
 */
export function sparkline(values: readonly number[], width: number): string {
  const shown = values.filter(Number.isFinite).slice(-width);
  if (shown.length === 0) return ' '.repeat(width);
  const min = Math.min(...shown);
  const max = Math.max(...shown);
  const top = LEVELS.length - 1;
  const cells = shown.map((value) => {
    const level =
      max === min ? 3 : Math.round(((value - min) / (max - min)) * top);
    return LEVELS[level];
  });
  return cells.join('').padStart(width, ' ');
}

export function Sparkline({
  values,
  width,
  color,
}: {
  values: readonly number[];
  width: number;
  color?: string | undefined;
}) {
  return <Text color={color}>{sparkline(values, width)}</Text>;
}
