import { Text } from 'ink';

/** `width` cells: filled █ for the done fraction, ░ for the rest. */
export function bar(fraction: number, width: number): string {
  const clamped = Math.min(
    1,
    Math.max(0, Number.isFinite(fraction) ? fraction : 0),
  );
  const filled = Math.round(clamped * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/**
 * A bar with its percentage and a detail line: bytes or items done, the
 * rate, the time left, as the caller formats them.
 */
export function ProgressBar({
  fraction,
  width,
  detail,
  color,
}: {
  fraction: number;
  width: number;
  detail?: string;
  color?: string | undefined;
}) {
  const percent = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
  return (
    <Text>
      <Text color={color}>{bar(fraction, width)}</Text>
      {` ${String(percent).padStart(3)}%`}
      {detail ? `  ${detail}` : ''}
    </Text>
  );
}
