/**
 * The journey's effects implemented over JourneyServices. Promise actors get
 * an AbortSignal that xstate aborts when their state is left; the follow is
 * a callback actor that streams the run's lines, events and statuses back.
 */
import { fromCallback, fromPromise } from 'xstate';
import { isAbortError } from './errors.js';
import type { HmacKeysWritten, IbmAccountItem } from './ibm-lookup.js';
import type { JourneyEvent } from './journey.js';
import type { ActorInputs, JourneyActors } from './effects.js';
import type { JourneyServices } from './ports.js';
import type {
  CodeArchive,
  JourneySettings,
  RecentRun,
  RunResultsSummary,
  UploadResult,
} from './ports.js';
import type { DataInspection, Recommendation, RunSnapshot } from './types.js';

export function createJourneyActors(services: JourneyServices): JourneyActors {
  return {
    loadSettings: fromPromise<JourneySettings, ActorInputs['loadSettings']>(
      ({ input, signal }) => services.loadSettings(input.configPath, signal),
    ),
    listRecentRuns: fromPromise<RecentRun[], ActorInputs['listRecentRuns']>(
      ({ signal }) => services.listRecentRuns(signal),
    ),
    saveSetup: fromPromise<void, ActorInputs['saveSetup']>(
      ({ input, signal }) =>
        services.saveSetup(input.configPath, input.setup, signal),
    ),
    saveHyperparameters: fromPromise<void, ActorInputs['saveHyperparameters']>(
      ({ input, signal }) =>
        services.saveHyperparameters(
          input.configPath,
          input.hyperparameters,
          signal,
        ),
    ),
    inspectData: fromPromise<DataInspection, ActorInputs['inspectData']>(
      ({ input, signal }) =>
        services.inspectData(input.path, {
          signal,
          onProgress: (bytesRead, bytesTotal) =>
            input.report({ type: 'INSPECT_PROGRESS', bytesRead, bytesTotal }),
        }),
    ),
    uploadData: fromPromise<UploadResult, ActorInputs['uploadData']>(
      ({ input, signal }) =>
        services.uploadData({
          settings: input.settings,
          dataPath: input.dataPath,
          inspection: input.inspection,
          signal,
          onProgress: (progress) =>
            input.report({ type: 'UPLOAD_PROGRESS', progress }),
        }),
    ),
    buildCodeArchive: fromPromise<CodeArchive, ActorInputs['buildCodeArchive']>(
      ({ input, signal }) => services.buildCodeArchive({ ...input, signal }),
    ),
    startRun: fromPromise<RunSnapshot, ActorInputs['startRun']>(
      ({ input, signal }) => services.startRun({ ...input, signal }),
    ),
    followRun: fromCallback<JourneyEvent, ActorInputs['followRun']>(
      ({ input, sendBack }) => {
        const controller = new AbortController();
        // Nothing is sent back once the machine has left the state.
        const send = (event: JourneyEvent) => {
          if (!controller.signal.aborted) sendBack(event);
        };
        services
          .followRun(
            input.runId,
            {
              onLogLine: (line) => send({ type: 'RUN_LOG_LINE', line }),
              onNotice: (message) => send({ type: 'RUN_NOTICE', message }),
              onTrainerEvent: (event) => send({ type: 'TRAINER_EVENT', event }),
              onStatus: (snapshot) => send({ type: 'RUN_STATUS', snapshot }),
            },
            controller.signal,
          )
          .then(
            (snapshot) => send({ type: 'FOLLOW_DONE', snapshot }),
            (error: unknown) => {
              if (!isAbortError(error)) send({ type: 'FOLLOW_ERROR', error });
            },
          );
        return () => controller.abort();
      },
    ),
    cancelRun: fromPromise<void, ActorInputs['cancelRun']>(
      ({ input, signal }) => services.cancelRun(input.runId, signal),
    ),
    fetchResults: fromPromise<RunResultsSummary, ActorInputs['fetchResults']>(
      ({ input, signal }) =>
        services.fetchResults({
          runId: input.runId,
          settings: input.settings,
          logOnly: input.logOnly,
          signal,
          onProgress: (progress) =>
            input.report({ type: 'DOWNLOAD_PROGRESS', progress }),
        }),
    ),
    recommend: fromPromise<Recommendation[], ActorInputs['recommend']>(
      ({ input, signal }) => services.recommend({ ...input, signal }),
    ),
    lookUpIbm: fromPromise<IbmAccountItem[], ActorInputs['lookUpIbm']>(
      ({ input, signal }) => services.lookUpIbm(input, signal),
    ),
    writeHmacKeys: fromPromise<HmacKeysWritten, ActorInputs['writeHmacKeys']>(
      ({ input, signal }) => services.writeHmacKeys(input, signal),
    ),
  };
}
