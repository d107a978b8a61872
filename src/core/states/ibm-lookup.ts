/**
 * Setup's IBM Cloud lookup (see ../ibm-lookup.ts): `looking` asks the
 * account for one step's list, `choosing` shows it, `writingKeys` reads or
 * creates the chosen credential and writes its keys. Esc goes back one
 * list, and from the first one to the form; an error shows on the screen
 * it lands on, and the form still takes every value by hand.
 */
import { assign } from 'xstate';
import { ExitCode } from '../errors.js';
import { ibmQuery, listed, withList } from '../ibm-lookup.js';
import { journeySetup } from '../machine-setup.js';

/** Back one list, or to the form from the first. */
const goBack = [
  {
    guard: 'ibmEarlierList',
    target: 'choosing',
    actions: ['clearMessages', 'ibmStepBack'],
  },
  { target: 'editing', actions: 'clearMessages' },
] as const;

export const ibmLookupStates = {
  looking: journeySetup.createStateConfig({
    invoke: {
      src: 'lookUpIbm',
      input: ({ context }) => ibmQuery(context.ibmLookup, context.setup),
      onDone: [
        {
          // The account's only group is taken: its WML instances next.
          guard: ({ context, event }) =>
            context.ibmLookup.step === 'group' && event.output.length === 1,
          target: 'looking',
          reenter: true,
          actions: assign(({ context, event }) => ({
            ibmLookup: withList(context.ibmLookup, event.output),
          })),
        },
        {
          target: 'choosing',
          actions: assign(({ context, event }) => ({
            ibmLookup: withList(context.ibmLookup, event.output),
          })),
        },
      ],
      onError: [
        {
          guard: 'ibmEarlierList',
          target: 'choosing',
          actions: ['ibmStepBack', 'ibmLookupFailed'],
        },
        { target: 'editing', actions: 'ibmLookupFailed' },
      ],
    },
    on: { CANCEL: goBack, INTERRUPT: goBack },
  }),

  choosing: journeySetup.createStateConfig({
    on: {
      IBM_PICK: [
        {
          guard: ({ context, event }) =>
            listed(context.ibmLookup, event.id)?.hmac === 'no',
          actions: assign(({ context, event }) => ({
            error: {
              message:
                `Credential "${listed(context.ibmLookup, event.id)?.name}" ` +
                'holds no HMAC keys, and WML reads the buckets with them.',
              hint: 'Choose one with HMAC keys, or create a new credential.',
              exitCode: ExitCode.configuration,
            },
          })),
        },
        {
          guard: ({ context, event }) =>
            context.ibmLookup.step === 'credential' &&
            listed(context.ibmLookup, event.id) !== undefined,
          target: 'writingKeys',
          actions: ['clearMessages', 'ibmPickListed'],
        },
        {
          guard: ({ context, event }) =>
            listed(context.ibmLookup, event.id) !== undefined,
          target: 'looking',
          actions: ['clearMessages', 'ibmPickListed'],
        },
      ],
      IBM_CREATE_CREDENTIAL: {
        guard: ({ context }) => context.ibmLookup.step === 'credential',
        target: 'writingKeys',
        actions: ['clearMessages', 'ibmCreatingCredential'],
      },
      IBM_BY_HAND: { target: 'editing', actions: 'clearMessages' },
      BACK: goBack,
    },
  }),

  // Not cancelled by Esc: a credential created but never written down
  // would leave its secret nowhere.
  writingKeys: journeySetup.createStateConfig({
    invoke: {
      src: 'writeHmacKeys',
      input: ({ context }) => {
        const { picked } = context.ibmLookup;
        return {
          configPath: context.configPath,
          cosInstance: picked.cos?.id ?? '',
          ...(picked.credential ? { credentialId: picked.credential.id } : {}),
        };
      },
      onDone: {
        target: 'editing',
        actions: assign(({ context, event }) => ({
          ibmLookup: { ...context.ibmLookup, keys: event.output },
          notice:
            `Credential "${event.output.credentialName}" ` +
            `${event.output.created ? 'created' : 'read'}: its HMAC keys ` +
            `are in ${event.output.file}, readable by you only.`,
        })),
      },
      onError: { target: 'choosing', actions: 'ibmLookupFailed' },
    },
  }),
};
