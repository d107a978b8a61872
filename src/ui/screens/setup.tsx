import { isIn } from '../../core/state-path.js';
import { Box, Text } from 'ink';
import TextInput from 'ink-text-input';
import { useState, type ReactNode } from 'react';
import type { SetupChoices } from '../../core/ports.js';
import type { BackendName } from '../../core/types.js';
import type { JourneySnapshot } from '../hooks/use-journey.js';
import { useLocalCommands, useUi } from '../ui-context.js';

const BACKENDS: { name: BackendName; note: string }[] = [
  { name: 'local', note: 'this machine; nothing to sign up for' },
  {
    name: 'ibm',
    note: 'needs ML_APIKEY, ML_INSTANCE, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY',
  },
  { name: 'ray', note: 'needs RAY_ADDRESS (a Ray cluster)' },
];

export const COMPUTE_SIZES: Record<BackendName, string[]> = {
  local: ['cpu', 'gpu'],
  ibm: ['k80', 'k80x2', 'k80x4', 'v100', 'v100x2'],
  ray: ['cpu', 'gpu'],
};

type Field =
  | 'backend'
  | 'localDataDir'
  | 'dataBucket'
  | 'resultsBucket'
  | 'compute'
  | 'continue';
const FIELDS: Field[] = [
  'backend',
  'localDataDir',
  'dataBucket',
  'resultsBucket',
  'compute',
  'continue',
];

function labels(backend: BackendName): Record<Field, string> {
  const local = backend === 'local';
  return {
    backend: 'Backend',
    localDataDir: 'Data folder',
    dataBucket: local ? 'Data location' : 'Data bucket',
    resultsBucket: local ? 'Results location' : 'Results bucket',
    compute: 'Compute size',
    continue: '',
  };
}

function cycle<T>(choices: readonly T[], current: T, step: number): T {
  const at = Math.max(0, choices.indexOf(current));
  return choices[(at + step + choices.length) % choices.length]!;
}

export function SetupScreen({ snapshot }: { snapshot: JourneySnapshot }) {
  const { theme, dispatch, inputActive } = useUi();
  const { setup } = snapshot.context;
  const [focus, setFocus] = useState(0);
  const field = FIELDS[focus]!;
  const change = (patch: Partial<SetupChoices>) =>
    dispatch({ type: 'SETUP_CHANGE', patch });

  useLocalCommands((command) => {
    if (command === 'next') setFocus((focus + 1) % FIELDS.length);
    if (command === 'previous')
      setFocus((focus - 1 + FIELDS.length) % FIELDS.length);
    if (command === 'activate') {
      if (field === 'continue') dispatch({ type: 'SUBMIT' });
      else setFocus(focus + 1);
    }
    const step = command === 'increase' ? 1 : command === 'decrease' ? -1 : 0;
    if (step !== 0 && field === 'backend') {
      const backend = cycle(
        BACKENDS.map((b) => b.name),
        setup.backend,
        step,
      );
      change({ backend, compute: COMPUTE_SIZES[backend][0]! });
    }
    if (step !== 0 && field === 'compute') {
      change({
        compute: cycle(COMPUTE_SIZES[setup.backend], setup.compute, step),
      });
    }
  });

  const names = labels(setup.backend);
  const note = BACKENDS.find((b) => b.name === setup.backend)?.note ?? '';
  const row = (name: Field, value: ReactNode) => (
    <Box key={name}>
      <Text color={field === name ? theme.accent : undefined}>
        {field === name ? '❯ ' : '  '}
        {names[name].padEnd(18)}
      </Text>
      {value}
    </Box>
  );
  const text = (name: 'localDataDir' | 'dataBucket' | 'resultsBucket') => (
    <TextInput
      value={setup[name]}
      focus={inputActive && field === name}
      showCursor={field === name}
      onChange={(value) => change({ [name]: value })}
    />
  );

  return (
    <Box flexDirection="column">
      <Text>Where training runs and where its data and results live.</Text>
      <Box flexDirection="column" marginTop={1}>
        {row(
          'backend',
          <Text>
            {BACKENDS.map((b) =>
              b.name === setup.backend ? `[${b.name}]` : ` ${b.name} `,
            ).join(' ')}
          </Text>,
        )}
        <Text color={setup.backend === 'local' ? theme.muted : theme.warning}>
          {'    '}
          {note}
        </Text>
        {row('localDataDir', text('localDataDir'))}
        {row('dataBucket', text('dataBucket'))}
        {row('resultsBucket', text('resultsBucket'))}
        {row(
          'compute',
          <Text>
            {COMPUTE_SIZES[setup.backend]
              .map((c) => (c === setup.compute ? `[${c}]` : ` ${c} `))
              .join(' ')}
          </Text>,
        )}
        <Text
          color={field === 'continue' ? theme.accent : undefined}
          bold={field === 'continue'}
        >
          {field === 'continue' ? '❯ ' : '  '}Save and continue ▶
        </Text>
      </Box>
      {isIn(snapshot, 'setup.saving') ? (
        <Text color={theme.muted}>Saving {snapshot.context.configPath}…</Text>
      ) : null}
    </Box>
  );
}
