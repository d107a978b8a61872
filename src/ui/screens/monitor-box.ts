/**
 * The box the monitor shows under the log: stopped watching (with the
 * command to come back), the question before a cancel, or how a run ended.
 */
import { runOpenedFromHome } from '../../core/journey.js';
import { resumeCommand } from '../../core/machine-setup.js';
import { isIn } from '../../core/state-path.js';
import type { JourneySnapshot } from '../hooks/use-journey.js';
import type { Theme } from '../theme.js';
import type { BoxLine } from './monitor-rows.js';

/** The box under the log, when the monitor shows one, and its colour. */
export function boxOf(
  snapshot: JourneySnapshot,
  theme: Theme,
): { lines: BoxLine[]; color: string | undefined } | null {
  const { context } = snapshot;
  const runId = context.runId ?? '';
  const error = context.error;
  const errorLines: BoxLine[] = error
    ? [
        { text: error.message, kind: 'essential', color: theme.error },
        ...(error.hint ? [{ text: error.hint, kind: 'detail' as const }] : []),
      ]
    : [];
  if (isIn(snapshot, 'monitor.detached')) {
    const where =
      context.settings?.backend === 'local' || !context.settings
        ? 'on this machine'
        : `on ${context.settings.backend}`;
    return {
      color: theme.accent,
      lines: [
        {
          text: `Stopped watching. Run ${runId} keeps running ${where}.`,
          kind: 'detail',
        },
        ...errorLines,
        {
          text: `Come back with: ${resumeCommand(context.configPath, runId)}`,
          kind: 'essential',
          bold: true,
        },
        {
          text: 'w watch again · Enter exit · Ctrl+C cancel the run',
          kind: 'keys',
          color: theme.muted,
        },
      ],
    };
  }
  if (isIn(snapshot, 'monitor.confirmCancel')) {
    return {
      color: theme.error,
      lines: [
        { text: `Cancel run ${runId}?`, kind: 'essential', bold: true },
        {
          text: 'Its progress is lost and the training process is stopped.',
          kind: 'detail',
        },
        { text: 'y cancel the run · n keep it going', kind: 'keys' },
      ],
    };
  }
  if (isIn(snapshot, 'monitor.ended')) {
    const failed = context.run?.status === 'failed';
    const reason = failed
      ? (error?.message ?? context.run?.reason)
      : context.run?.reason;
    return {
      color: failed ? theme.error : theme.warning,
      lines: [
        {
          text: `Run ${runId} ${failed ? 'failed' : 'was cancelled'}.`,
          kind: 'essential',
          bold: true,
        },
        {
          text: reason ?? 'It has no results to download.',
          kind: 'essential',
        },
        ...(failed && error?.hint
          ? [{ text: error.hint, kind: 'detail' as const }]
          : []),
        {
          text: runOpenedFromHome(context)
            ? 'Enter back to Home'
            : 'Enter exit',
          kind: 'keys',
          color: theme.muted,
        },
      ],
    };
  }
  return null;
}
