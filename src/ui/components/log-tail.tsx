import { Box, Text } from 'ink';

/** The last `lines` lines of the log, each cut to one row. */
export function LogTail({
  log,
  lines,
  color,
}: {
  log: readonly string[];
  lines: number;
  color?: string | undefined;
}) {
  if (lines <= 0) return null;
  const shown = log.slice(-lines);
  return (
    <Box flexDirection="column" height={lines} overflow="hidden">
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate-end" color={color}>
          {line === '' ? ' ' : line}
        </Text>
      ))}
    </Box>
  );
}
