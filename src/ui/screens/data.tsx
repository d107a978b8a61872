import path from 'node:path';
import { isIn } from '../../core/state-path.js';
import { Box, Text } from 'ink';
import { useRef } from 'react';
import type { DataInspection } from '../../core/types.js';
import {
  formatBytes,
  formatDuration,
  transferFigures,
} from '../../core/progress.js';
import { ProgressBar } from '../components/progress-bar.js';
import { TextField, type TextFieldHandle } from '../components/text-field.js';
import type { JourneySnapshot } from '../hooks/use-journey.js';
import { useLocalCommands, useUi } from '../ui-context.js';

const PATH_LABEL = 'Ratings file or folder: ';

/**
 * The inspected file as the user can place it: relative to the folder they
 * chose when it lies inside it, else the whole path.
 */
export function inspectedFileLabel(dataPath: string, file: string): string {
  const relative = path.relative(path.resolve(dataPath), file);
  if (relative === '') return path.basename(file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return file;
  return relative;
}

const DELIMITER_NAMES: Record<string, string> = {
  ',': 'comma',
  '\t': 'tab',
  ';': 'semicolon',
  '|': 'pipe',
  '::': '::',
  ' ': 'space',
};

const count = (n: number) => n.toLocaleString('en-US');

/** How much of the file the inspection has read, as '42%'; '' unknown. */
function percentRead(
  progress: { bytesRead: number; bytesTotal: number } | null | undefined,
): string {
  if (!progress || progress.bytesTotal <= 0) return '';
  return `${Math.floor((100 * progress.bytesRead) / progress.bytesTotal)}%`;
}

function roleOf(inspection: DataInspection, column: number): string {
  const role = Object.entries(inspection.roles).find(([, i]) => i === column);
  return role ? role[0] : '–';
}

/**
 * Rows of the data screen besides the preview: the path, the inspected
 * file, two lines of figures, a blank, the column names and their roles.
 */
const DATA_FIXED_ROWS = 7;
/** The upload's heading, bar and file line, after a blank. */
const UPLOAD_ROWS = 4;
const MAX_PREVIEW_ROWS = 5;

function Inspection({
  inspection,
  previewRows,
}: {
  inspection: DataInspection;
  previewRows: number;
}) {
  const { theme } = useUi();
  const widths = inspection.columns.map((name, i) =>
    Math.min(
      18,
      Math.max(
        name.length,
        roleOf(inspection, i).length,
        ...inspection.preview.map((row) => (row[i] ?? '').length),
      ),
    ),
  );
  const cells = (values: string[]) =>
    values
      .map((v, i) => v.slice(0, widths[i]).padEnd(widths[i] ?? 0))
      .join('  ');
  return (
    <Box flexDirection="column">
      <Text>
        {formatBytes(inspection.bytes)} · delimiter{' '}
        {DELIMITER_NAMES[inspection.delimiter] ?? inspection.delimiter} ·{' '}
        {inspection.hasHeader ? 'header' : 'no header'} · {inspection.encoding}
      </Text>
      <Text>
        {count(inspection.users)} users · {count(inspection.items)} items ·{' '}
        {count(inspection.interactions)} interactions
        {inspection.duplicates > 0
          ? ` · ${count(inspection.duplicates)} duplicates`
          : ''}
      </Text>
      <Box flexDirection="column" marginTop={1}>
        <Text bold>{cells(inspection.columns)}</Text>
        <Text color={theme.accent}>
          {cells(inspection.columns.map((_, i) => roleOf(inspection, i)))}
        </Text>
        {inspection.preview.slice(0, previewRows).map((row, i) => (
          <Text key={i}>{cells(row)}</Text>
        ))}
      </Box>
      {inspection.errors.map((problem, i) => (
        <Text key={`e${i}`} color={theme.error}>
          ✗ {problem.line ? `line ${problem.line}: ` : ''}
          {problem.message}
        </Text>
      ))}
      {inspection.warnings.map((problem, i) => (
        <Text key={`w${i}`} color={theme.warning}>
          ! {problem.line ? `line ${problem.line}: ` : ''}
          {problem.message}
        </Text>
      ))}
    </Box>
  );
}

/** Preview rows that fit beside the figures and every problem line. */
export function previewRowsFor(
  inspection: DataInspection,
  rows: number,
): number {
  const problems = inspection.errors.length + inspection.warnings.length;
  return Math.max(
    0,
    Math.min(MAX_PREVIEW_ROWS, rows - DATA_FIXED_ROWS - problems),
  );
}

export function DataScreen({ snapshot }: { snapshot: JourneySnapshot }) {
  const { theme, layout, dispatch, now, inputActive, latest } = useUi();
  const { context } = snapshot;
  const choosing = isIn(snapshot, 'data.choosing');
  const field = useRef<TextFieldHandle>(null);
  useLocalCommands({
    edit: (key) =>
      isIn(latest(), 'data.choosing') && (field.current?.edit(key) ?? false),
  });
  return (
    <Box flexDirection="column">
      <Box>
        <Text>{PATH_LABEL}</Text>
        {choosing ? (
          <TextField
            ref={field}
            value={context.dataPath}
            focus={inputActive}
            placeholder="a .csv, .tsv, .dat file or a folder"
            width={layout.columns - PATH_LABEL.length}
            onChange={(dataPath) =>
              dispatch({ type: 'DATA_PATH_CHANGE', path: dataPath })
            }
          />
        ) : (
          <Text color={theme.accent} wrap="truncate-middle">
            {context.dataPath}
          </Text>
        )}
      </Box>
      {context.inspection && !choosing ? (
        <Text wrap="truncate-middle">
          <Text color={theme.muted}>Inspected file: </Text>
          {inspectedFileLabel(context.dataPath, context.inspection.file)}
        </Text>
      ) : null}
      {choosing ? (
        <Text color={theme.muted}>
          It is inspected before anything is uploaded.
        </Text>
      ) : null}
      {isIn(snapshot, 'data.inspecting') ? (
        <Text>Inspecting… {percentRead(context.inspectProgress)}</Text>
      ) : null}
      {context.inspection && !choosing ? (
        <Inspection
          inspection={context.inspection}
          previewRows={previewRowsFor(
            context.inspection,
            layout.bodyHeight -
              (isIn(snapshot, 'data.uploading') ? UPLOAD_ROWS : 0) -
              (context.notice ? 1 : 0),
          )}
        />
      ) : null}
      {isIn(snapshot, 'data.uploading') && context.upload ? (
        <Box flexDirection="column" marginTop={1}>
          <Text>
            Uploading to {context.settings?.dataBucket ?? 'the data bucket'}
          </Text>
          <UploadBar
            upload={context.upload}
            now={now}
            width={layout.barWidth}
            color={theme.accent}
          />
        </Box>
      ) : null}
    </Box>
  );
}

function UploadBar({
  upload,
  now,
  width,
  color,
}: {
  upload: NonNullable<JourneySnapshot['context']['upload']>;
  now: number;
  width: number;
  color: string | undefined;
}) {
  const { progress } = upload;
  const figures = transferFigures(upload, now);
  const detail = [
    `${formatBytes(progress.bytesDone)} / ${formatBytes(progress.bytesTotal)}`,
    figures.rate !== null ? `${formatBytes(figures.rate)}/s` : null,
    figures.secondsLeft !== null
      ? `${formatDuration(figures.secondsLeft)} left`
      : null,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <Box flexDirection="column">
      <ProgressBar
        fraction={figures.fraction}
        width={width}
        detail={detail}
        color={color}
      />
      <Text wrap="truncate-end">
        file {Math.min(progress.filesDone + 1, progress.filesTotal)}/
        {progress.filesTotal}: {progress.name}
      </Text>
    </Box>
  );
}
