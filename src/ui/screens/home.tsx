import { isIn } from '../../core/state-path.js';
import { Box, Text } from 'ink';
import { useState } from 'react';
import type { JourneyEvent } from '../../core/journey.js';
import type { JourneySnapshot } from '../hooks/use-journey.js';
import { useLocalCommands, useUi } from '../ui-context.js';

interface Choice {
  label: string;
  event: JourneyEvent;
}

export function HomeScreen({ snapshot }: { snapshot: JourneySnapshot }) {
  const { theme, dispatch } = useUi();
  const { context } = snapshot;
  const choices: Choice[] = [
    { label: 'New training', event: { type: 'NEW_TRAINING' } },
    ...context.recentRuns.slice(0, 5).map((run) => ({
      label: `Resume run ${run.id} (${run.status}, ${run.backend})`,
      event: { type: 'RESUME', runId: run.id } as JourneyEvent,
    })),
    { label: 'Quit', event: { type: 'QUIT' } },
  ];
  const [selected, setSelected] = useState(0);
  const at = Math.min(selected, choices.length - 1);

  useLocalCommands((command) => {
    if (command === 'next') setSelected((at + 1) % choices.length);
    if (command === 'previous') {
      setSelected((at - 1 + choices.length) % choices.length);
    }
    if (command === 'activate') dispatch(choices[at]!.event);
  });

  if (isIn(snapshot, 'home.loading')) {
    return <Text>Loading {context.configPath}…</Text>;
  }
  return (
    <Box flexDirection="column">
      <Text>
        Train a recommender on your ratings, then try it.{' '}
        <Text color={theme.muted}>Config: {context.configPath}</Text>
      </Text>
      <Box flexDirection="column" marginTop={1}>
        {choices.map((choice, i) => (
          <Text key={choice.label} color={i === at ? theme.accent : undefined}>
            {i === at ? '❯ ' : '  '}
            {choice.label}
          </Text>
        ))}
      </Box>
    </Box>
  );
}
