/**
 * JourneyServices over the real services: what the state machine's effects
 * do, for the app and the headless commands alike.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type {
  JourneyServices,
  JourneySettings,
  RecentRun,
} from '../core/ports.js';
import { ExitCode, MaxrecError } from '../core/errors.js';
import { RunNotFoundError } from '../core/journey.js';
import { DEFAULT_HYPERPARAMETERS } from '../core/types.js';
import {
  hyperparameterChanges,
  loadConfig,
  saveConfig,
  setupChanges,
  updateHyperparameters,
  updateSetup,
} from '../services/config/config-file.js';
import type { Settings } from '../services/config/schema.js';
import { inspectData } from '../services/data-inspection.js';
import { debugLog } from '../services/debug-log.js';
import {
  openPreferences,
  type RecentRun as PreferredRun,
} from '../services/preferences.js';
import { composeTrainingCommand, ZipPackaging } from '../services/packaging.js';
import {
  copyTrainedModel,
  downloadResults,
  extractModelArchive,
  readMetrics,
} from '../services/results.js';
import { Recommender } from '../services/recommender.js';
import {
  checkLocalCompute,
  openBackend,
  wantsCuda,
  type BackendSession,
} from './backends.js';
import {
  dataKeyOf,
  DEFAULT_DATA_FILE,
  existingData,
  exists,
  keptIfPresent,
  looksLikeFolder,
  notInspected,
  notUploaded,
  ratingsFileIn,
  storedDataPath,
  titlesFile,
} from './data-files.js';
import { createIbmSetupServices } from './ibm-setup-services.js';

export interface AppServices extends JourneyServices {
  /** The full settings of the config loaded last, for the CLI's messages. */
  loadedSettings(): Settings | undefined;
}

export interface JourneyServicesOptions {
  /**
   * The environment: secrets (ML_APIKEY, AWS_*, ...) and settings such as
   * MAXREC_CONFIG_HOME. The process's own by default.
   */
  env?: NodeJS.ProcessEnv;
}

