import { isIn } from '../../core/state-path.js';
import { Box, Text } from 'ink';
import { useRef } from 'react';
import {
  describeEpochsRun,
  describeTrainingTime,
  formatBytes,
  formatCounts,
  transferFigures,
} from '../../core/progress.js';
import { ProgressBar } from '../components/progress-bar.js';
import { Spinner } from '../components/spinner.js';
import { TextField, type TextFieldHandle } from '../components/text-field.js';
import type { JourneySnapshot } from '../hooks/use-journey.js';
import { useLocalCommands, useUi } from '../ui-context.js';
import { wrapWords } from '../wrap.js';

const USER_LABEL = 'Try the model · user id: ';

const metric = (value: number | undefined) =>
  value === undefined ? '–' : value.toFixed(4);

/**
 * How the results fit the body: the metrics block as it fits (full, one
 * line each, or only the run and test lines) and as many recommendations
 * as are left rows, the last row saying how many more when they are cut.
 */
export interface ResultsRows {
  block: 'full' | 'compact' | 'minimal';
  /** Rows of the epochs line in the full block (it wraps). */
  epochLines: string[];
  /** The test and validation metrics on one line (else two). */
  metricsOnOneLine: boolean;
  shown: number;
  more: number;
}

export function planResultsRows(options: {
  bodyHeight: number;
  columns: number;
  testText: string;
  validationText: string;
  epochsText: string;
  /** Files listed under the staging folder; 0 without results. */
  files: number;
  recommendations: number;
  /** Lines below the list: 'Scoring…', a notice. */
  extraLines: number;
}): ResultsRows {
  const { columns, files, recommendations } = options;
  const metricsOnOneLine =
    options.testText.length + options.validationText.length <= columns;
  const epochLines = wrapWords(options.epochsText, columns);
  const full =
    2 +
    (metricsOnOneLine ? 1 : 2) +
    epochLines.length +
    (files > 0 ? 2 + files : 0) +
    1;
  const compact = 4 + (files > 0 ? 1 : 0);
  const minimal = 3;
  const room = options.bodyHeight - options.extraLines;
  const block =
    full + recommendations <= room
      ? 'full'
      : compact + recommendations <= room
        ? 'compact'
        : 'minimal';
  const left = Math.max(0, room - { full, compact, minimal }[block]);
  // A cut list gives its last row to '… N more'; one row is still the
  // first item, at least, when it has one.
  const shown =
    recommendations <= left
      ? recommendations
      : Math.min(recommendations, Math.max(1, left - 1));
  return {
    block,
    epochLines,
    metricsOnOneLine,
    shown,
    more: recommendations - shown,
  };
}

/** A file's path as it reads under the staging folder. */
function underStaging(file: string, stagingDir: string): string {
  return file.startsWith(stagingDir) ? file.slice(stagingDir.length) : file;
}

