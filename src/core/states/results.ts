/** Results: download the log and model, show metrics, try the model. */
import { assign } from 'xstate';
import { ExitCode } from '../errors.js';
import { journeySetup, toJourneyError } from '../machine-setup.js';

export const resultsState = journeySetup.createStateConfig({
  initial: 'downloading',
  states: {
    downloading: {
      entry: assign(({ context }) => ({
        download: {
          progress: {
            name: '',
            bytesDone: 0,
            bytesTotal: 0,
            filesDone: 0,
            filesTotal: 0,
          },
          startedAt: context.now(),
        },
      })),
      invoke: {
        src: 'fetchResults',
        input: ({ context, self }) => ({
          runId: context.runId ?? '',
          settings: context.settings!,
          logOnly: context.mode === 'train',
          report: (event) => self.send(event),
        }),
        onDone: [
          {
            guard: 'headless',
            target: '#journey.done',
            actions: assign(({ event }) => ({ results: event.output })),
          },
          {
            target: 'ready',
            actions: assign(({ event }) => ({ results: event.output })),
          },
        ],
        onError: {
          target: '#journey.failed',
          actions: assign(({ event }) => ({
            error: toJourneyError(event.error, ExitCode.download),
          })),
        },
      },
      on: {
        DOWNLOAD_PROGRESS: {
          actions: assign(({ context, event }) => ({
            download: context.download && {
              ...context.download,
              progress: event.progress,
            },
          })),
        },
      },
    },
    ready: {
      on: {
        RECOMMEND_USER_CHANGE: {
          actions: [
            'clearError',
            assign(({ event }) => ({ recommendUserId: event.userId })),
          ],
        },
        RECOMMEND: [
          {
            guard: ({ context, event }) =>
              (event.userId ?? context.recommendUserId).trim() === '',
            actions: assign({ notice: 'Type a user id first.' }),
          },
          {
            target: 'recommending',
            actions: assign(({ context, event }) => ({
              recommendUserId: (event.userId ?? context.recommendUserId).trim(),
              notice: null,
              error: null,
            })),
          },
        ],
        EXIT: '#journey.done',
      },
    },
    recommending: {
      invoke: {
        src: 'recommend',
        input: ({ context }) => ({
          modelDir: context.results?.modelDir ?? '',
          settings: context.settings!,
          userId: context.recommendUserId,
          n: 10,
        }),
        onDone: {
          target: 'ready',
          actions: assign(({ event }) => ({ recommendations: event.output })),
        },
        onError: {
          target: 'ready',
          actions: assign(({ event }) => ({
            recommendations: [],
            notice: toJourneyError(event.error, ExitCode.invocation).message,
          })),
        },
      },
      on: { EXIT: '#journey.done' },
    },
  },
});
