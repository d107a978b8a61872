import { Box, Text } from 'ink';
import type { JourneyError } from '../../core/journey.js';
import type { Theme } from '../theme.js';

/** What happened and what to do about it, in a red-bordered box. */
export function ErrorBox({
  error,
  theme,
}: {
  error: JourneyError;
  theme: Theme;
}) {
  return (
    <Box
      borderStyle="round"
      borderColor={theme.error}
      flexDirection="column"
      paddingX={1}
    >
      <Text color={theme.error} bold>
        {error.message}
      </Text>
      {error.hint ? <Text>{error.hint}</Text> : null}
    </Box>
  );
}
