import { Text } from 'ink';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A spinner frame derived from the clock, so frozen clocks freeze it. */
export function Spinner({
  now,
  color,
}: {
  now: number;
  color?: string | undefined;
}) {
  const frame = FRAMES[Math.floor(now / 100) % FRAMES.length] ?? FRAMES[0];
  return <Text color={color}>{frame}</Text>;
}
