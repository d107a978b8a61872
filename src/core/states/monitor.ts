/**
 * Monitor: follow a run. Ctrl+C once stops watching (the run goes on), a
 * second time asks whether to cancel the run. In the app, a run that ends
 * cancelled or failed stays on screen (`ended`) until the user leaves: back
 * to Home for a run opened from there, with the exit code of a failed or
 * cancelled run (5, as the original) for one started in this session. A run
 * its backend does not know goes back to Home with why.
 */
import { and, assign, not } from 'xstate';
import { ExitCode } from '../errors.js';
import {
  RunNotFoundError,
  runOpenedFromHome,
  type JourneyContext,
} from '../journey.js';
import {
  journeySetup,
  resumeCommand,
  toJourneyError,
} from '../machine-setup.js';
import type { RunSnapshot } from '../types.js';
import { NO_RUN } from './home.js';

type Done = { snapshot: RunSnapshot };
const ended =
  (status: RunSnapshot['status']) =>
  ({ event }: { event: unknown }) =>
    (event as Done).snapshot.status === status;

const runNotFound = ({ event }: { event: { error?: unknown } }) =>
  event.error instanceof RunNotFoundError;

const openedFromHome = ({ context }: { context: JourneyContext }) =>
  runOpenedFromHome(context);

function detachedNotice(context: JourneyContext): string {
  const id = context.runId ?? '';
  const resume = resumeCommand(context.configPath, id);
  return `Stopped watching; run ${id} goes on. Come back with: ${resume}`;
}

export const monitorState = journeySetup.createStateConfig({
  initial: 'watching',
  states: {
    watching: {
      entry: ['resetRunProgress', assign({ notice: null })],
      invoke: {
        src: 'followRun',
        input: ({ context }) => ({ runId: context.runId ?? '' }),
      },
      on: {
        RUN_LOG_LINE: { actions: 'appendLogLine' },
        RUN_NOTICE: { actions: 'appendFollowNotice' },
        TRAINER_EVENT: { actions: 'recordTrainerEvent' },
        RUN_STATUS: { actions: 'recordStatus' },
        FOLLOW_DONE: [
          {
            guard: ended('completed'),
            target: '#journey.results',
            actions: 'recordStatus',
          },
          {
            guard: and([ended('cancelled'), not('headless')]),
            target: 'ended',
            actions: 'recordStatus',
          },
          {
            guard: ended('cancelled'),
            target: '#journey.cancelled',
            actions: 'recordStatus',
          },
          {
            guard: and([ended('failed'), not('headless')]),
            target: 'ended',
            actions: ['recordStatus', 'failRun'],
          },
          {
            guard: ended('failed'),
            target: '#journey.failed',
            actions: ['recordStatus', 'failRun'],
          },
          {
            // The follow ended without the run ending: say so, keep the id.
            target: 'detached',
            actions: [
              'recordStatus',
              assign(({ context }) => ({ notice: detachedNotice(context) })),
            ],
          },
        ],
        FOLLOW_ERROR: [
          {
            // Nothing to follow, cancel or come back to.
            guard: and([runNotFound, 'headless']),
            target: '#journey.failed',
            actions: assign(({ event }) => ({
              error: toJourneyError(event.error, ExitCode.invocation),
            })),
          },
          {
            guard: runNotFound,
            target: '#journey.home',
            actions: assign(({ event }) => ({
              ...NO_RUN,
              error: toJourneyError(event.error, ExitCode.invocation),
            })),
          },
          {
            // The run may well go on where it runs: say how to come back.
            guard: 'headless',
            target: '#journey.failed',
            actions: assign(({ context, event }) => {
              const error = toJourneyError(event.error, ExitCode.training);
              const resume = resumeCommand(
                context.configPath,
                context.runId ?? '',
              );
              const comeBack = `The run may still be going: follow it again with ${resume}`;
              return {
                error: {
                  ...error,
                  hint: error.hint ? `${error.hint}\n${comeBack}` : comeBack,
                },
              };
            }),
          },
          {
            target: 'detached',
            actions: assign(({ event }) => ({
              error: toJourneyError(event.error, ExitCode.training),
            })),
          },
        ],
        INTERRUPT: {
          target: 'detached',
          actions: assign(({ context }) => ({
            notice: detachedNotice(context),
          })),
        },
      },
    },
    ended: {
      on: {
        EXIT: [
          {
            // Home lists the run with how it ended; a new training starts there.
            guard: openedFromHome,
            target: '#journey.home',
            actions: assign({ ...NO_RUN, error: null, notice: null }),
          },
          {
            guard: ({ context }) => context.run?.status === 'cancelled',
            target: '#journey.cancelled',
          },
          { target: '#journey.failed' },
        ],
      },
    },
    detached: {
      on: {
        INTERRUPT: 'confirmCancel',
        WATCH: { target: 'watching', actions: 'clearMessages' },
        EXIT: '#journey.quit',
      },
    },
    confirmCancel: {
      on: {
        CONFIRM: 'cancelling',
        DENY: 'detached',
        // Only y or n answer the question.
        INTERRUPT: {},
      },
    },
    cancelling: {
      invoke: {
        src: 'cancelRun',
        input: ({ context }) => ({ runId: context.runId ?? '' }),
        onDone: {
          target: '#journey.cancelled',
          actions: assign(({ context }) => ({
            run: context.run
              ? { ...context.run, status: 'cancelled' as const }
              : { id: context.runId ?? '', status: 'cancelled' as const },
            statusHistory: [
              ...context.statusHistory,
              { at: context.now(), status: 'cancelled' as const },
            ],
          })),
        },
        onError: {
          target: 'detached',
          actions: assign(({ event }) => ({
            error: toJourneyError(event.error, ExitCode.training),
          })),
        },
      },
      on: { INTERRUPT: {} },
    },
  },
});
