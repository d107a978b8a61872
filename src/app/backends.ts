/**
 * Picks the storage and training backend that a config names: local and
 * IBM Cloud are built; Ray would implement the same interfaces.
 */
import path from 'node:path';
import { ExitCode, MaxrecError } from '../core/errors.js';
import type { Settings } from '../services/config/schema.js';
import { debugLog } from '../services/debug-log.js';
import { LocalBackend } from '../services/local/local-backend.js';
import { runPaths } from '../services/local/run-store.js';
import { resolveDataDirectory } from '../services/paths.js';
import { ensurePythonEnv, torchSeesCuda } from '../services/python-env.js';
import { reasonOf } from '../services/fs-errors.js';
import { checkStagingFolder, probeWritable } from '../services/results.js';
import type { StorageService, TrainingBackend } from '../services/types.js';

export interface BackendSession {
  backend: TrainingBackend;
  storage: StorageService;
}

/** `env`: where the ibm backend's secrets come from (the process's own). */
export async function openBackend(
  settings: Settings,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BackendSession> {
  switch (settings.backend) {
    case 'local': {
      const python = await ensurePythonEnv({
        configPython: settings.python,
        onLine: (line) => debugLog('python env:', line),
      });
      const backend = new LocalBackend({
        root: resolveDataDirectory({ configRoot: settings.localRoot }),
        python: python.python,
      });
      return { backend, storage: backend.storage };
    }
    case 'ibm': {
      // Loaded on demand: ibm-cos-sdk is large and most runs are local.
      const { openIbmBackend } = await import('../services/ibm/open-ibm.js');
      const backend = openIbmBackend(settings, env);
      return { backend, storage: backend.storage };
    }
    case 'ray':
      throw new MaxrecError(
        ExitCode.environment,
        `The ${settings.backend} backend is not available in this version of maxrec.`,
        {
          hint:
            'Set backend.name to local in the config (or run ' +
            '`maxrec setup CONFIG --backend local`) to train on this machine.',
        },
      );
  }
}

/**
 * What a headless run checks before it inspects or uploads anything: the
 * backend (its settings, secrets, and for ibm that the API key signs in),
 * the buckets, the run id to resume (unknown: exit 1), CUDA for a local
 * GPU run (exit 2), that the code archive can be written beside the
 * config (exit 4), and that the results can land in the staging folder
 * (exit 6), for the modes that download them, rather than finding out
 * after the upload or the whole training.
 */
export async function checkBeforeTraining(
  settings: Settings,
  options: {
    configPath: string;
    trainingId?: string;
    /** prepare downloads nothing: the staging folder is not its concern. */
    downloads?: boolean;
  },
): Promise<void> {
  let session: BackendSession | undefined;
  if (settings.backend !== 'local') {
    session = await openBackend(settings);
    await session.backend.check();
  }
  checkBuckets(settings);
  if (options.trainingId) {
    session ??= await openBackend(settings);
    await session.backend.status(options.trainingId);
  } else {
    // Also the journey's check before its upload (the app's path): here it
    // comes before the inspection and the "Uploading" line.
    await checkLocalCompute(settings, options.configPath);
    await checkArchiveFolder(options.configPath);
  }
  if (options.downloads ?? true) await checkStagingFolder(settings.stagingDir);
}

/** The code archive is written beside the config, after the upload. */
async function checkArchiveFolder(configPath: string): Promise<void> {
  const folder = path.dirname(path.resolve(configPath));
  try {
    await probeWritable(folder);
  } catch (error) {
    throw new MaxrecError(
      ExitCode.data,
      `The config's folder ${folder}, where the code archive is written, ` +
        `cannot be written: ${reasonOf(error)}. Nothing was uploaded or ` +
        'started.',
      {
        hint: 'Copy the config to a folder you can write and run it from there.',
        cause: error,
      },
    );
  }
}

/** Both buckets named, and different: results never land in the data. */
function checkBuckets(settings: Settings): void {
  const { dataBucket, resultsBucket } = settings;
  if (!dataBucket || !resultsBucket) {
    throw new MaxrecError(
      ExitCode.configuration,
      `The config names no ${dataBucket ? 'results' : 'data'} bucket.`,
      {
        hint: 'Run `maxrec setup CONFIG --data-bucket NAME --results-bucket NAME`.',
      },
    );
  }
  if (dataBucket === resultsBucket) {
    throw new MaxrecError(
      ExitCode.configuration,
      `The data and results buckets are both "${dataBucket}".`,
      {
        hint: 'Give them different names: maxrec setup CONFIG --results-bucket NAME.',
      },
    );
  }
}

/**
 * A compute size that has the local trainer run with `--device cuda` (as
 * journey-services' withDevice decides).
 */
export function wantsCuda(settings: Settings): boolean {
  return settings.backend === 'local' && /^(gpu|cuda)/i.test(settings.compute);
}

/**
 * Refuses (exit 2) a local run on CUDA that the training Python's torch
 * cannot see, before anything is uploaded: the trainer would only refuse
 * its --device once the run has started.
 */
export async function checkLocalCompute(
  settings: Settings,
  configPath: string,
  signal?: AbortSignal,
): Promise<void> {
  if (!wantsCuda(settings)) return;
  const { python } = await ensurePythonEnv({
    configPython: settings.python,
    onLine: (line) => debugLog('python env:', line),
    signal,
  });
  if (await torchSeesCuda(python, { signal })) return;
  throw new MaxrecError(
    ExitCode.environment,
    `The config's compute is ${settings.compute}, but no CUDA device is ` +
      `visible to torch (${python}).`,
    {
      hint:
        `Train on the CPU: run \`maxrec setup ${configPath} --compute cpu\`, ` +
        'or set train.execution.compute_configuration.name to cpu.',
    },
  );
}

/**
 * Where the full log of run `runId` is on this machine, when the backend
 * keeps it here (local); undefined for the cloud backends.
 */
export function localLogFile(
  settings: Settings,
  runId: string,
): string | undefined {
  if (settings.backend !== 'local') return undefined;
  try {
    const root = resolveDataDirectory({ configRoot: settings.localRoot });
    return runPaths(root, runId).log;
  } catch {
    // Not a local run id: no file to name.
    return undefined;
  }
}
