/**
 * Compute sizes, one vocabulary per backend: local (and Ray) training runs
 * train_ncf.py with `--device cpu|cuda`, so those are its sizes; ibm takes
 * WML hardware sizes. Checked by setup and when a config is loaded.
 */
import type { BackendName } from '../../core/types.js';
import { IBM_COMPUTE_SIZES, isIbmComputeSize } from '../ibm/hardware.js';

/** The trainer's --device values. */
export const DEVICE_SIZES: readonly string[] = ['cpu', 'cuda'];

/** Earlier setup screens wrote 'gpu' for local and Ray: still read. */
const DEVICE_ALIASES: Readonly<Record<string, string>> = { gpu: 'cuda' };

/** Every size each backend takes; the first is its default. */
export const COMPUTE_SIZES: Readonly<Record<BackendName, readonly string[]>> = {
  local: DEVICE_SIZES,
  ibm: IBM_COMPUTE_SIZES,
  ray: DEVICE_SIZES,
};

/**
 * `compute` as `backend` takes it ('gpu' is 'cuda' on local and Ray), or
 * undefined when that backend has no such size.
 */
export function computeFor(
  backend: BackendName,
  compute: string,
): string | undefined {
  const typed = compute.trim().toLowerCase();
  if (backend === 'ibm') return isIbmComputeSize(typed) ? compute : undefined;
  const device = DEVICE_ALIASES[typed] ?? typed;
  return DEVICE_SIZES.includes(device) ? device : undefined;
}

/** What is wrong with `compute` on `backend`, and the sizes to use. */
export function computeProblem(backend: BackendName, compute: string): string {
  const sizes = COMPUTE_SIZES[backend].join(', ');
  return backend === 'ibm'
    ? `"${compute}" is not a WML hardware size; use one of ${sizes}`
    : `"${compute}" is not a compute size of the ${backend} backend; ` +
        `use one of ${sizes} (the trainer's --device)`;
}
