/** Home: load the config, list recent runs, choose what to do. */
import { assign } from 'xstate';
import { ExitCode } from '../errors.js';
import type { JourneyContext } from '../journey.js';
import { journeySetup, toJourneyError } from '../machine-setup.js';
import type { JourneySettings } from '../ports.js';
import type { BackendName } from '../types.js';

/**
 * Nothing of the run watched last: a run opened next, or Home, starts
 * afresh (a run started in this session is known by its archive).
 */
export const NO_RUN = {
  runId: null,
  runBackend: undefined,
  run: null,
  archive: null,
  statusHistory: [],
  download: null,
  results: null,
} satisfies Partial<JourneyContext>;

/** The settings as a reopened run shows them: on the backend it ran on. */
function onRunBackend(
  settings: JourneySettings,
  backend: BackendName | undefined,
): JourneySettings {
  return backend ? { ...settings, backend } : settings;
}

/** Where a headless command or a resume goes once the settings are in. */
const routeAfterLoading = [
  {
    guard: ({ context }: { context: { runId: string | null } }) =>
      context.runId !== null,
    target: '#journey.monitor',
  },
  { guard: 'headless' as const, target: '#journey.data.inspecting' },
  { target: 'ready' },
];

export const homeState = journeySetup.createStateConfig({
  initial: 'loading',
  on: {
    // Headless commands send this at once, often while the config loads.
    RUN_HEADLESS: {
      actions: assign(({ event }) => ({
        mode: event.mode,
        runId: event.runId ?? null,
      })),
    },
  },
  states: {
    loading: {
      invoke: {
        src: 'loadSettings',
        input: ({ context }) => ({ configPath: context.configPath }),
        onDone: {
          actions: assign(({ context, event }) => {
            const settings = event.output;
            return {
              settings:
                context.runId === null
                  ? settings
                  : onRunBackend(settings, context.runBackend),
              setup: {
                backend: settings.backend,
                localDataDir: settings.localDataDir,
                dataBucket: settings.dataBucket,
                resultsBucket: settings.resultsBucket,
                compute: settings.compute,
                cosEndpoint: settings.cosEndpoint,
                spaceId: settings.spaceId,
                wmlUrl: settings.wmlUrl,
                cosInstance: settings.cosInstance,
              },
              dataPath: settings.localDataDir,
              hyperparameters: { ...settings.hyperparameters },
            };
          }),
          target: 'routing',
        },
        onError: {
          target: '#journey.failed',
          actions: assign(({ event }) => ({
            error: toJourneyError(event.error, ExitCode.configuration),
          })),
        },
      },
    },
    // A transient step so that RUN_HEADLESS received while loading counts.
    routing: { always: routeAfterLoading },
    ready: {
      entry: assign({ lookingUpRuns: true }),
      invoke: {
        src: 'listRecentRuns',
        input: () => ({}),
        onDone: {
          actions: assign(({ event }) => ({
            recentRuns: event.output,
            lookingUpRuns: false,
          })),
        },
        // Recent runs are a convenience: without them home still works.
        onError: { actions: assign({ lookingUpRuns: false }) },
      },
      on: {
        NEW_TRAINING: {
          target: '#journey.setup',
          actions: [
            'clearMessages',
            assign(({ event }) => ({
              endAfterSetup: event.endAfterSetup ?? false,
            })),
          ],
        },
        RESUME: [
          {
            // A run of another config: load that one (its backend), then
            // follow the run, as routing does for a run id.
            guard: ({ context, event }) =>
              Boolean(event.configPath) &&
              event.configPath !== context.configPath,
            target: 'loading',
            actions: [
              'clearMessages',
              assign(({ event }) => ({
                ...NO_RUN,
                configPath: event.configPath,
                runId: event.runId,
                runBackend: event.backend,
              })),
            ],
          },
          {
            target: '#journey.monitor',
            actions: [
              'clearMessages',
              assign(({ context, event }) => ({
                ...NO_RUN,
                runId: event.runId,
                runBackend: event.backend,
                settings:
                  context.settings &&
                  onRunBackend(context.settings, event.backend),
              })),
            ],
          },
        ],
        RUN_HEADLESS: {
          target: 'routing',
          actions: assign(({ event }) => ({
            mode: event.mode,
            runId: event.runId ?? null,
          })),
        },
        QUIT: '#journey.quit',
      },
    },
  },
});
