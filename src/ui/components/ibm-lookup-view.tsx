/**
 * The setup screen's IBM Cloud lookup while it runs: what is being looked
 * up, or the list of one step to choose from, with "by hand" always last.
 * The setup screen passes it the list keys through its handle; a choice
 * becomes IBM_PICK (or IBM_CREATE_CREDENTIAL), and "by hand" goes back to
 * the form at that step's field.
 */
import { Box, Text } from 'ink';
import {
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  type Ref,
} from 'react';
import { aligned } from '../../core/columns.js';
import {
  IBM_STEPS,
  wmlUrlOfRegion,
  type IbmAccountItem,
  type IbmLookup,
  type IbmStep,
} from '../../core/ibm-lookup.js';
import type { SetupChoices } from '../../core/ports.js';
import { isIn } from '../../core/state-path.js';
import type { JourneySnapshot } from '../hooks/use-journey.js';
import type { LocalCommand } from '../keymap.js';
import { useUi } from '../ui-context.js';
import { ChoiceList } from './choice-list.js';

export interface IbmLookupHandle {
  command: (command: LocalCommand) => void;
}

type Action = { pick: string } | 'create' | 'byHand';
interface Row {
  key: string;
  label: string;
  action: Action;
}

/** Lines of the view besides its list: trail, title, note, margins. */
const FIXED_ROWS = 6;

const TITLES: Record<IbmStep, string> = {
  group: 'Resource group',
  wml: 'Watson Machine Learning instance: its region gives the WML URL',
  space: 'Deployment space: where the trainings run',
  cos: 'Cloud Object Storage instance: where the buckets are',
  credential: 'COS credential: WML reads the buckets with its HMAC keys',
};

const BY_HAND: Record<IbmStep, string> = {
  group: 'Fill in the form by hand',
  wml: 'Type the WML URL by hand',
  space: 'Type the space id by hand',
  cos: 'Type the COS instance by hand',
  credential: 'None: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY myself',
};

