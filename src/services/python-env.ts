/**
 * The Python environment for local training. The logic lives once, in
 * scripts/python-env.mjs, so that `npm run setup:python` needs no build;
 * this module turns its errors into MaxrecError (exit 2).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  checkPythonVersion as checkVersion,
  ensurePythonEnv as ensureEnv,
  PythonEnvError,
  resolvePython as resolve,
  type EnsurePythonOptions,
  type PythonEnv,
  type PythonSource,
} from '../../scripts/python-env.mjs';
import { ExitCode, isAbortError, MaxrecError } from '../core/errors.js';
import { reasonOf } from './fs-errors.js';
import { packageRoot } from './package-root.js';

const run = promisify(execFile);

/** The exit code of the CUDA probe when torch runs but sees no device. */
const NO_CUDA_EXIT = 3;

export type { EnsurePythonOptions, PythonEnv, PythonSource };

/**
 * Which python would run training, creating nothing: the config's
 * `backend.local.python`, then MAXREC_PYTHON, then `<package root>/.venv`.
 */
export function resolvePython(
  options: {
    configPython?: string;
    env?: NodeJS.ProcessEnv;
    root?: string;
  } = {},
): { python: string | undefined; source: PythonSource } {
  return guard(() => resolve({ root: packageRoot(), ...options }));
}

/**
 * Find the python for local training, or create `<package root>/.venv` with
 * training_code/requirements.txt; throws MaxrecError (exit 2) naming what to
 * install when that is not possible.
 */
export async function ensurePythonEnv(
  options: EnsurePythonOptions = {},
): Promise<PythonEnv> {
  return guardAsync(() => ensureEnv({ root: packageRoot(), ...options }));
}

/** The python's version, or MaxrecError (exit 2) when older than 3.11. */
export async function checkPythonVersion(
  python: string,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  return guardAsync(() => checkVersion(python, options));
}

/**
 * Whether the torch of `python` sees a CUDA device (one `python -c`; importing
 * torch takes seconds). MaxrecError (exit 2) when torch cannot be imported.
 */
export async function torchSeesCuda(
  python: string,
  options: { signal?: AbortSignal } = {},
): Promise<boolean> {
  const probe =
    'import sys, torch; ' +
    `sys.exit(0 if torch.cuda.is_available() else ${NO_CUDA_EXIT})`;
  try {
    await run(python, ['-c', probe], {
      signal: options.signal,
      timeout: 120_000,
    });
    return true;
  } catch (error) {
    if (isAbortError(error)) throw error;
    if ((error as { code?: unknown }).code === NO_CUDA_EXIT) return false;
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    const lastLine = stderr.trim().split('\n').at(-1);
    throw new MaxrecError(
      ExitCode.environment,
      `${python} could not import torch to look for a CUDA device: ` +
        `${lastLine || reasonOf(error)}.`,
      { hint: 'Run `npm run setup:python` to see the details.', cause: error },
    );
  }
}

function toMaxrecError(error: unknown): unknown {
  if (error instanceof PythonEnvError) {
    return new MaxrecError(ExitCode.environment, error.message, {
      hint: error.hint,
      cause: error,
    });
  }
  if (isAbortError(error) || error instanceof MaxrecError) return error;
  return new MaxrecError(
    ExitCode.environment,
    `The Python environment could not be prepared: ${String(error)}`,
    { hint: 'Run `npm run setup:python` to see the details.', cause: error },
  );
}

function guard<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw toMaxrecError(error);
  }
}

async function guardAsync<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toMaxrecError(error);
  }
}