export function createJourneyServices({
  env = process.env,
}: JourneyServicesOptions = {}): AppServices {
  let loaded: Settings | undefined;
  let session: BackendSession | undefined;
  // The ratings file's key in the data bucket, as the last upload left it.
  let uploadedDataFile: string | undefined;
  // The data the last upload used, written to the config with the
  // hyperparameters: the config then names what was trained on.
  let chosenData: { dataPath: string; dataFile: string } | undefined;
  const recommenders = new Map<string, Promise<Recommender>>();
  const preferences = openPreferences({ env });
  let configPath = '';
  const ibmSetup = createIbmSetupServices({
    env,
    iamUrl: () => loaded?.ibm.iamUrl,
  });

  const backend = async (): Promise<BackendSession> => {
    if (!loaded) throw new Error('settings are not loaded');
    if (!session) {
      // With the COS keys setup wrote in this session, if it did.
      const opened = await openBackend(loaded, ibmSetup.sessionEnv());
      // A cloud backend signs in before the first upload, so a wrong key
      // is found before the data goes up (local checks as it opens).
      if (opened.backend.name !== 'local') await opened.backend.check();
      session = opened;
    }
    return session;
  };
  // Recent runs come from several configs, and each ran on the backend
  // recorded with it, which its config may no longer name.
  const otherBackends = new Map<string, Promise<BackendSession>>();
  const backendOfRecentRun = (run: PreferredRun) => {
    const file = path.resolve(run.configPath);
    const sameConfig = file === path.resolve(configPath);
    if (sameConfig && run.backend === loaded?.backend) return backend();
    const key = `${run.backend} ${file}`;
    let opened = otherBackends.get(key);
    if (!opened) {
      const settings =
        sameConfig && loaded
          ? Promise.resolve(loaded)
          : loadConfig(file).then((c) => c.settings);
      opened = settings.then((s) =>
        openBackend({ ...s, backend: run.backend }, env),
      );
      opened.catch(() => otherBackends.delete(key));
      otherBackends.set(key, opened);
    }
    return opened;
  };
  /** A run started from this machine is followed on its own backend. */
  const backendOfRun = (runId: string) => {
    const recorded = preferences.findRun(runId);
    return recorded ? backendOfRecentRun(recorded) : backend();
  };

  return {
    loadedSettings: () => loaded,

    async loadSettings(file) {
      // A missing file: the defaults, written when the setup is saved
      // (headless commands refuse a missing config before they get here).
      const config = await loadConfig(file, { missingAsDefault: true });
      loaded = config.settings;
      configPath = config.path;
      session = undefined;
      otherBackends.clear();
      preferences.addRecentConfig(config.path);
      for (const note of config.notes) debugLog('config note:', note);
      return toJourneySettings(config.settings);
    },

    async saveSetup(file, setup) {
      // Another data folder: its own ratings file, unless it has the same;
      // in the same write, so that a refused setup changes nothing.
      const dataFiles =
        loaded && path.resolve(setup.localDataDir) !== loaded.localDataDir
          ? hyperparameterChanges({
              dataFile: await keptIfPresent(
                setup.localDataDir,
                loaded.hyperparameters.dataFile,
              ),
              itemTitlesFile: await keptIfPresent(
                setup.localDataDir,
                loaded.hyperparameters.itemTitlesFile,
              ),
            })
          : {};
      const config = await updateSetup(
        file,
        {
          backend: setup.backend,
          localDataDir: setup.localDataDir,
          dataBucket: setup.dataBucket || undefined,
          resultsBucket: setup.resultsBucket || undefined,
          compute: setup.compute,
          // Empty means "leave as it is": an endpoint must be a URL.
          cosEndpoint: setup.cosEndpoint || undefined,
          spaceId: setup.spaceId || undefined,
          wmlUrl: setup.wmlUrl || undefined,
          cosInstance: setup.cosInstance || undefined,
        },
        { alsoChange: dataFiles },
      );
      loaded = config.settings;
      session = undefined;
      otherBackends.clear();
    },

    async saveHyperparameters(file, hyperparameters) {
      if (!chosenData || !loaded) {
        loaded = (await updateHyperparameters(file, hyperparameters)).settings;
        return;
      }
      // The data trained on, with the values, in one write.
      const { dataPath, dataFile } = chosenData;
      const values = hyperparameterChanges({
        ...hyperparameters,
        dataFile,
        itemTitlesFile: await keptIfPresent(
          dataPath,
          loaded.hyperparameters.itemTitlesFile,
        ),
      });
      const config = await saveConfig(file, {
        ...values,
        ...(path.resolve(dataPath) !== loaded.localDataDir &&
          setupChanges({ localDataDir: storedDataPath(file, dataPath) })),
      });
      loaded = config.settings;
    },

    async inspectData(target, options) {
      if (loaded?.dataUpload === 'existing' && !(await exists(target))) {
        // Nothing is uploaded: the local copy need not be here.
        return notInspected(target, loaded, options.delimiter);
      }
      return inspectData(await ratingsFileIn(target, loaded), options);
    },

    async uploadData({ settings, dataPath, inspection, onProgress, signal }) {
      // The trainer would refuse --device cuda only once the run started.
      await checkLocalCompute(requireLoaded(loaded), configPath, signal);
      const { storage } = await backend();
      const bucket = requireBucket(settings.dataBucket, 'data');
      const prefix = loaded?.dataPrefix ?? '';
      const mode = loaded?.dataUpload ?? 'add';
      if (mode === 'existing') {
        // Listed, never created: a bucket without the data is refused.
        const isFolder = await looksLikeFolder(dataPath);
        const key = dataKeyOf(dataPath, inspection.file, isFolder);
        const there = await storage.listObjects(bucket, prefix, signal);
        const existing = existingData(there, bucket, prefix, key);
        uploadedDataFile = key;
        chosenData = { dataPath, dataFile: isFolder ? key : '' };
        return existing;
      }
      const isFolder = (await fs.stat(dataPath)).isDirectory();
      await storage.ensureBucket(bucket, signal);
      const there = await storage.listObjects(bucket, prefix, signal);
      const removed = mode === 'replace' ? there.length : undefined;
      if (mode === 'replace' && there.length > 0) {
        await storage.deleteObjects(
          bucket,
          there.map((o) => o.key),
          signal,
        );
      }
      // A folder goes up whole; a single file goes up alone, by its name.
      const objects = await storage.upload(dataPath, bucket, prefix, {
        skip: isFolder
          ? notUploaded(
              dataPath,
              configPath,
              loaded && codeArchivePath(configPath, loaded),
            )
          : undefined,
        onProgress,
        signal,
      });
      uploadedDataFile = dataKeyOf(dataPath, inspection.file, isFolder);
      chosenData = { dataPath, dataFile: isFolder ? uploadedDataFile : '' };
      return {
        objects: objects.length,
        bytes: objects.reduce((sum, o) => sum + o.bytes, 0),
        ...(removed !== undefined && { removed }),
      };
    },

    async buildCodeArchive({ settings, hyperparameters, signal }) {
      const full = requireLoaded(loaded);
      const dataFile =
        uploadedDataFile ?? settings.dataFile ?? DEFAULT_DATA_FILE;
      const archivePath = codeArchivePath(configPath, full);
      const result = await new ZipPackaging().buildCodeArchive(
        full.codeDir,
        archivePath,
        {
          trainingCommand: withDevice(
            composeTrainingCommand({ ...hyperparameters, dataFile }),
            full,
          ),
          signal,
        },
      );
      return { path: archivePath, ...result };
    },

    async startRun({ settings, archive, signal }) {
      const full = requireLoaded(loaded);
      const { backend: training } = await backend();
      const snapshot = await training.start(
        {
          codeArchive: archive.path,
          command: full.command,
          dataBucket: requireBucket(settings.dataBucket, 'data'),
          dataPrefix: full.dataPrefix,
          resultsBucket: requireBucket(settings.resultsBucket, 'results'),
          name: `train-${full.modelIdentifier}`,
          compute: settings.compute,
        },
        signal,
      );
      preferences.addRecentRun({
        id: snapshot.id,
        backend: training.name,
        configPath,
        startedAt: snapshot.startedAt ?? Date.now(),
      });
      return snapshot;
    },

    async followRun(runId, handlers, signal) {
      const { backend: training } = await backendOfRun(runId);
      return training.follow(runId, handlers, signal);
    },

    async cancelRun(runId, signal) {
      const { backend: training } = await backendOfRun(runId);
      await training.cancel(runId, signal);
    },

    async fetchResults({ runId, settings, logOnly, onProgress, signal }) {
      const full = requireLoaded(loaded);
      const { backend: training, storage } = await backendOfRun(runId);
      const results = await training.results(runId, signal);
      const stagingDir = settings.stagingDir;
      const downloaded = await downloadResults(storage, results, stagingDir, {
        onProgress,
        signal,
        logOnly,
      });
      if (logOnly || !downloaded.archiveFile) {
        return { stagingDir, logFile: downloaded.logFile };
      }
      const modelDir = await extractModelArchive(
        downloaded.archiveFile,
        stagingDir,
      );
      recommenders.delete(modelDir);
      if (full.trainedModelCopyDir) {
        await copyTrainedModel(modelDir, full.trainedModelCopyDir);
      }
      return {
        stagingDir,
        logFile: downloaded.logFile,
        archiveFile: downloaded.archiveFile,
        modelDir,
        metrics: await readMetrics(modelDir),
      };
    },

    async recommend({ modelDir, settings, userId, n }) {
      let recommender = recommenders.get(modelDir);
      if (!recommender) {
        recommender = Recommender.load(modelDir, {
          titlesFile: await titlesFile(settings),
        });
        recommenders.set(modelDir, recommender);
        recommender.catch(() => recommenders.delete(modelDir));
      }
      // As `maxrec recommend`: items the user already has are left out.
      const loadedRecommender = await recommender;
      return loadedRecommender.recommend(userId, n, {
        excludeSeen: loadedRecommender.canExcludeSeen,
      });
    },

    lookUpIbm: (query, signal) => ibmSetup.lookUpIbm(query, signal),

    async writeHmacKeys(request, signal) {
      const written = await ibmSetup.writeHmacKeys(request, signal);
      // The backend opens again, now with these keys.
      session = undefined;
      return written;
    },

    async listRecentRuns(signal) {
      const recent = preferences.recentRuns();
      const runs: RecentRun[] = [];
      for (const run of recent.slice(0, 10)) {
        signal.throwIfAborted();
        runs.push({
          id: run.id,
          backend: run.backend,
          startedAt: run.startedAt,
          configPath: run.configPath,
          status: await statusOf(run),
        });
      }
      return runs;

      async function statusOf(run: PreferredRun): Promise<RecentRun['status']> {
        try {
          const { backend: training } = await backendOfRecentRun(run);
          return (await training.status(run.id, signal)).status;
        } catch (error) {
          debugLog(`recent run ${run.id} on ${run.backend}: no status:`, error);
          // Unknown to its backend, or its backend cannot be asked now:
          // neither says the run failed. Resuming it says why.
          return error instanceof RunNotFoundError ? 'not found' : 'unknown';
        }
      }
    },
  };
}

