import { Text } from 'ink';

/** The footer: what the keys do on this screen. */
export function KeyHints({
  hints,
  color,
}: {
  hints: readonly string[];
  color?: string | undefined;
}) {
  return (
    <Text wrap="truncate-end" color={color}>
      {hints.join('  ·  ')}
    </Text>
  );
}