/** What is chosen so far, up to `before` (all of it without). */
export function lookupTrail(lookup: IbmLookup, before?: IbmStep): string {
  const { picked } = lookup;
  const end = before ? IBM_STEPS.indexOf(before) : IBM_STEPS.length;
  const shown = (step: IbmStep) => IBM_STEPS.indexOf(step) < end;
  const parts = [
    shown('group') && picked.group
      ? `group ${picked.group.name}${lookup.groupTaken ? ' (the only one)' : ''}`
      : '',
    shown('wml') && picked.wml
      ? `WML ${picked.wml.name} (${picked.wml.region})`
      : '',
    shown('space') && picked.space ? `space ${picked.space.name}` : '',
    shown('cos') && picked.cos ? `COS ${picked.cos.name}` : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

function cellsOf(step: IbmStep, item: IbmAccountItem): string[] {
  switch (step) {
    case 'group':
      return [item.name, item.isDefault ? 'default' : '', item.state ?? ''];
    case 'wml':
      return [item.name, item.region ?? '', item.state ?? ''];
    case 'space':
      return [item.name, item.id];
    case 'cos':
      return [item.name, item.state ?? '', item.id];
    case 'credential':
      return [
        item.name,
        `HMAC ${item.hmac ?? 'no'}`,
        (item.createdAt ?? '').slice(0, 10),
      ];
  }
}

function rowsOf(lookup: IbmLookup): Row[] {
  const { step } = lookup;
  const items = lookup.lists[step] ?? [];
  const labels = aligned(items.map((item) => cellsOf(step, item)));
  return [
    ...items.map((item, i) => ({
      key: item.id,
      label: labels[i]!,
      action: { pick: item.id },
    })),
    ...(step === 'credential'
      ? [
          {
            key: '+create',
            label: '+ Create a new credential with HMAC keys',
            action: 'create' as const,
          },
        ]
      : []),
    { key: '+by-hand', label: BY_HAND[step], action: 'byHand' as const },
  ];
}

/** The row to start on: the value the form has, else the likely one. */
function startRow(lookup: IbmLookup, setup: SetupChoices): number {
  const items = lookup.lists[lookup.step] ?? [];
  const matches: Record<IbmStep, (item: IbmAccountItem) => boolean> = {
    group: (item) => item.isDefault === true,
    wml: (item) =>
      item.region !== undefined && wmlUrlOfRegion(item.region) === setup.wmlUrl,
    space: (item) => item.id === setup.spaceId,
    cos: (item) => item.id === setup.cosInstance,
    credential: (item) => item.hmac === 'yes',
  };
  return Math.max(0, items.findIndex(matches[lookup.step]));
}

function lookingFor(lookup: IbmLookup, setup: SetupChoices): string {
  const group = lookup.picked.group?.name ?? '';
  const cos = lookup.picked.cos?.name ?? setup.cosInstance ?? '';
  switch (lookup.step) {
    case 'group':
      return 'Looking up your resource groups…';
    case 'wml':
      return `Looking up the WML instances of group ${group}…`;
    case 'space':
      return `Looking up the deployment spaces of ${setup.wmlUrl}…`;
    case 'cos':
      return `Looking up the COS instances of group ${group}…`;
    case 'credential':
      return `Looking up the credentials of COS instance ${cos}…`;
  }
}

function noneFound(lookup: IbmLookup): string {
  const group = lookup.picked.group?.name ?? '';
  switch (lookup.step) {
    case 'group':
      return 'The API key sees no resource groups.';
    case 'wml':
      return `Group ${group} holds no WML instance the API key sees.`;
    case 'space':
      return 'No deployment space in that region: create one in watsonx (Deployments > New deployment space).';
    case 'cos':
      return `Group ${group} holds no COS instance the API key sees.`;
    case 'credential':
      return 'This COS instance has no credentials yet.';
  }
}

export function IbmLookupView({
  snapshot,
  onByHand,
  ref,
}: {
  snapshot: JourneySnapshot;
  /** "By hand" was chosen at `step`. */
  onByHand: (step: IbmStep) => void;
  ref?: Ref<IbmLookupHandle>;
}) {
  const { theme, dispatch, latest, layout } = useUi();
  const { ibmLookup: lookup, setup } = snapshot.context;
  const rows = rowsOf(lookup);
  // The highlight in a ref as well, so that keys of one burst add up.
  const highlightRef = useRef(0);
  const [highlight, setHighlight] = useState(0);

  // A new list starts at the value the form has.
  const list = lookup.lists[lookup.step];
  useLayoutEffect(() => {
    const { ibmLookup, setup: values } = latest().context;
    highlightRef.current = startRow(ibmLookup, values);
    setHighlight(highlightRef.current);
  }, [lookup.step, list, latest]);

  useImperativeHandle(
    ref,
    () => ({
      command: (command) => {
        const current = latest().context.ibmLookup;
        const choices = rowsOf(current);
        const at = Math.min(highlightRef.current, choices.length - 1);
        const step = command === 'next' ? 1 : command === 'previous' ? -1 : 0;
        if (step !== 0) {
          highlightRef.current = (at + step + choices.length) % choices.length;
          setHighlight(highlightRef.current);
        }
        if (command !== 'activate') return;
        const { action } = choices[at]!;
        if (action === 'byHand') onByHand(current.step);
        else if (action === 'create') {
          dispatch({ type: 'IBM_CREATE_CREDENTIAL' });
        } else dispatch({ type: 'IBM_PICK', id: action.pick });
      },
    }),
    [dispatch, latest, onByHand],
  );

  const trail = lookupTrail(lookup, lookup.step);
  const credential = lookup.picked.credential;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>IBM Cloud lookup</Text>
        <Text color={theme.muted}>{trail ? ` · ${trail}` : ''}</Text>
      </Text>
      <Box flexDirection="column" marginTop={1}>
        {isIn(snapshot, 'setup.looking') ? (
          <Text color={theme.muted}>{lookingFor(lookup, setup)}</Text>
        ) : isIn(snapshot, 'setup.writingKeys') ? (
          <Text color={theme.muted}>
            {credential
              ? `Reading the keys of credential "${credential.name}"…`
              : 'Creating a credential with HMAC keys…'}
          </Text>
        ) : (
          <>
            <Text bold>{TITLES[lookup.step]}</Text>
            {(list ?? []).length === 0 ? (
              <Text color={theme.warning}>{noneFound(lookup)}</Text>
            ) : null}
            <ChoiceList
              choices={rows}
              highlighted={Math.min(highlight, rows.length - 1)}
              rows={layout.bodyHeight - FIXED_ROWS}
            />
          </>
        )}
      </Box>
    </Box>
  );
}