/** The zipped training code, beside the config, named as the original did. */
export function codeArchivePath(
  configPath: string,
  settings: Settings,
): string {
  return path.join(
    path.dirname(path.resolve(configPath)),
    `${settings.modelIdentifier}-model-building-code.zip`,
  );
}

/** On the local backend, a GPU compute size trains with --device cuda. */
function withDevice(command: string, settings: Settings): string {
  return wantsCuda(settings) ? `${command} --device cuda` : command;
}

function toJourneySettings(settings: Settings): JourneySettings {
  const { dataFile, itemTitlesFile, ...hyperparameters } =
    settings.hyperparameters;
  return {
    backend: settings.backend,
    localDataDir: settings.localDataDir,
    dataBucket: settings.dataBucket ?? '',
    resultsBucket: settings.resultsBucket ?? '',
    compute: settings.compute,
    cosEndpoint: settings.cosEndpoint ?? '',
    spaceId: settings.ibm.spaceId,
    wmlUrl: settings.ibm.wmlUrl,
    cosInstance: settings.ibm.cosInstance,
    dataFile: dataFile ?? DEFAULT_DATA_FILE,
    itemTitlesFile,
    hyperparameters: { ...DEFAULT_HYPERPARAMETERS, ...hyperparameters },
    stagingDir: settings.stagingDir,
    dataUpload: settings.dataUpload,
  };
}

function requireLoaded(settings: Settings | undefined): Settings {
  if (!settings) throw new Error('settings are not loaded');
  return settings;
}

function requireBucket(bucket: string, role: 'data' | 'results'): string {
  if (bucket) return bucket;
  throw new MaxrecError(
    ExitCode.configuration,
    `The config names no ${role} bucket.`,
    { hint: 'Run `maxrec setup CONFIG` to choose one.' },
  );
}
