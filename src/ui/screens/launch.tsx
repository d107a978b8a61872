import { isIn } from '../../core/state-path.js';
import { Box, Text } from 'ink';
import { formatBytes } from '../../core/progress.js';
import { Spinner } from '../components/spinner.js';
import type { JourneySnapshot } from '../hooks/use-journey.js';
import { useUi } from '../ui-context.js';

export function LaunchScreen({ snapshot }: { snapshot: JourneySnapshot }) {
  const { theme, now } = useUi();
  const { archive, settings } = snapshot.context;
  const packaging = isIn(snapshot, 'launch.packaging');
  return (
    <Box flexDirection="column">
      <Text>
        {packaging ? (
          <Spinner now={now} color={theme.accent} />
        ) : (
          <Text color={theme.success}>✓</Text>
        )}{' '}
        Packaging the training code
        {archive
          ? ` (${archive.files} files, ${formatBytes(archive.bytes)})`
          : '…'}
      </Text>
      {packaging ? null : (
        <Text>
          <Spinner now={now} color={theme.accent} /> Submitting the run to the{' '}
          {settings?.backend ?? 'local'} backend…
        </Text>
      )}
    </Box>
  );
}