export function ResultsScreen({ snapshot }: { snapshot: JourneySnapshot }) {
  const { theme, layout, now, dispatch, inputActive, latest } = useUi();
  const { context } = snapshot;
  const field = useRef<TextFieldHandle>(null);
  useLocalCommands({
    edit: (key) =>
      isIn(latest(), 'results.ready') && (field.current?.edit(key) ?? false),
  });
  if (isIn(snapshot, 'results.downloading')) {
    const download = context.download;
    const figures = download ? transferFigures(download, now) : null;
    return (
      <Box flexDirection="column">
        <Text>
          <Spinner now={now} color={theme.accent} /> Downloading the log and
          model into {context.settings?.stagingDir ?? 'training_output/'}
        </Text>
        {download && figures ? (
          <ProgressBar
            fraction={figures.fraction}
            width={layout.barWidth}
            color={theme.accent}
            detail={
              `${formatBytes(download.progress.bytesDone)} / ` +
              `${formatBytes(download.progress.bytesTotal)} · ` +
              download.progress.name
            }
          />
        ) : null}
      </Box>
    );
  }
  const results = context.results;
  const metrics = results?.metrics;
  const end = context.endEvent;
  const recommending = isIn(snapshot, 'results.recommending');
  const testText =
    `Test HR@10 ${metric(metrics?.hit_rate_at_10 ?? end?.test_hr)} · ` +
    `NDCG@10 ${metric(metrics?.ndcg_at_10 ?? end?.test_ndcg)}`;
  const validationText =
    `  validation HR@10 ${metric(end?.val_hr)} · ` +
    `NDCG@10 ${metric(end?.val_ndcg)}`;
  const epochsText =
    `${describeEpochsRun({ metrics, end, phases: context.phases })} in ` +
    describeTrainingTime({
      trainSeconds: metrics?.train_seconds ?? end?.train_seconds,
      trials: context.trials,
      searchSeconds: metrics?.search_seconds ?? end?.search_seconds,
      plannedTrials: context.startEvent?.trials,
    }) +
    (metrics ? ` · ${formatCounts(metrics)}` : '');
  const files = results
    ? [results.logFile, results.archiveFile, results.modelDir].filter(
        (file): file is string => Boolean(file),
      )
    : [];
  const recommendations = context.recommendations;
  const rows = planResultsRows({
    bodyHeight: layout.bodyHeight,
    columns: layout.columns,
    testText,
    validationText,
    epochsText,
    files: files.length,
    recommendations: recommendations.length,
    extraLines: (recommending ? 1 : 0) + (context.notice ? 1 : 0),
  });
  const full = rows.block === 'full';
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        Run <Text bold>{context.runId}</Text>{' '}
        <Text color={theme.success}>completed</Text>
      </Text>
      <Text wrap="truncate-end">
        {testText}
        {!full || rows.metricsOnOneLine ? (
          <Text color={theme.muted}>{validationText}</Text>
        ) : null}
      </Text>
      {full && !rows.metricsOnOneLine ? (
        <Text color={theme.muted} wrap="truncate-end">
          {validationText.trim()}
        </Text>
      ) : null}
      {full ? (
        rows.epochLines.map((line, i) => <Text key={i}>{line}</Text>)
      ) : rows.block === 'compact' ? (
        <Text wrap="truncate-end">{epochsText}</Text>
      ) : null}
      {results && full ? (
        <Box flexDirection="column" marginTop={1}>
          <Text color={theme.muted}>In {results.stagingDir}:</Text>
          {files.map((file) => (
            <Text key={file} wrap="truncate-end">
              {' '}
              {file}
            </Text>
          ))}
        </Box>
      ) : null}
      {results && rows.block === 'compact' ? (
        <Text wrap="truncate-end" color={theme.muted}>
          In {results.stagingDir}:{' '}
          {files.map((f) => underStaging(f, results.stagingDir)).join(' · ')}
        </Text>
      ) : null}
      <Box marginTop={full ? 1 : 0}>
        <Text bold>{USER_LABEL}</Text>
        <TextField
          ref={field}
          value={context.recommendUserId}
          focus={inputActive && !recommending}
          width={layout.columns - USER_LABEL.length}
          onChange={(userId) =>
            dispatch({ type: 'RECOMMEND_USER_CHANGE', userId })
          }
        />
      </Box>
      {recommending ? (
        <Text>
          <Spinner now={now} color={theme.accent} /> Scoring…
        </Text>
      ) : null}
      {recommendations.slice(0, rows.shown).map((r, i) => (
        <Text key={r.item} wrap="truncate-end">
          {String(i + 1).padStart(2)}.{' '}
          {r.title ? (
            <>
              {r.title}{' '}
              <Text color={theme.muted}>
                (item {r.item}, score {r.score.toFixed(3)})
              </Text>
            </>
          ) : (
            <>
              item {r.item}
              <Text color={theme.muted}> · score {r.score.toFixed(3)}</Text>
            </>
          )}
        </Text>
      ))}
      {rows.more > 0 ? (
        <Text color={theme.muted}>
          {'    '}… {rows.more} more (a taller terminal shows them)
        </Text>
      ) : null}
    </Box>
  );
}
