import { isIn } from '../../core/state-path.js';
import { Box, Text } from 'ink';
import { useCallback, useRef, useState, type ReactNode } from 'react';
import type { IbmStep } from '../../core/ibm-lookup.js';
import type { SetupChoices } from '../../core/ports.js';
import type { BackendName } from '../../core/types.js';
import { DEVICE_SIZES } from '../../services/config/compute.js';
import {
  IbmLookupView,
  type IbmLookupHandle,
} from '../components/ibm-lookup-view.js';
import { IbmLookupRow, IbmSecrets } from '../components/ibm-setup-rows.js';
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

/** The sizes offered: the trainer's --device, or the usual WML sizes. */
export const COMPUTE_SIZES: Record<BackendName, readonly string[]> = {
  local: DEVICE_SIZES,
  // WML hardware sizes: CPU sizes on IBM Cloud today, GPUs on Cloud Pak.
  ibm: ['cpu', 'xs', 's', 'm', 'l', 'xl', 'k80', 'v100'],
  ray: DEVICE_SIZES,
};

type TextName =
  | 'localDataDir'
  | 'dataBucket'
  | 'resultsBucket'
  | 'wmlUrl'
  | 'spaceId'
  | 'cosInstance'
  | 'cosEndpoint';
const TEXT_FIELDS: readonly string[] = [
  'localDataDir',
  'dataBucket',
  'resultsBucket',
  'wmlUrl',
  'spaceId',
  'cosInstance',
  'cosEndpoint',
] satisfies TextName[];
const IBM_TEXT_FIELDS = ['wmlUrl', 'spaceId', 'cosInstance', 'cosEndpoint'];
const LABEL_WIDTH = 20;

type Field = 'backend' | TextName | 'ibmLookup' | 'compute' | 'continue';

/** Where "by hand" in a lookup list goes back to. */
const FIELD_OF_STEP: Record<IbmStep, Field> = {
  group: 'ibmLookup',
  wml: 'wmlUrl',
  space: 'spaceId',
  cos: 'cosInstance',
  credential: 'ibmLookup',
};

function fieldsOf(backend: BackendName): Field[] {
  return [
    'backend',
    'localDataDir',
    'dataBucket',
    'resultsBucket',
    ...(backend === 'ibm'
      ? ([
          'ibmLookup',
          'wmlUrl',
          'spaceId',
          'cosInstance',
          'cosEndpoint',
        ] as const)
      : []),
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
    ibmLookup: 'IBM Cloud',
    wmlUrl: 'WML URL',
    spaceId: 'WML space id',
    cosInstance: 'COS instance',
    cosEndpoint: 'COS endpoint',
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
    wmlUrl: useRef<TextFieldHandle>(null),
    spaceId: useRef<TextFieldHandle>(null),
    cosInstance: useRef<TextFieldHandle>(null),
    cosEndpoint: useRef<TextFieldHandle>(null),
  };
  const lookupView = useRef<IbmLookupHandle>(null);
  const change = (patch: Partial<SetupChoices>) =>
    dispatch({ type: 'SETUP_CHANGE', patch });
  const moveTo = (next: number) => {
    const count = fieldsOf(latest().context.setup.backend).length;
    focusRef.current = (next + count) % count;
    setFocus(focusRef.current);
  };
  // "By hand" in a lookup list: back to the form, at that value's field.
  const byHand = useCallback(
    (step: IbmStep) => {
      const fields = fieldsOf(latest().context.setup.backend);
      focusRef.current = Math.max(0, fields.indexOf(FIELD_OF_STEP[step]));
      setFocus(focusRef.current);
      dispatch({ type: 'IBM_BY_HAND' });
    },
    [dispatch, latest],
  );

  useLocalCommands({
    edit: (key) => {
      if (!isIn(latest(), 'setup.editing')) return false;
      const name = fieldsOf(latest().context.setup.backend)[focusRef.current];
      if (!name) return false;
      if (!TEXT_FIELDS.includes(name)) return false;
      return fields[name as TextName].current?.edit(key) ?? false;
    },
    command: (command) => {
      if (isIn(latest(), 'setup.choosing')) {
        lookupView.current?.command(command);
        return;
      }
      const FIELDS = fieldsOf(latest().context.setup.backend);
      const at = focusRef.current;
      const current = FIELDS[at]!;
      if (command === 'next') moveTo(at + 1);
      if (command === 'previous') moveTo(at - 1);
      if (command === 'activate') {
        if (current === 'continue') dispatch({ type: 'SUBMIT' });
        else if (current === 'ibmLookup') dispatch({ type: 'IBM_LOOKUP' });
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

  if (
    isIn(snapshot, 'setup.looking') ||
    isIn(snapshot, 'setup.choosing') ||
    isIn(snapshot, 'setup.writingKeys')
  ) {
    return (
      <IbmLookupView ref={lookupView} snapshot={snapshot} onByHand={byHand} />
    );
  }

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
            {row(
              'ibmLookup',
              <IbmLookupRow
                lookup={snapshot.context.ibmLookup}
                focused={field === 'ibmLookup'}
              />,
            )}
            {row('wmlUrl', text('wmlUrl'))}
            {row('spaceId', text('spaceId'))}
            {row('cosInstance', text('cosInstance'))}
            {row('cosEndpoint', text('cosEndpoint'))}
            <IbmSecrets lookup={snapshot.context.ibmLookup} />
            {IBM_TEXT_FIELDS.includes(field) ? (
              <Text color={theme.muted}>
                {'    '}IBM Cloud ▶ above looks these up; in a shell, `maxrec
                ibm spaces` and `maxrec ibm instances` list them.
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
          {field === 'continue' ? '❯ ' : '  '}
          {snapshot.context.endAfterSetup ? 'Save ▶' : 'Save and continue ▶'}
        </Text>
      </Box>
      {isIn(snapshot, 'setup.saving') ? (
        <Text color={theme.muted}>Saving {snapshot.context.configPath}…</Text>
      ) : null}
    </Box>
  );
}
