import { isIn } from '../../core/state-path.js';
import { Box, Text } from 'ink';
import { useRef, useState, type ReactNode } from 'react';
import type { SetupChoices } from '../../core/ports.js';
import type { BackendName } from '../../core/types.js';
import { maskSecret } from '../../services/mask-secret.js';
import { TextField, type TextFieldHandle } from '../components/text-field.js';
import type { JourneySnapshot } from '../hooks/use-journey.js';
import { useLocalCommands, useUi } from '../ui-context.js';

const BACKENDS: { name: BackendName; note: string }[] = [
  { name: 'local', note: 'this machine; nothing to sign up for' },
  {
    name: 'ibm',
    note: 'IBM Cloud: Watson Machine Learning and Cloud Object Storage',
  },
  { name: 'ray', note: 'needs RAY_ADDRESS (a Ray cluster)' },
];

export const COMPUTE_SIZES: Record<BackendName, string[]> = {
  local: ['cpu', 'gpu'],
  // WML hardware sizes: CPU sizes on IBM Cloud today, GPUs on Cloud Pak.
  ibm: ['cpu', 'xs', 's', 'm', 'l', 'xl', 'k80', 'v100'],
  ray: ['cpu', 'gpu'],
};

/** The secrets the ibm backend reads, shown set or not, masked. */
const IBM_SECRETS = ['ML_APIKEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

type TextName =
  'localDataDir' | 'dataBucket' | 'resultsBucket' | 'cosEndpoint' | 'spaceId';
const TEXT_FIELDS: readonly string[] = [
  'localDataDir',
  'dataBucket',
  'resultsBucket',
  'cosEndpoint',
  'spaceId',
] satisfies TextName[];
const LABEL_WIDTH = 20;

type Field = 'backend' | TextName | 'compute' | 'continue';

function fieldsOf(backend: BackendName): Field[] {
  return [
    'backend',
    'localDataDir',
    'dataBucket',
    'resultsBucket',
    ...(backend === 'ibm' ? (['cosEndpoint', 'spaceId'] as const) : []),
    'compute',
    'continue',
  ];
}

function labels(backend: BackendName): Record<Field, string> {
  const local = backend === 'local';
  return {
    backend: 'Backend',
    localDataDir: 'Data folder',
    dataBucket: local ? 'Data location' : 'Data bucket',
    resultsBucket: local ? 'Results location' : 'Results bucket',
    cosEndpoint: 'COS endpoint',
    spaceId: 'WML space id',
    compute: 'Compute size',
    continue: '',
  };
}

function cycle<T>(choices: readonly T[], current: T, step: number): T {
  const at = Math.max(0, choices.indexOf(current));
  return choices[(at + step + choices.length) % choices.length]!;
}

export function SetupScreen({ snapshot }: { snapshot: JourneySnapshot }) {
  const { theme, dispatch, latest, layout, inputActive } = useUi();
  const { setup } = snapshot.context;
  // The focus in a ref as well, so that keys of one burst add up.
  const focusRef = useRef(0);
  const [focus, setFocus] = useState(0);
  const FIELDS = fieldsOf(setup.backend);
  const field = FIELDS[Math.min(focus, FIELDS.length - 1)]!;
  const fields = {
    localDataDir: useRef<TextFieldHandle>(null),
    dataBucket: useRef<TextFieldHandle>(null),
    resultsBucket: useRef<TextFieldHandle>(null),
    cosEndpoint: useRef<TextFieldHandle>(null),
    spaceId: useRef<TextFieldHandle>(null),
  };
  const change = (patch: Partial<SetupChoices>) =>
    dispatch({ type: 'SETUP_CHANGE', patch });
  const moveTo = (next: number) => {
    const count = fieldsOf(latest().context.setup.backend).length;
    focusRef.current = (next + count) % count;
    setFocus(focusRef.current);
  };

  useLocalCommands({
    edit: (key) => {
      const name = fieldsOf(latest().context.setup.backend)[focusRef.current];
      if (!name) return false;
      if (!TEXT_FIELDS.includes(name)) return false;
      return fields[name as TextName].current?.edit(key) ?? false;
    },
    command: (command) => {
      const FIELDS = fieldsOf(latest().context.setup.backend);
      const at = focusRef.current;
      const current = FIELDS[at]!;
      if (command === 'next') moveTo(at + 1);
      if (command === 'previous') moveTo(at - 1);
      if (command === 'activate') {
        if (current === 'continue') dispatch({ type: 'SUBMIT' });
        else moveTo(at + 1);
      }
      const step = command === 'increase' ? 1 : command === 'decrease' ? -1 : 0;
      const values = latest().context.setup;
      if (step !== 0 && current === 'backend') {
        const backend = cycle(
          BACKENDS.map((b) => b.name),
          values.backend,
          step,
        );
        change({ backend, compute: COMPUTE_SIZES[backend][0]! });
      }
      if (step !== 0 && current === 'compute') {
        change({
          compute: cycle(COMPUTE_SIZES[values.backend], values.compute, step),
        });
      }
    },
  });

  const names = labels(setup.backend);
  const note = BACKENDS.find((b) => b.name === setup.backend)?.note ?? '';
  const row = (name: Field, value: ReactNode) => (
    <Box key={name}>
      <Box flexShrink={0}>
        <Text color={field === name ? theme.accent : undefined}>
          {field === name ? '❯ ' : '  '}
          {names[name].padEnd(LABEL_WIDTH - 2)}
        </Text>
      </Box>
      {value}
    </Box>
  );
  const text = (name: TextName) => (
    <TextField
      ref={fields[name]}
      value={setup[name] ?? ''}
      focus={inputActive && field === name}
      width={layout.columns - LABEL_WIDTH}
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
        {setup.backend === 'ibm' ? (
          <>
            {row('cosEndpoint', text('cosEndpoint'))}
            {row('spaceId', text('spaceId'))}
            <Text color={theme.muted}>
              {'    '}
              {IBM_SECRETS.map((name) => {
                const value = process.env[name];
                const fromFile =
                  name === 'ML_APIKEY' && process.env['ML_APIKEY_FILE'];
                const state = value
                  ? maskSecret(value)
                  : fromFile
                    ? 'from ML_APIKEY_FILE'
                    : 'NOT SET';
                return `${name} ${state}`;
              }).join(' · ')}
            </Text>
            {field === 'cosEndpoint' || field === 'spaceId' ? (
              <Text color={theme.muted}>
                {'    '}`maxrec ibm spaces` lists your deployment spaces,
                `maxrec ibm instances` your COS and WML instances.
              </Text>
            ) : null}
          </>
        ) : null}
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
