import { isIn } from '../../core/state-path.js';
import { Box, Text } from 'ink';
import { useRef, useState } from 'react';
import type { JourneyEvent } from '../../core/journey.js';
import type { RecentRun } from '../../core/ports.js';
import type { JourneySnapshot } from '../hooks/use-journey.js';
import { useLocalCommands, useUi } from '../ui-context.js';

interface Choice {
  label: string;
  event: JourneyEvent;
}

function choicesOf(context: JourneySnapshot['context']): Choice[] {
  return [
    { label: 'New training', event: { type: 'NEW_TRAINING' } },
    ...context.recentRuns.slice(0, 5).map((run) => ({
      label: `Resume run ${run.id} (${statusWord(run.status)}, ${run.backend})`,
      event: {
        type: 'RESUME',
        runId: run.id,
        configPath: run.configPath,
        backend: run.backend,
      } as JourneyEvent,
    })),
    { label: 'Quit', event: { type: 'QUIT' } },
  ];
}

function statusWord(status: RecentRun['status']): string {
  return status === 'unknown' ? 'status unknown' : status;
}

export function HomeScreen({ snapshot }: { snapshot: JourneySnapshot }) {
  const { theme, dispatch, latest } = useUi();
  const { context } = snapshot;
  const choices = choicesOf(context);
  // The selection in a ref as well, so that keys of one burst add up.
  const selectedRef = useRef(0);
  const [selected, setSelected] = useState(0);
  const at = Math.min(selected, choices.length - 1);

  useLocalCommands({
    command: (command) => {
      const current = choicesOf(latest().context);
      const from = Math.min(selectedRef.current, current.length - 1);
      const step = command === 'next' ? 1 : command === 'previous' ? -1 : 0;
      if (step !== 0) {
        selectedRef.current = (from + step + current.length) % current.length;
        setSelected(selectedRef.current);
      }
      if (command === 'activate') dispatch(current[from]!.event);
    },
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
        {context.lookingUpRuns ? (
          <Text color={theme.muted}>Looking up your recent runs…</Text>
        ) : null}
      </Box>
    </Box>
  );
}
