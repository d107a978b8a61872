/** Hyperparameters (edit, check, save) and launch (package, start). */
import { assign } from 'xstate';
import { ExitCode } from '../errors.js';
import { journeySetup, toJourneyError } from '../machine-setup.js';

const FIX_VALUES = 'Fix the values in red before starting the training.';

export const hyperparametersState = journeySetup.createStateConfig({
  initial: 'editing',
  states: {
    editing: {
      on: {
        HYPERPARAMETER_SET: {
          actions: [
            'clearError',
            'setHyperparameter',
            // The request to fix the values goes once they are fixed.
            assign(({ context }) =>
              context.notice === FIX_VALUES &&
              Object.keys(context.hyperparameterErrors).length === 0
                ? { notice: null }
                : {},
            ),
          ],
        },
        SUBMIT: [
          {
            guard: 'hyperparametersValid',
            target: 'saving',
            actions: 'clearMessages',
          },
          {
            actions: assign({
              notice: FIX_VALUES,
            }),
          },
        ],
        BACK: '#journey.data.reviewed',
      },
    },
    saving: {
      invoke: {
        src: 'saveHyperparameters',
        input: ({ context }) => ({
          configPath: context.configPath,
          hyperparameters: context.hyperparameters,
        }),
        onDone: {
          target: '#journey.launch',
          actions: assign(({ context }) => ({
            settings: context.settings && {
              ...context.settings,
              hyperparameters: context.hyperparameters,
            },
          })),
        },
        onError: {
          target: 'editing',
          actions: assign(({ event }) => ({
            error: toJourneyError(event.error, ExitCode.configuration),
          })),
        },
      },
    },
  },
});

export const launchState = journeySetup.createStateConfig({
  initial: 'packaging',
  states: {
    packaging: {
      invoke: {
        src: 'buildCodeArchive',
        input: ({ context }) => ({
          settings: context.settings!,
          hyperparameters: context.hyperparameters,
        }),
        onDone: [
          {
            guard: ({ context }) => context.mode === 'prepare',
            target: '#journey.done',
            actions: assign(({ event }) => ({ archive: event.output })),
          },
          {
            target: 'starting',
            actions: assign(({ event }) => ({ archive: event.output })),
          },
        ],
        onError: [
          {
            guard: 'headless',
            target: '#journey.failed',
            actions: assign(({ event }) => ({
              error: toJourneyError(event.error, ExitCode.data),
            })),
          },
          {
            target: '#journey.hyperparameters',
            actions: assign(({ event }) => ({
              error: toJourneyError(event.error, ExitCode.data),
            })),
          },
        ],
      },
      on: {
        INTERRUPT: [
          {
            guard: 'headless',
            target: '#journey.failed',
            actions: assign({
              error: {
                message: 'Packaging cancelled; nothing was started.',
                exitCode: ExitCode.data,
              },
            }),
          },
          {
            target: '#journey.hyperparameters',
            actions: assign({
              notice: 'Packaging cancelled; nothing was started.',
            }),
          },
        ],
        CANCEL: {
          target: '#journey.hyperparameters',
          actions: assign({
            notice: 'Packaging cancelled; nothing was started.',
          }),
        },
      },
    },
    starting: {
      invoke: {
        src: 'startRun',
        input: ({ context }) => ({
          settings: context.settings!,
          archive: context.archive!,
        }),
        onDone: {
          target: '#journey.monitor',
          actions: assign(({ context, event }) => ({
            run: event.output,
            runId: event.output.id,
            statusHistory: [{ at: context.now(), status: event.output.status }],
          })),
        },
        onError: [
          {
            guard: 'headless',
            target: '#journey.failed',
            actions: assign(({ event }) => ({
              error: toJourneyError(event.error, ExitCode.training),
            })),
          },
          {
            target: '#journey.hyperparameters',
            actions: assign(({ event }) => ({
              error: toJourneyError(event.error, ExitCode.training),
            })),
          },
        ],
      },
    },
  },
});
