/** Setup (backend, locations, compute) and data (inspect, review, upload). */
import { assign } from 'xstate';
import { ExitCode } from '../errors.js';
import { configDelimiterNote, delimiterAsTyped } from '../hyperparameters.js';
import type { JourneyContext, JourneyError } from '../journey.js';
import { journeySetup, toJourneyError } from '../machine-setup.js';
import type { DataInspection } from '../types.js';
import { ibmLookupStates } from './ibm-lookup.js';

/**
 * The inspection, and the trainer told the delimiter it found: a tab file
 * read with ',' fails. It has read the file, so it wins over the config's
 * delimiter; headless, a note among its warnings (which the output
 * prints) says so when the two differ.
 */
function inspected(context: JourneyContext, inspection: DataInspection) {
  const delimiter = delimiterAsTyped(inspection.delimiter);
  // The app shows the file's delimiter on its own screen, and saves it.
  const note =
    context.mode === 'interactive'
      ? undefined
      : configDelimiterNote(context.hyperparameters.delimiter, inspection);
  return {
    inspection: note
      ? {
          ...inspection,
          warnings: [{ message: note }, ...inspection.warnings],
        }
      : inspection,
    hyperparameters: delimiter
      ? { ...context.hyperparameters, delimiter }
      : context.hyperparameters,
    // Another value now; an error about the old one no longer applies.
    hyperparameterErrors: delimiter
      ? withoutKey(context.hyperparameterErrors, 'delimiter')
      : context.hyperparameterErrors,
  };
}

function withoutKey<T extends object, K extends keyof T>(
  record: T,
  key: K,
): Omit<T, K> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

/**
 * Headless, data the trainer would reject, naming the file read (a folder
 * may hold several). With errors, the inspection's warnings are only a
 * file beside it that would do, which becomes the hint.
 */
function unusableData(inspection: DataInspection): JourneyError {
  const name = inspection.file.split(/[\\/]/).pop() ?? inspection.file;
  const problems = inspection.errors
    .map((e) => (e.line ? `line ${e.line}: ` : '') + e.message)
    .join('; ');
  const other = inspection.warnings[0]?.message;
  return {
    message: `The data cannot be used: ${name}: ${problems}`,
    hint: other
      ? `${other} Nothing was uploaded.`
      : 'Fix the file and run the command again; nothing was uploaded.',
    exitCode: ExitCode.data,
  };
}

/**
 * The settings with the data uploaded: the folder (or file) of the data
 * screen, which the config names once the hyperparameters are saved.
 */
function withDataOf(context: JourneyContext): JourneyContext['settings'] {
  return (
    context.settings && {
      ...context.settings,
      localDataDir: context.dataPath,
    }
  );
}

/**
 * An upload refused because the backend or compute cannot train here
 * (exit 2, e.g. cuda without a CUDA device): in the app, Setup changes
 * what the hint's `maxrec setup` command would.
 */
function inAppTerms(error: JourneyError): JourneyError {
  if (error.exitCode !== ExitCode.environment) return error;
  if (!error.hint?.includes('maxrec setup')) return error;
  return {
    ...error,
    hint:
      'Press Esc to go back to Setup and change the backend or compute ' +
      'size (cpu needs no CUDA device).',
  };
}

/** On ibm, after the lookup wrote COS keys: how later sessions get them. */
function keysReminder(context: JourneyContext): string {
  const file = context.ibmLookup.keys?.file;
  return file && context.setup.backend === 'ibm'
    ? ` For \`maxrec train\` in a shell: source ${file}`
    : '';
}

