import { isIn } from '../../core/state-path.js';
import { Box, Text } from 'ink';
import { useRef } from 'react';
import {
  describeEpochsRun,
  formatBytes,
  formatCounts,
  formatDuration,
  transferFigures,
} from '../../core/progress.js';
import { ProgressBar } from '../components/progress-bar.js';
import { Spinner } from '../components/spinner.js';
import { TextField, type TextFieldHandle } from '../components/text-field.js';
import type { JourneySnapshot } from '../hooks/use-journey.js';
import { useLocalCommands, useUi } from '../ui-context.js';

const USER_LABEL = 'Try the model · user id: ';

const metric = (value: number | undefined) =>
  value === undefined ? '–' : value.toFixed(4);

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
  return (
    <Box flexDirection="column">
      <Text>
        Run <Text bold>{context.runId}</Text>{' '}
        <Text color={theme.success}>completed</Text>
      </Text>
      <Text>
        Test HR@10{' '}
        <Text bold>{metric(metrics?.hit_rate_at_10 ?? end?.test_hr)}</Text> ·
        NDCG@10{' '}
        <Text bold>{metric(metrics?.ndcg_at_10 ?? end?.test_ndcg)}</Text>
        <Text color={theme.muted}>
          {'  '}validation HR@10 {metric(end?.val_hr)} · NDCG@10{' '}
          {metric(end?.val_ndcg)}
        </Text>
      </Text>
      <Text>
        {describeEpochsRun({ metrics, end, phases: context.phases })} in{' '}
        {formatDuration(metrics?.train_seconds ?? end?.train_seconds)} ·{' '}
        {metrics ? formatCounts(metrics) : ''}
      </Text>
      {results ? (
        <Box flexDirection="column" marginTop={1}>
          <Text color={theme.muted}>In {results.stagingDir}:</Text>
          <Text> {results.logFile}</Text>
          {results.archiveFile ? <Text> {results.archiveFile}</Text> : null}
          {results.modelDir ? <Text> {results.modelDir}</Text> : null}
        </Box>
      ) : null}
      <Box marginTop={1}>
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
      {context.recommendations
        .slice(0, Math.max(0, layout.bodyHeight - 12))
        .map((r, i) => (
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
    </Box>
  );
}
