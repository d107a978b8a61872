/**
 * Colours by meaning. With NO_COLOR set (any value but empty) every colour
 * is undefined, so components pass no colour props at all.
 */
import type { RunStatus } from '../core/types.js';

export interface Theme {
  colors: boolean;
  accent?: string;
  muted?: string;
  error?: string;
  warning?: string;
  success?: string;
  status: Record<RunStatus, string | undefined>;
}

export function createTheme(env: NodeJS.ProcessEnv = process.env): Theme {
  const noColor = (env['NO_COLOR'] ?? '') !== '';
  if (noColor) {
    return {
      colors: false,
      status: {
        pending: undefined,
        running: undefined,
        completed: undefined,
        failed: undefined,
        cancelled: undefined,
      },
    };
  }
  return {
    colors: true,
    accent: 'cyan',
    muted: 'gray',
    error: 'red',
    warning: 'yellow',
    success: 'green',
    status: {
      pending: 'yellow',
      running: 'blue',
      completed: 'green',
      failed: 'red',
      cancelled: 'gray',
    },
  };
}
