/**
 * The journey machine's setup: its types, the effects it invokes (declared
 * in effects.ts, implemented by createJourneyActors over JourneyServices),
 * and the actions and guards its states share.
 */
import { assign, setup } from 'xstate';
import { declaredActors } from './effects.js';
import { ExitCode, MaxrecError } from './errors.js';
import { checkHyperparameter } from './hyperparameters.js';
import {
  LOG_TAIL_LINES,
  type JourneyContext,
  type JourneyError,
  type JourneyEvent,
  type JourneyInput,
} from './journey.js';
import {
  creatingCredential,
  earlierList,
  listed,
  NO_IBM_LOOKUP,
  pick,
  startLookup,
} from './ibm-lookup.js';
import { DEFAULT_HYPERPARAMETERS, type RunStatus } from './types.js';

/** Any failure as the user sees it; `exitCode` falls back to the stage's. */
export function toJourneyError(
  error: unknown,
  fallbackExitCode: number,
): JourneyError {
  if (error instanceof MaxrecError) {
    return {
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      exitCode: error.exitCode,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message, exitCode: fallbackExitCode };
}

/**
 * A failed run's reason as one line: the backend's own message often says
 * that training failed already ("Training failed with exit code 137"), so
 * the prefix is only added to reasons that do not.
 */
export function failureMessage(reason: string): string {
  return /\bfail(ed|s|ure)?\b/i.test(reason)
    ? reason
    : `Training failed: ${reason}`;
}

/** `maxrec train CONFIG package RUN_ID`: how to watch a run again. */
export function resumeCommand(configPath: string, runId: string): string {
  return `maxrec train ${configPath} package ${runId}`;
}

export function initialContext(input: JourneyInput): JourneyContext {
  return {
    configPath: input.configPath,
    mode: 'interactive',
    now: input.now ?? Date.now,
    settings: null,
    setup: {
      backend: 'local',
      localDataDir: '',
      dataBucket: '',
      resultsBucket: '',
      compute: 'cpu',
    },
    ibmLookup: NO_IBM_LOOKUP,
    recentRuns: [],
    lookingUpRuns: false,
    dataPath: '',
    inspectProgress: null,
    inspection: null,
    upload: null,
    uploaded: null,
    hyperparameters: { ...DEFAULT_HYPERPARAMETERS },
    hyperparameterErrors: {},
    archive: null,
    runId: null,
    run: null,
    statusHistory: [],
    epochs: [],
    trials: [],
    phases: [],
    currentPhase: null,
    startEvent: null,
    endEvent: null,
    trainerError: null,
    logTail: [],
    followNotices: [],
    download: null,
    results: null,
    recommendUserId: '',
    recommendations: [],
    error: null,
    notice: null,
    quitRequested: false,
  };
}

function withStatus(context: JourneyContext, status: RunStatus) {
  const last = context.statusHistory.at(-1);
  if (last?.status === status) return context.statusHistory;
  return [...context.statusHistory, { at: context.now(), status }];
}

export const journeySetup = setup({
  types: {} as {
    context: JourneyContext;
    events: JourneyEvent;
    input: JourneyInput;
  },
  actors: declaredActors,
  guards: {
    headless: ({ context }) => context.mode !== 'interactive',
    interactive: ({ context }) => context.mode === 'interactive',
    quitRequested: ({ context }) => context.quitRequested,
    inspectionHasErrors: ({ context }) =>
      (context.inspection?.errors.length ?? 0) > 0,
    hyperparametersValid: ({ context }) =>
      Object.keys(context.hyperparameterErrors).length === 0,
    /** The IBM lookup has a list before this step's to go back to. */
    ibmEarlierList: ({ context }) =>
      earlierList(context.ibmLookup) !== undefined,
  },
  actions: {
    clearMessages: assign({ notice: null, error: null, quitRequested: false }),
    /** The user acted on an error (edited a value): it no longer applies. */
    clearError: assign({ error: null }),
    requestQuit: assign({
      quitRequested: true,
      notice: 'Quit maxrec? y to quit, n to stay.',
    }),
    stayAfterQuitRequest: assign({ quitRequested: false, notice: null }),
    ibmLookupStarted: assign(({ context }) => ({
      ibmLookup: startLookup(context.ibmLookup),
    })),
    ibmCreatingCredential: assign(({ context }) => ({
      ibmLookup: creatingCredential(context.ibmLookup),
    })),
    ibmStepBack: assign(({ context }) => ({
      ibmLookup: {
        ...context.ibmLookup,
        step: earlierList(context.ibmLookup) ?? context.ibmLookup.step,
      },
    })),
    ibmLookupFailed: assign(({ event }) =>
      'error' in event
        ? { error: toJourneyError(event.error, ExitCode.environment) }
        : {},
    ),
    /** The item of the list IBM_PICK names is chosen: see `pick`. */
    ibmPickListed: assign(({ context, event }) => {
      const item =
        event.type === 'IBM_PICK' && listed(context.ibmLookup, event.id);
      if (!item) return {};
      const next = pick(context.ibmLookup, context.setup, item);
      return { ibmLookup: next.lookup, setup: next.setup };
    }),
    uploadCancelled: assign({
      upload: null,
      notice: 'Upload cancelled; nothing was started. Enter uploads again.',
    }),
    setHyperparameter: assign(({ context, event }) => {
      if (event.type !== 'HYPERPARAMETER_SET') return {};
      const checked = checkHyperparameter(
        event.field,
        event.value,
        context.inspection,
      );
      const errors = { ...context.hyperparameterErrors };
      if (!checked.ok) {
        errors[event.field] = checked.message;
        return { hyperparameterErrors: errors };
      }
      delete errors[event.field];
      return {
        hyperparameters: {
          ...context.hyperparameters,
          [event.field]: checked.value,
        },
        hyperparameterErrors: errors,
      };
    }),
    /** The follow replays a run from its start: begin its series afresh. */
    resetRunProgress: assign({
      epochs: [],
      trials: [],
      phases: [],
      currentPhase: null,
      startEvent: null,
      endEvent: null,
      trainerError: null,
      logTail: [],
      followNotices: [],
    }),
    /** Shown in the log tail too, where the app user looks. */
    appendFollowNotice: assign(({ context, event }) => {
      if (event.type !== 'RUN_NOTICE') return {};
      const tail = [...context.logTail, event.message];
      return {
        logTail: tail.slice(-LOG_TAIL_LINES),
        followNotices: [...context.followNotices, event.message].slice(-100),
      };
    }),
    appendLogLine: assign(({ context, event }) => {
      if (event.type !== 'RUN_LOG_LINE') return {};
      // Progress events are drawn by the dashboard; the tail keeps the prose.
      if (event.line.startsWith('{"event"')) return {};
      const tail = [...context.logTail, event.line];
      return { logTail: tail.slice(-LOG_TAIL_LINES) };
    }),
    recordStatus: assign(({ context, event }) => {
      if (event.type !== 'RUN_STATUS' && event.type !== 'FOLLOW_DONE') {
        return {};
      }
      return {
        run: event.snapshot,
        runId: event.snapshot.id,
        statusHistory: withStatus(context, event.snapshot.status),
      };
    }),
    recordTrainerEvent: assign(({ context, event }) => {
      if (event.type !== 'TRAINER_EVENT') return {};
      const trainer = event.event;
      switch (trainer.event) {
        case 'start':
          return { startEvent: trainer };
        case 'epoch': {
          const last = context.epochs.at(-1);
          const sameTrial = !last || last.trial === trainer.trial;
          const epoch = {
            epoch: trainer.epoch,
            epochs: trainer.epochs,
            loss: trainer.loss,
            valHr: trainer.val_hr,
            valNdcg: trainer.val_ndcg,
            seconds: trainer.seconds,
            ...(trainer.trial !== undefined ? { trial: trainer.trial } : {}),
          };
          return {
            epochs: sameTrial ? [...context.epochs, epoch] : [epoch],
            currentPhase: null,
          };
        }
        case 'trial':
          return {
            trials: [
              ...context.trials,
              {
                trial: trainer.trial,
                trials: trainer.trials,
                params: trainer.params,
                valHr: trainer.val_hr,
                valNdcg: trainer.val_ndcg,
                state: trainer.state,
                seconds: trainer.seconds,
              },
            ],
          };
        case 'phase':
          return {
            phases: [...context.phases, trainer],
            currentPhase: trainer,
          };
        case 'end':
          return { endEvent: trainer, currentPhase: null };
        case 'error':
          return { trainerError: trainer.message };
      }
      return {};
    }),
    failRun: assign(({ context, event }) => {
      const snapshot =
        event.type === 'FOLLOW_DONE' || event.type === 'RUN_STATUS'
          ? event.snapshot
          : context.run;
      const reason =
        snapshot?.reason ?? context.trainerError ?? 'the training run failed';
      return {
        error: {
          message: failureMessage(reason),
          hint: 'See the log tail above, or the full log with the run id.',
          exitCode: ExitCode.training,
        },
      };
    }),
  },
});
