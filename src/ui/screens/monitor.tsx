import { isIn } from '../../core/state-path.js';
import { Box, Text } from 'ink';
import {
  finalTraining,
  formatCounts,
  formatDuration,
  runTimeLeft,
  searchProgress,
  summarizeEpochs,
  type SearchProgress,
} from '../../core/progress.js';
import { isFinal } from '../../core/types.js';
import { LogTail } from '../components/log-tail.js';
import { ProgressBar } from '../components/progress-bar.js';
import { Sparkline } from '../components/sparkline.js';
import {
  STATUS_LEGEND_WIDTH,
  StatusLegend,
  StatusSparkline,
} from '../components/status-sparkline.js';
import type { JourneySnapshot } from '../hooks/use-journey.js';
import { useUi } from '../ui-context.js';
import { boxOf } from './monitor-box.js';
import { planMonitorRows } from './monitor-rows.js';

const LABEL_WIDTH = 9;
const MAX_TRIAL_ROWS = 5;
const MIN_BAR_WIDTH = 4;
/** ' 100%' and the two spaces before the detail. */
const BAR_PERCENT_WIDTH = 7;

const fixed = (value: number | undefined) =>
  value === undefined ? '–' : value.toFixed(4);

/** '3/12 done · trial 4 of 12, epoch 2/9': the search, while it runs. */
function searchText(search: SearchProgress): string {
  const epoch = search.epoch
    ? `, epoch ${search.epoch.epoch}/${search.epoch.epochs}`
    : '';
  return search.done >= search.total
    ? `${search.done}/${search.total} done · final training next`
    : `${search.done}/${search.total} done · trial ${search.running} of ` +
        `${search.total}${epoch}`;
}

export function MonitorScreen({ snapshot }: { snapshot: JourneySnapshot }) {
  const { theme, layout, now } = useUi();
  const { context } = snapshot;
  const runId = context.runId ?? '';
  const status =
    context.run?.status ?? context.statusHistory.at(-1)?.status ?? 'pending';
  const ended = isFinal(status);
  // The run's own count; the config's only for a run started here.
  const maxEpochs =
    context.startEvent?.epochs ??
    (context.archive ? context.hyperparameters.epochs : null);
  // During HPO the bar counts trials; the epoch bar is the final training's,
  // shown once it starts, without the trials' epochs.
  const search = searchProgress({
    hpo: context.startEvent?.hpo ?? false,
    plannedTrials: context.startEvent?.trials,
    epochs: context.epochs,
    trials: context.trials,
    phases: context.phases,
    ended,
  });
  const final = finalTraining({
    epochs: context.epochs,
    trials: context.trials,
    maxEpochs,
  });
  const shownEpochs = search ? context.epochs : final.epochs;
  const knownTotal = final.totalEpochs;
  const summary = summarizeEpochs(shownEpochs, knownTotal ?? undefined);
  const totalText =
    knownTotal === null && !summary.latest ? '–' : summary.total;
  // A run reopened from Home is replayed: its status samples are of the
  // replay, so they time only a run started in this session.
  const samples = context.archive ? context.statusHistory : [];
  const startedAt = context.run?.startedAt ?? samples[0]?.at;
  const endedAt = ended ? (context.run?.endedAt ?? samples.at(-1)?.at) : now;
  const elapsed =
    startedAt !== undefined && endedAt !== undefined
      ? (endedAt - startedAt) / 1000
      : null;
  // Pretraining or the refit, while one runs: epochs without validation.
  const phase = context.currentPhase;
  const left = search
    ? search.secondsLeft
    : runTimeLeft({
        epochs: final.epochs,
        totalEpochs: knownTotal,
        phase,
        ended,
      });
  const phaseText = phase
    ? ` · ${phase.phase === 'refit' ? 'refit' : 'pretraining'} ${phase.epoch}/${phase.epochs}`
    : '';
  const timing =
    `elapsed ${formatDuration(elapsed)} · ` +
    `left ${left === null ? '–' : `~${formatDuration(left)}`}`;
  const barLabel = search ? 'Trials' : 'Epoch';
  const barFraction = search
    ? search.done / search.total
    : summary.total > 0
      ? summary.done / summary.total
      : 0;
  const epochDetail = search
    ? `${searchText(search)} · ${timing}`
    : `${summary.done}/${totalText}${phaseText} · ${timing}`;
  const cancelling = isIn(snapshot, 'monitor.cancelling');
  const box = boxOf(snapshot, theme);
  const trials = context.trials.slice(-MAX_TRIAL_ROWS);
  const rows = planMonitorRows({
    bodyHeight: layout.bodyHeight,
    columns: layout.columns,
    maxLogLines: layout.logLines,
    legendWidth: LABEL_WIDTH + STATUS_LEGEND_WIDTH,
    trialRows: trials.length > 0 ? trials.length + 1 : 0,
    box: box?.lines ?? null,
    cancelling,
  });
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
      {rows.status ? (
        <Text>
          {label('Status')}
          <StatusSparkline
            history={context.statusHistory}
            now={now}
            width={layout.sparklineWidth}
            theme={theme}
          />
        </Text>
      ) : null}
      {rows.legend ? (
        <Text>
          {' '.repeat(LABEL_WIDTH)}
          <StatusLegend theme={theme} />
        </Text>
      ) : null}
      {rows.loss ? (
        <Text wrap="truncate-end">
          {label('Loss')}
          <Sparkline
            values={summary.losses}
            width={layout.sparklineWidth}
            color={theme.warning}
          />{' '}
          {fixed(summary.latest?.loss)}
        </Text>
      ) : null}
      {rows.hitRate ? (
        <Text wrap="truncate-end">
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
      ) : null}
      <Text wrap="truncate-end">
        {label(barLabel)}
        <ProgressBar
          fraction={barFraction}
          // The figures matter more than the bar: it gives way to them.
          width={Math.max(
            MIN_BAR_WIDTH,
            Math.min(
              layout.barWidth,
              layout.columns -
                LABEL_WIDTH -
                BAR_PERCENT_WIDTH -
                epochDetail.length,
            ),
          )}
          detail={epochDetail}
          color={theme.accent}
        />
      </Text>
      {rows.data ? (
        <Text wrap="truncate-end">
          {label('Data')}
          {start
            ? `${formatCounts(start)} · ${start.device}${start.hpo ? ' · HPO' : ''}`
            : ended
              ? '– (the trainer reported none)'
              : 'waiting for the trainer to start…'}
        </Text>
      ) : null}
      {rows.trials ? (
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
      {rows.logLines > 0 ? (
        <Text color={theme.muted}>
          ── log {'─'.repeat(Math.max(0, layout.columns - 8))}
        </Text>
      ) : null}
      <LogTail log={context.logTail} lines={rows.logLines} />
      {box ? (
        <Box
          borderStyle="round"
          borderColor={box.color}
          flexDirection="column"
          paddingX={1}
          flexShrink={0}
        >
          {rows.boxLines.map((line, i) => (
            <Text
              key={i}
              wrap="truncate-end"
              bold={line.bold ?? false}
              color={line.color}
            >
              {line.text}
            </Text>
          ))}
        </Box>
      ) : null}
      {cancelling ? (
        <Text color={theme.warning}>Cancelling run {runId}…</Text>
      ) : null}
    </Box>
  );
}
