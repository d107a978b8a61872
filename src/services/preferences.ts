/**
 * App preferences kept between sessions: the config files opened lately and
 * the runs started lately, most recent first. Stored with `conf` in the
 * platform's config folder, or in MAXREC_CONFIG_HOME when set (tests and CI
 * set it so they never write to the real home).
 */
import Conf from 'conf';
import path from 'node:path';
import type { BackendName } from '../core/types.js';

export const MAX_RECENT_CONFIGS = 10;
export const MAX_RECENT_RUNS = 20;

export interface RecentRun {
  id: string;
  backend: BackendName;
  /** Absolute path of the config the run was started with. */
  configPath: string;
  /** Milliseconds since the epoch. */
  startedAt: number;
}

interface PreferencesData extends Record<string, unknown> {
  recentConfigs: string[];
  recentRuns: RecentRun[];
}

export interface Preferences {
  /** Where the preferences file is, for messages. */
  readonly path: string;
  recentConfigs(): string[];
  /** Put `configPath` (made absolute) at the top of the recent configs. */
  addRecentConfig(configPath: string): void;
  recentRuns(): RecentRun[];
  /** Put `run` at the top of the recent runs, replacing one with its id. */
  addRecentRun(run: RecentRun): void;
  findRun(id: string): RecentRun | undefined;
  clear(): void;
}

/**
 * Open the preferences store. `env` is read for MAXREC_CONFIG_HOME; `cwd`
 * overrides both.
 */
export function openPreferences(
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Preferences {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? (env.MAXREC_CONFIG_HOME || undefined);
  const store = new Conf<PreferencesData>({
    projectName: 'maxrec',
    projectSuffix: '',
    ...(cwd ? { cwd } : {}),
    defaults: { recentConfigs: [], recentRuns: [] },
    // A damaged preferences file is not worth stopping the app for.
    clearInvalidConfig: true,
  });

  return {
    path: store.path,
    recentConfigs: () => validStrings(store.get('recentConfigs')),
    addRecentConfig(configPath) {
      const file = path.resolve(configPath);
      const rest = validStrings(store.get('recentConfigs')).filter(
        (entry) => entry !== file,
      );
      store.set('recentConfigs', [file, ...rest].slice(0, MAX_RECENT_CONFIGS));
    },
    recentRuns: () => validRuns(store.get('recentRuns')),
    addRecentRun(run) {
      const entry = { ...run, configPath: path.resolve(run.configPath) };
      const rest = validRuns(store.get('recentRuns')).filter(
        (other) => other.id !== run.id,
      );
      store.set('recentRuns', [entry, ...rest].slice(0, MAX_RECENT_RUNS));
    },
    findRun: (id) =>
      validRuns(store.get('recentRuns')).find((r) => r.id === id),
    clear: () => store.clear(),
  };
}

function validStrings(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((entry): entry is string => typeof entry === 'string')
    : [];
}

/** Entries written by an older version may lack fields: skip those. */
function validRuns(value: unknown): RecentRun[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (run): run is RecentRun =>
      typeof run === 'object' &&
      run !== null &&
      typeof run.id === 'string' &&
      ['local', 'ibm', 'ray'].includes(run.backend) &&
      typeof run.configPath === 'string' &&
      typeof run.startedAt === 'number',
  );
}
