/** Types for scripts/python-env.mjs; see that file. */

export declare const MIN_PYTHON: readonly [number, number];
export declare const REQUIRED_MODULES: readonly string[];

/** An environment problem; the TypeScript wrapper turns it into exit 2. */
export declare class PythonEnvError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string);
}

export type PythonSource = 'config' | 'env' | 'venv' | 'none';

export interface EnsurePythonOptions {
  /** `backend.local.python` from the config, when set. */
  configPython?: string;
  env?: NodeJS.ProcessEnv;
  /** The package root holding training_code/ and .venv/. */
  root?: string;
  /** The python that creates the venv; default MAXREC_BASE_PYTHON or python3. */
  basePython?: string;
  /** Also install training_code/requirements-dev.txt. */
  dev?: boolean;
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export interface PythonEnv {
  python: string;
  source: 'config' | 'env' | 'venv' | 'created';
  version: string;
  /** Whether requirements were installed by this call. */
  installed: boolean;
}

export declare function findPackageRoot(fromUrl?: string): string;
export declare function venvPython(root: string): string;
export declare function resolvePython(options?: {
  configPython?: string;
  env?: NodeJS.ProcessEnv;
  root?: string;
}): { python: string | undefined; source: PythonSource };
export declare function runCollecting(
  command: string,
  args: string[],
  options?: {
    onLine?: (line: string) => void;
    signal?: AbortSignal;
    cwd?: string;
  },
): Promise<{ code: number | null; lines: string[] }>;
export declare function checkPythonVersion(
  python: string,
  options?: { signal?: AbortSignal },
): Promise<string>;
export declare function ensurePythonEnv(
  options?: EnsurePythonOptions,
): Promise<PythonEnv>;
