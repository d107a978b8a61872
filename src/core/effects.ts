/**
 * The effects the journey machine invokes, declared with their input and
 * output types. These placeholders fail; createJourneyActors gives the real
 * ones, passed with machine.provide({ actors }).
 */
import { fromCallback, fromPromise } from 'xstate';
import type {
  HmacKeysRequest,
  HmacKeysWritten,
  IbmAccountItem,
  IbmQuery,
} from './ibm-lookup.js';
import type { JourneyEvent, ProgressEvent } from './journey.js';
import type {
  CodeArchive,
  JourneySettings,
  RecentRun,
  RunResultsSummary,
  SetupChoices,
  UploadResult,
} from './ports.js';
import type {
  DataInspection,
  Hyperparameters,
  Recommendation,
  RunSnapshot,
} from './types.js';

/** Lets a promise actor send progress events to the machine. */
export type Report = (event: ProgressEvent) => void;

export interface ActorInputs {
  loadSettings: { configPath: string };
  listRecentRuns: Record<string, never>;
  saveSetup: { configPath: string; setup: SetupChoices };
  saveHyperparameters: { configPath: string; hyperparameters: Hyperparameters };
  inspectData: { path: string; report: Report };
  uploadData: {
    settings: JourneySettings;
    dataPath: string;
    inspection: DataInspection;
    report: Report;
  };
  buildCodeArchive: {
    settings: JourneySettings;
    hyperparameters: Hyperparameters;
  };
  startRun: { settings: JourneySettings; archive: CodeArchive };
  followRun: { runId: string };
  cancelRun: { runId: string };
  fetchResults: {
    runId: string;
    settings: JourneySettings;
    logOnly: boolean;
    report: Report;
  };
  recommend: {
    modelDir: string;
    settings: JourneySettings;
    userId: string;
    n: number;
  };
  lookUpIbm: IbmQuery;
  writeHmacKeys: HmacKeysRequest;
}

function notProvided(name: string): () => Promise<never> {
  return () =>
    Promise.reject(
      new Error(`The ${name} effect was not provided: use machine.provide()`),
    );
}

/** The effects, as declared; createJourneyActors gives the real ones. */
export const declaredActors = {
  loadSettings: fromPromise<JourneySettings, ActorInputs['loadSettings']>(
    notProvided('loadSettings'),
  ),
  listRecentRuns: fromPromise<RecentRun[], ActorInputs['listRecentRuns']>(
    notProvided('listRecentRuns'),
  ),
  saveSetup: fromPromise<void, ActorInputs['saveSetup']>(
    notProvided('saveSetup'),
  ),
  saveHyperparameters: fromPromise<void, ActorInputs['saveHyperparameters']>(
    notProvided('saveHyperparameters'),
  ),
  inspectData: fromPromise<DataInspection, ActorInputs['inspectData']>(
    notProvided('inspectData'),
  ),
  uploadData: fromPromise<UploadResult, ActorInputs['uploadData']>(
    notProvided('uploadData'),
  ),
  buildCodeArchive: fromPromise<CodeArchive, ActorInputs['buildCodeArchive']>(
    notProvided('buildCodeArchive'),
  ),
  startRun: fromPromise<RunSnapshot, ActorInputs['startRun']>(
    notProvided('startRun'),
  ),
  followRun: fromCallback<JourneyEvent, ActorInputs['followRun']>(
    ({ sendBack }) => {
      sendBack({
        type: 'FOLLOW_ERROR',
        error: new Error('The followRun effect was not provided'),
      });
    },
  ),
  cancelRun: fromPromise<void, ActorInputs['cancelRun']>(
    notProvided('cancelRun'),
  ),
  fetchResults: fromPromise<RunResultsSummary, ActorInputs['fetchResults']>(
    notProvided('fetchResults'),
  ),
  recommend: fromPromise<Recommendation[], ActorInputs['recommend']>(
    notProvided('recommend'),
  ),
  lookUpIbm: fromPromise<IbmAccountItem[], ActorInputs['lookUpIbm']>(
    notProvided('lookUpIbm'),
  ),
  writeHmacKeys: fromPromise<HmacKeysWritten, ActorInputs['writeHmacKeys']>(
    notProvided('writeHmacKeys'),
  ),
};

export type JourneyActors = typeof declaredActors;
