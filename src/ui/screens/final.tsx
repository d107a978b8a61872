import { Box, Text } from 'ink';
import { closingMessage } from '../../core/exit-code.js';
import { ErrorBox } from '../components/error-box.js';
import type { JourneySnapshot } from '../hooks/use-journey.js';
import { useUi } from '../ui-context.js';

/** The last frame before the app leaves, also printed after it. */
export function FinalScreen({ snapshot }: { snapshot: JourneySnapshot }) {
  const { theme } = useUi();
  if (snapshot.value === 'failed' && snapshot.context.error) {
    return <ErrorBox error={snapshot.context.error} theme={theme} />;
  }
  return (
    <Box>
      <Text>{closingMessage(snapshot) ?? 'Bye.'}</Text>
    </Box>
  );
}
