/**
 * Where maxrec keeps its own data (the local backend's buckets and runs):
 * the platform's data directory, unless the user chose another one.
 */
import path from 'node:path';
import envPaths from 'env-paths';

/** Where the data directory setting may come from. */
export interface DataDirectoryOptions {
  /** `backend.local.root` from the config; empty or absent for the default. */
  configRoot?: string;
  /** Folder a relative `configRoot` is resolved against (the config's). */
  baseDir?: string;
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The app's data directory. The config's `backend.local.root` wins because
 * it is the most specific choice; then `MAXREC_HOME`; then the platform's
 * convention (`$XDG_DATA_HOME/maxrec` on Linux, Application Support on
 * macOS, `%LOCALAPPDATA%` on Windows).
 */
export function resolveDataDirectory(
  options: DataDirectoryOptions = {},
): string {
  const env = options.env ?? process.env;
  const baseDir = options.baseDir ?? process.cwd();
  const configRoot = options.configRoot?.trim();
  if (configRoot) return path.resolve(baseDir, expandHome(configRoot, env));
  const fromEnv = env.MAXREC_HOME?.trim();
  if (fromEnv) return path.resolve(expandHome(fromEnv, env));
  return envPaths('maxrec', { suffix: '' }).data;
}

/** Folder holding one folder per bucket. */
export function bucketsDirectory(root: string): string {
  return path.join(root, 'buckets');
}

/** Folder holding one folder per training run of the local backend. */
export function runsDirectory(root: string): string {
  return path.join(root, 'runs');
}

function expandHome(value: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME ?? env.USERPROFILE;
  if (home && (value === '~' || value.startsWith('~/'))) {
    return path.join(home, value.slice(1));
  }
  return value;
}
