/**
 * WML hardware specifications by the config's compute size: the CPU sizes
 * IBM Cloud offers today, and the GPU sizes of the original tool and of
 * Cloud Pak for Data. Kept apart from the backend so that the config's
 * validation can use it without loading the HTTP clients.
 */
import { ExitCode, MaxrecError } from '../../core/errors.js';

const HARDWARE = new Map<string, string>([
  ['cpu', 'S'],
  ...[
    'XXS',
    'XS',
    'S',
    'M',
    'L',
    'XL',
    'K80',
    'K80x2',
    'K80x4',
    'V100',
    'V100x2',
  ].map((name): [string, string] => [name.toLowerCase(), name]),
]);

export const IBM_COMPUTE_SIZES = [...HARDWARE.keys()];

export function isIbmComputeSize(compute: string): boolean {
  return HARDWARE.has(compute.trim().toLowerCase());
}

/** Throws (exit 3) for a size WML does not have. */
export function hardwareSpecOf(compute: string): {
  name: string;
  nodes: number;
} {
  const name = HARDWARE.get(compute.trim().toLowerCase());
  if (!name) {
    throw new MaxrecError(
      ExitCode.configuration,
      `train.execution.compute_configuration.name: "${compute}" is not a ` +
        'WML hardware size.',
      { hint: `Use one of ${IBM_COMPUTE_SIZES.join(', ')} (cpu means S).` },
    );
  }
  return { name, nodes: 1 };
}
