/** What a journey's end means for a process: its exit code and last words. */
import { ExitCode } from './errors.js';
import type { JourneyContext } from './journey.js';
import { resumeCommand } from './machine-setup.js';
import { isFinal } from './types.js';

function finalState(snapshot: { value: unknown }): string | null {
  return typeof snapshot.value === 'string' ? snapshot.value : null;
}

/**
 * The exit code of a finished journey (done and quit 0, cancelled 5, failed
 * its error's code), or undefined while it goes on. A run left going on in
 * `monitor.detached` is not an end: the caller decides when to stop there.
 */
export function exitCodeOf(snapshot: {
  status: string;
  value: unknown;
  context: JourneyContext;
}): number | undefined {
  if (snapshot.status === 'error') return ExitCode.invocation;
  if (snapshot.status !== 'done') return undefined;
  switch (finalState(snapshot)) {
    case 'done':
    case 'quit':
      return ExitCode.ok;
    case 'cancelled':
      return ExitCode.training;
    case 'failed':
      return snapshot.context.error?.exitCode ?? ExitCode.training;
    default:
      return undefined;
  }
}

/** The line to print when leaving the app: how things ended, what next. */
export function closingMessage(snapshot: {
  status: string;
  value: unknown;
  context: JourneyContext;
}): string | null {
  const { context } = snapshot;
  const runId = context.runId;
  switch (finalState(snapshot)) {
    case 'failed':
      return context.error
        ? [context.error.message, context.error.hint].filter(Boolean).join('\n')
        : null;
    case 'cancelled':
      return `Run ${runId ?? ''} was cancelled.`;
    case 'done':
      return context.results
        ? `Results in ${context.results.stagingDir}`
        : null;
    case 'quit':
      return runId && !(context.run && isFinal(context.run.status))
        ? `Run ${runId} goes on. Come back with: ${resumeCommand(context.configPath, runId)}`
        : null;
    default:
      return null;
  }
}
