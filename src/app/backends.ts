/**
 * Picks the storage and training backend that a config names: local and
 * IBM Cloud are built; Ray would implement the same interfaces.
 */
import { ExitCode, MaxrecError } from '../core/errors.js';
import type { Settings } from '../services/config/schema.js';
import { debugLog } from '../services/debug-log.js';
import { LocalBackend } from '../services/local/local-backend.js';
import { resolveDataDirectory } from '../services/paths.js';
import { ensurePythonEnv } from '../services/python-env.js';
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
