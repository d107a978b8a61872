import { Text } from 'ink';
import { fitHints } from '../wrap.js';

/** The footer: what the keys do on this screen, as many as fit. */
export function KeyHints({
  hints,
  width,
  color,
}: {
  hints: readonly string[];
  width: number;
  color?: string | undefined;
}) {
  return (
    <Text wrap="truncate-end" color={color}>
      {fitHints(hints, width)}
    </Text>
  );
}