export const setupState = journeySetup.createStateConfig({
  initial: 'editing',
  states: {
    editing: {
      on: {
        SETUP_CHANGE: {
          actions: [
            'clearError',
            assign(({ context, event }) => ({
              setup: { ...context.setup, ...event.patch },
            })),
          ],
        },
        IBM_LOOKUP: {
          guard: ({ context }) => context.setup.backend === 'ibm',
          target: 'looking',
          actions: ['clearMessages', 'ibmLookupStarted'],
        },
        SUBMIT: { target: 'saving', actions: 'clearMessages' },
        BACK: '#journey.home.ready',
      },
    },
    ...ibmLookupStates,
    saving: {
      invoke: {
        src: 'saveSetup',
        input: ({ context }) => ({
          configPath: context.configPath,
          setup: context.setup,
        }),
        onDone: [
          {
            guard: ({ context }) => context.endAfterSetup === true,
            target: '#journey.done',
          },
          {
            target: '#journey.data',
            actions: assign(({ context }) => ({
              settings: context.settings && {
                ...context.settings,
                ...context.setup,
              },
              dataPath: context.setup.localDataDir || context.dataPath,
              notice: `Saved to ${context.configPath}.${keysReminder(context)}`,
            })),
          },
        ],
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

export const dataState = journeySetup.createStateConfig({
  initial: 'choosing',
  states: {
    choosing: {
      on: {
        DATA_PATH_CHANGE: {
          actions: [
            'clearError',
            assign(({ event }) => ({ dataPath: event.path })),
          ],
        },
        SUBMIT: { target: 'inspecting', actions: 'clearMessages' },
        BACK: '#journey.setup',
      },
    },
    inspecting: {
      entry: assign({ inspection: null, inspectProgress: null }),
      invoke: {
        src: 'inspectData',
        input: ({ context, self }) => ({
          path: context.dataPath,
          report: (event) => self.send(event),
        }),
        onDone: [
          {
            guard: ({ context, event }) =>
              context.mode !== 'interactive' && event.output.errors.length > 0,
            target: '#journey.failed',
            actions: assign(({ event }) => ({
              inspection: event.output,
              error: unusableData(event.output),
            })),
          },
          {
            target: 'reviewed',
            actions: assign(({ context, event }) =>
              inspected(context, event.output),
            ),
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
            target: 'choosing',
            actions: assign(({ event }) => ({
              error: toJourneyError(event.error, ExitCode.data),
            })),
          },
        ],
      },
      on: {
        INSPECT_PROGRESS: {
          actions: assign(({ event }) => ({
            inspectProgress: {
              bytesRead: event.bytesRead,
              bytesTotal: event.bytesTotal,
            },
          })),
        },
        CANCEL: 'choosing',
        INTERRUPT: { guard: 'interactive', target: 'choosing' },
      },
    },
    reviewed: {
      always: {
        guard: ({ context }) =>
          context.mode !== 'interactive' &&
          (context.inspection?.errors.length ?? 0) === 0,
        target: 'uploading',
      },
      on: {
        SUBMIT: [
          {
            guard: 'inspectionHasErrors',
            actions: assign({
              notice:
                'The data has errors (in red): fix the file or choose another before uploading.',
            }),
          },
          { target: 'uploading', actions: 'clearMessages' },
        ],
        DATA_PATH_CHANGE: {
          target: 'choosing',
          actions: assign(({ event }) => ({
            dataPath: event.path,
            inspection: null,
          })),
        },
        BACK: [
          {
            // The backend or compute cannot train here: Setup changes them.
            guard: ({ context }) =>
              context.error?.exitCode === ExitCode.environment,
            target: '#journey.setup',
            actions: 'clearMessages',
          },
          { target: 'choosing', actions: 'clearMessages' },
        ],
      },
    },
    uploading: {
      entry: assign(({ context }) => ({
        upload: {
          progress: {
            name: context.dataPath,
            bytesDone: 0,
            bytesTotal: context.inspection?.bytes ?? 0,
            filesDone: 0,
            filesTotal: 1,
          },
          startedAt: context.now(),
        },
      })),
      invoke: {
        src: 'uploadData',
        input: ({ context, self }) => ({
          // Settings and inspection are set before any path reaches here.
          settings: context.settings!,
          dataPath: context.dataPath,
          inspection: context.inspection!,
          report: (event) => self.send(event),
        }),
        onDone: [
          {
            guard: 'headless',
            target: '#journey.launch',
            actions: assign(({ context, event }) => ({
              uploaded: event.output,
              settings: withDataOf(context),
            })),
          },
          {
            target: '#journey.hyperparameters',
            actions: assign(({ context, event }) => ({
              uploaded: event.output,
              settings: withDataOf(context),
              notice: event.output.existing
                ? 'Using the data already in the bucket.'
                : 'Data uploaded.',
            })),
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
            target: 'reviewed',
            actions: assign(({ event }) => ({
              error: inAppTerms(toJourneyError(event.error, ExitCode.data)),
            })),
          },
        ],
      },
      on: {
        UPLOAD_PROGRESS: {
          actions: assign(({ context, event }) => ({
            upload: context.upload && {
              ...context.upload,
              progress: event.progress,
            },
          })),
        },
        CANCEL: { target: 'reviewed', actions: 'uploadCancelled' },
        INTERRUPT: [
          {
            guard: 'headless',
            target: '#journey.failed',
            actions: assign({
              error: {
                message: 'Upload cancelled; nothing was started.',
                exitCode: ExitCode.data,
              },
            }),
          },
          { target: 'reviewed', actions: 'uploadCancelled' },
        ],
      },
    },
  },
});
