/**
 * The setup screen's IBM Cloud lookup, in the original setup's order: the
 * resource group (the account's only one is taken without asking), a WML
 * instance (its region gives the WML URL), a deployment space of that
 * region, a COS instance, and one of its credentials, or a new one, whose
 * HMAC keys go to a file. Shapes and pure steps only; the states are in
 * states/ibm-lookup.ts, the lookups in app/ibm-setup-services.ts.
 */
import type { SetupChoices } from './ports.js';

export type IbmStep = 'group' | 'wml' | 'space' | 'cos' | 'credential';

export const IBM_STEPS: readonly IbmStep[] = [
  'group',
  'wml',
  'space',
  'cos',
  'credential',
];

/** Something the account holds, as a setup list shows it: never a secret. */
export interface IbmAccountItem {
  /** A group's or space's id; an instance's or credential's GUID. */
  id: string;
  name: string;
  /** Instances: `region_id` (us-south; `global` for COS). */
  region?: string;
  state?: string;
  /** Groups: the account's default one. */
  isDefault?: boolean;
  /** Credentials: whether they hold HMAC keys (`hidden`: IBM withholds). */
  hmac?: 'yes' | 'no' | 'hidden';
  /** Credentials: ISO 8601. */
  createdAt?: string;
}

/** What one step looks up. */
export type IbmQuery =
  | { step: 'group' }
  | { step: 'wml' | 'cos'; resourceGroupId: string }
  | { step: 'space'; wmlUrl: string }
  | { step: 'credential'; cosInstance: string };

export interface HmacKeysRequest {
  /** The keys file goes beside the config. */
  configPath: string;
  cosInstance: string;
  /** An existing credential to read; absent: create one. */
  credentialId?: string;
}

/** The keys as written: where, and their last characters at most. */
export interface HmacKeysWritten {
  credentialName: string;
  created: boolean;
  /** Absolute path of the file (mode 0600) with the two export lines. */
  file: string;
  /** Masked: the last 4 characters at most. */
  accessKeyId: string;
  secretAccessKey: string;
}

export interface IbmLookup {
  /** The step being looked up or chosen. */
  step: IbmStep;
  /** Each step's list as looked up, kept so that Esc can go back to it. */
  lists: Partial<Record<IbmStep, IbmAccountItem[]>>;
  /** What was chosen at each step (`credential`: absent when creating). */
  picked: Partial<Record<IbmStep, IbmAccountItem>>;
  /** The group was the account's only one, so it was never a choice. */
  groupTaken: boolean;
  /** The keys file written in this session, for the summary. */
  keys: HmacKeysWritten | null;
}

export const NO_IBM_LOOKUP: IbmLookup = {
  step: 'group',
  lists: {},
  picked: {},
  groupTaken: false,
  keys: null,
};

/** A new lookup from the first step; the keys written before still hold. */
export function startLookup(lookup: IbmLookup): IbmLookup {
  return { ...lookup, step: 'group', lists: {}, groupTaken: false };
}

/** What the current step asks the account for. */
export function ibmQuery(lookup: IbmLookup, setup: SetupChoices): IbmQuery {
  const { picked } = lookup;
  switch (lookup.step) {
    case 'group':
      return { step: 'group' };
    case 'wml':
    case 'cos':
      return { step: lookup.step, resourceGroupId: picked.group?.id ?? '' };
    case 'space':
      return { step: 'space', wmlUrl: setup.wmlUrl ?? '' };
    case 'credential':
      return { step: 'credential', cosInstance: picked.cos?.id ?? '' };
  }
}

/** The lookup with the step's list in, or its only group taken. */
export function withList(
  lookup: IbmLookup,
  items: IbmAccountItem[],
): IbmLookup {
  const lists = { ...lookup.lists, [lookup.step]: items };
  if (lookup.step === 'group' && items.length === 1) {
    const picked = { ...lookup.picked, group: items[0]! };
    return { ...lookup, lists, picked, groupTaken: true, step: 'wml' };
  }
  return { ...lookup, lists };
}

/** The item of the current list with this id, if any. */
export function listed(
  lookup: IbmLookup,
  id: string,
): IbmAccountItem | undefined {
  return lookup.lists[lookup.step]?.find((item) => item.id === id);
}

/** The WML URL of a region: https://us-south.ml.cloud.ibm.com. */
export function wmlUrlOfRegion(region: string): string {
  return `https://${region}.ml.cloud.ibm.com`;
}

/**
 * `item` chosen at the current step: the setup value it gives, and the
 * next step. A credential is the last step: its keys are fetched next.
 */
export function pick(
  lookup: IbmLookup,
  setup: SetupChoices,
  item: IbmAccountItem,
): { lookup: IbmLookup; setup: SetupChoices } {
  const picked = { ...lookup.picked, [lookup.step]: item };
  const at = IBM_STEPS.indexOf(lookup.step);
  const step = IBM_STEPS[Math.min(at + 1, IBM_STEPS.length - 1)]!;
  const next = { ...lookup, picked, step };
  switch (lookup.step) {
    case 'wml':
      return {
        lookup: next,
        setup: item.region
          ? { ...setup, wmlUrl: wmlUrlOfRegion(item.region) }
          : setup,
      };
    case 'space':
      return { lookup: next, setup: { ...setup, spaceId: item.id } };
    case 'cos':
      return { lookup: next, setup: { ...setup, cosInstance: item.id } };
    case 'credential':
      return { lookup: { ...lookup, picked }, setup };
    default:
      return { lookup: next, setup };
  }
}

/** The credential step about to create a new one. */
export function creatingCredential(lookup: IbmLookup): IbmLookup {
  const { credential: _none, ...picked } = lookup.picked;
  return { ...lookup, picked };
}

/** The latest step before this one whose list was shown, if any. */
export function earlierList(lookup: IbmLookup): IbmStep | undefined {
  const at = IBM_STEPS.indexOf(lookup.step);
  return IBM_STEPS.slice(0, at)
    .reverse()
    .find(
      (step) =>
        lookup.lists[step] !== undefined &&
        !(step === 'group' && lookup.groupTaken),
    );
}
