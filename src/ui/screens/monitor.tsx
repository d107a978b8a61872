import { isIn } from '../../core/state-path.js';
import { Box, Text } from 'ink';
import { resumeCommand } from '../../core/machine-setup.js';
import {
  estimateTimeLeft,
  formatCounts,
  formatDuration,
  summarizeEpochs,
} from '../../core/progress.js';
import { LogTail } from '../components/log-tail.js';
import { ProgressBar } from '../components/progress-bar.js';
import { Sparkline } from '../components/sparkline.js';
import {
  StatusLegend,
  StatusSparkline,
} from '../components/status-sparkline.js';
import type { JourneySnapshot } from '../hooks/use-journey.js';
import { useUi } from '../ui-context.js';

const LABEL_WIDTH = 9;
const MAX_TRIAL_ROWS = 5;
/** The detached and confirm boxes, borders included. */
// Borders, three lines, and one more for a resume command that wraps.
const BOX_ROWS = 6;

const fixed = (value: number | undefined) =>
  value === undefined ? '–' : value.toFixed(4);

export function MonitorScreen({ snapshot }: { snapshot: JourneySnapshot }) {
  const { theme, layout, now } = useUi();
  const { context } = snapshot;
  const runId = context.runId ?? '';
  const status =
    context.run?.status ?? context.statusHistory.at(-1)?.status ?? 'pending';
  const total = context.startEvent?.epochs ?? context.hyperparameters.epochs;
  const summary = summarizeEpochs(context.epochs, total);
  const startedAt = context.run?.startedAt ?? context.statusHistory[0]?.at;
  const elapsed =
    startedAt !== undefined
      ? ((context.run?.endedAt ?? now) - startedAt) / 1000
      : null;
  // Pretraining or the refit, while one runs: epochs without validation.
  const phase = context.currentPhase;
  const left = phase
    ? (phase.epochs - phase.epoch) * phase.seconds
    : estimateTimeLeft(context.epochs, summary.total);
  const phaseText = phase
    ? ` · ${phase.phase === 'refit' ? 'refit' : 'pretraining'} ${phase.epoch}/${phase.epochs}`
    : '';
  const detached = isIn(snapshot, 'monitor.detached');
  const confirming = isIn(snapshot, 'monitor.confirmCancel');
  const cancelling = isIn(snapshot, 'monitor.cancelling');
  const endedHere = isIn(snapshot, 'monitor.ended');
  const trials = context.trials.slice(-MAX_TRIAL_ROWS);
  const trialRows = trials.length > 0 ? trials.length + 1 : 0;
  const logLines = Math.max(
    0,
    layout.logLines -
      trialRows -
      (detached || confirming || endedHere ? BOX_ROWS : 0) -
      (cancelling ? 1 : 0),
  );
  const start = context.startEvent;
  const label = (text: string) => (
    <Text color={theme.muted}>{text.padEnd(LABEL_WIDTH)}</Text>
  );

  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        Run <Text bold>{runId}</Text> ·{' '}
        <Text color={theme.status[status]}>{status}</Text>
        {context.settings
          ? ` · ${context.settings.backend} · ${context.settings.compute}`
          : ''}
        {isIn(snapshot, 'monitor.watching') ? '' : ' · not watching'}
      </Text>
      <Text>
        {label('Status')}
        <StatusSparkline
          history={context.statusHistory}
          now={now}
          width={layout.sparklineWidth}
          theme={theme}
        />
      </Text>
      <Text>
        {' '.repeat(LABEL_WIDTH)}
        <StatusLegend theme={theme} />
      </Text>
      <Text>
        {label('Loss')}
        <Sparkline
          values={summary.losses}
          width={layout.sparklineWidth}
          color={theme.warning}
        />{' '}
        {fixed(summary.latest?.loss)}
      </Text>
      <Text>
        {label('HR@10')}
        <Sparkline
          values={summary.hitRates}
          width={layout.sparklineWidth}
          color={theme.success}
        />{' '}
        {fixed(summary.latest?.valHr)}
        <Text color={theme.muted}> NDCG@10 </Text>
        {fixed(summary.latest?.valNdcg)}
      </Text>
      <Text>
        {label(`Epoch`)}
        <ProgressBar
          fraction={summary.total > 0 ? summary.done / summary.total : 0}
          width={layout.barWidth}
          detail={
            `${summary.done}/${summary.total}${phaseText} · ` +
            `elapsed ${formatDuration(elapsed)} · ` +
            `left ${left === null ? '–' : `~${formatDuration(left)}`}`
          }
          color={theme.accent}
        />
      </Text>
      <Text wrap="truncate-end">
        {label('Data')}
        {start
          ? `${formatCounts(start)} · ${start.device}${start.hpo ? ' · HPO' : ''}`
          : 'waiting for the trainer to start…'}
      </Text>
      {trials.length > 0 ? (
        <Box flexDirection="column">
          <Text color={theme.muted}>
            {'Trial    State     HR@10   NDCG@10  Time   Parameters'}
          </Text>
          {trials.map((t) => (
            <Text key={t.trial} wrap="truncate-end">
              {`${t.trial}/${t.trials}`.padEnd(9)}
              {t.state.padEnd(10)}
              {t.valHr.toFixed(4).padEnd(8)}
              {t.valNdcg.toFixed(4).padEnd(9)}
              {formatDuration(t.seconds).padEnd(7)}
              {Object.entries(t.params)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')}
            </Text>
          ))}
        </Box>
      ) : null}
      <Text color={theme.muted}>
        ── log {'─'.repeat(Math.max(0, layout.columns - 8))}
      </Text>
      <LogTail log={context.logTail} lines={logLines} />
      {detached ? (
        <Box
          borderStyle="round"
          borderColor={theme.accent}
          flexDirection="column"
          paddingX={1}
        >
          <Text>
            Stopped watching. Run {runId} keeps running{' '}
            {context.settings?.backend === 'local' || !context.settings
              ? 'on this machine'
              : `on ${context.settings.backend}`}
            .
          </Text>
          <Text wrap="wrap">
            Come back with:{' '}
            <Text bold>{resumeCommand(context.configPath, runId)}</Text>
          </Text>
          <Text color={theme.muted}>
            w watch again · Enter exit · Ctrl+C cancel the run
          </Text>
        </Box>
      ) : null}
      {endedHere ? (
        <Box
          borderStyle="round"
          borderColor={status === 'failed' ? theme.error : theme.warning}
          flexDirection="column"
          paddingX={1}
        >
          <Text bold>
            Run {runId} {status === 'failed' ? 'failed' : 'was cancelled'}.
          </Text>
          <Text wrap="truncate-end">
            {context.run?.reason ?? 'It has no results to download.'}
          </Text>
          <Text color={theme.muted}>Enter exit</Text>
        </Box>
      ) : null}
      {confirming ? (
        <Box
          borderStyle="round"
          borderColor={theme.error}
          flexDirection="column"
          paddingX={1}
        >
          <Text bold>Cancel run {runId}?</Text>
          <Text>Its progress is lost and the training process is stopped.</Text>
          <Text>y cancel the run · n keep it going</Text>
        </Box>
      ) : null}
      {cancelling ? (
        <Text color={theme.warning}>Cancelling run {runId}…</Text>
      ) : null}
    </Box>
  );
}
