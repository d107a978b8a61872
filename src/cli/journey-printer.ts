/**
 * Turns the journey's snapshots into plain lines (or JSON records) for the
 * headless commands: what changed since the last snapshot, once.
 */
import type { JourneyContext } from '../core/journey.js';
import { formatBytes, formatDuration } from '../core/progress.js';
import { isFinal } from '../core/types.js';
import type { TransferProgress } from '../services/types.js';
import type { Output } from './output.js';

interface Snapshot {
  value: unknown;
  context: JourneyContext;
}

/** The dotted state path of a snapshot's value, e.g. `monitor.watching`. */
export function statePath(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [key, child] = Object.entries(value)[0] ?? [];
    return key ? `${key}.${statePath(child)}` : '';
  }
  return '';
}

export function createJourneyPrinter(
  output: Output,
  /** Whether stdin is a terminal, where a second Ctrl+C asks to cancel. */
  interactive = false,
) {
  let lastState = '';
  let lastStatus = '';
  let printedStart = false;
  let printedEnd = false;
  const printedEpochs = new Set<string>();
  let printedTrials = 0;
  let printedPhases = 0;
  let printedNotices = 0;
  let lastProgressAt = 0;
  let lastProgressKey = '';

  const entered = (state: string, context: JourneyContext) => {
    switch (state) {
      case 'data.inspecting':
        output.info(`Inspecting ${context.dataPath}`);
        break;
      case 'data.uploading':
        printInspection(output, context);
        output.info(
          context.settings?.dataUpload === 'existing'
            ? `Checking the data in bucket ${context.settings.dataBucket}`
            : `Uploading to bucket ${context.settings?.dataBucket}`,
        );
        break;
      case 'launch.packaging':
        if (context.uploaded) {
          output.record(
            'uploaded',
            { ...context.uploaded },
            context.uploaded.existing
              ? `Using the ${context.uploaded.objects} objects already in the bucket.`
              : context.uploaded.removed !== undefined
                ? `Data uploaded, replacing the ${context.uploaded.removed} ` +
                  'objects that were under its prefix.'
                : 'Data uploaded.',
          );
        }
        output.info('Packaging the training code');
        break;
      case 'monitor.watching':
        output.record(
          'run',
          { id: context.runId, resumed: !context.archive },
          (context.archive
            ? `Model training was started. Training id: ${context.runId}\n`
            : `Following training ${context.runId}\n`) +
            (interactive
              ? 'Press Ctrl+C once to stop monitoring, twice to cancel training.'
              : 'Ctrl+C (or SIGTERM) stops monitoring; the run goes on. ' +
                'A second Ctrl+C within 3 s cancels it.'),
        );
        break;
      case 'results.downloading':
        output.info(`Downloading results into ${context.settings?.stagingDir}`);
        break;
    }
  };

  const trainerProgress = (context: JourneyContext) => {
    const start = context.startEvent;
    if (start && !printedStart) {
      printedStart = true;
      output.record(
        'start',
        { ...start },
        `Training on ${start.users} users, ${start.items} items, ` +
          `${start.interactions} interactions (${start.evaluated_users} ` +
          `evaluated, ${start.single_interaction_users} with one ` +
          `interaction), device ${start.device}`,
      );
    }
    for (const e of context.epochs) {
      const key = `${e.trial ?? 0}:${e.epoch}`;
      if (printedEpochs.has(key)) continue;
      printedEpochs.add(key);
      const trial = e.trial === undefined ? '' : `Trial ${e.trial} `;
      output.record(
        'epoch',
        { ...e },
        `${trial}Epoch ${e.epoch}/${e.epochs}  loss ${e.loss.toFixed(4)}  ` +
          `val HR@10 ${e.valHr.toFixed(3)}  NDCG@10 ${e.valNdcg.toFixed(3)}` +
          `  ${e.seconds.toFixed(1)} s`,
      );
    }
    for (const t of context.trials.slice(printedTrials)) {
      output.record(
        'trial',
        { ...t },
        `Trial ${t.trial}/${t.trials} ${t.state}: val HR@10 ` +
          `${t.valHr.toFixed(3)}  ${Object.entries(t.params)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
      );
    }
    printedTrials = context.trials.length;
    for (const p of context.phases.slice(printedPhases)) {
      output.record(
        'phase',
        { ...p },
        `${p.phase === 'refit' ? 'Refit on training + validation, epoch' : 'Pretraining epoch'} ` +
          `${p.epoch}/${p.epochs}  loss ${p.loss.toFixed(4)}  ${p.seconds.toFixed(1)} s`,
      );
    }
    printedPhases = context.phases.length;
    const end = context.endEvent;
    if (end && !printedEnd) {
      printedEnd = true;
      output.record(
        'end',
        { ...end },
        `Test HR@10 ${end.test_hr.toFixed(3)}  NDCG@10 ` +
          `${end.test_ndcg.toFixed(3)} after ${end.epochs_run} ` +
          `epoch${end.epochs_run === 1 ? '' : 's'} ` +
          `(${formatDuration(end.train_seconds)})`,
      );
    }
  };

  const transfer = (context: JourneyContext, uploading: boolean) => {
    const transferState = uploading ? context.upload : context.download;
    if (!transferState) return;
    const now = Date.now();
    const { bytesDone, bytesTotal } = transferState.progress;
    // The first estimate (before the transfer reports) is not worth a line.
    if (bytesTotal === 0 || bytesDone === 0) return;
    if (bytesDone < bytesTotal && now - lastProgressAt < 1000) return;
    lastProgressAt = now;
    // A file's end is reported again as the next file's count: the same
    // bytes and name are one line.
    const { name } = transferState.progress;
    const key = `${uploading}:${name}:${bytesDone}:${bytesTotal}`;
    if (key === lastProgressKey) return;
    lastProgressKey = key;
    output.progress(transferLine(transferState.progress));
  };

  let printedArchive = false;
  const archive = (context: JourneyContext) => {
    if (!context.archive || printedArchive) return;
    printedArchive = true;
    const { path, bytes, files } = context.archive;
    output.record(
      'archive',
      { path, bytes, files },
      `Code archive ${path} (${files} files, ${formatBytes(bytes)})`,
    );
  };

  return (snapshot: Snapshot) => {
    const state = statePath(snapshot.value);
    const { context } = snapshot;
    archive(context);
    if (state !== lastState) {
      lastState = state;
      entered(state, context);
    }
    if (state === 'data.uploading' || state === 'results.downloading') {
      transfer(context, state === 'data.uploading');
    }
    // Said at once: a retried service is news before any status comes.
    for (const message of context.followNotices.slice(printedNotices)) {
      output.record('notice', { message }, message);
    }
    printedNotices = context.followNotices.length;
    const status = context.run?.status;
    const newStatus = status !== undefined && status !== lastStatus;
    const printStatus = () => {
      lastStatus = status ?? '';
      output.record(
        'status',
        { status, id: context.runId },
        `Status: ${status}`,
      );
    };
    // A run going on is said before its progress, an end after it.
    if (newStatus && !isFinal(status)) printStatus();
    // A followed run's log is replayed from its start, often before its
    // status is known: the progress waits for the status line.
    if (state !== 'monitor.watching' || status !== undefined) {
      trainerProgress(context);
    }
    if (newStatus && isFinal(status)) printStatus();
  };
}

/**
 * A transfer's progress line: the percent and bytes are of the whole
 * transfer, then which file goes now. Under 1% reads `<1%`, not a `0%`
 * beside bytes already sent; short of the end never reads 100%.
 */
export function transferLine(progress: TransferProgress): string {
  const { bytesDone, bytesTotal, filesDone, filesTotal, name } = progress;
  const fraction = bytesTotal > 0 ? bytesDone / bytesTotal : 0;
  const whole = Math.floor(fraction * 100);
  const percent =
    bytesDone > 0 && whole === 0
      ? '<1%'
      : `${bytesDone < bytesTotal ? Math.min(whole, 99) : whole}%`;
  const file =
    filesTotal > 1
      ? `file ${Math.min(filesDone + 1, filesTotal)} of ${filesTotal}: ${name}`
      : name;
  return `  ${percent} ${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)} (${file})`;
}

/** The config's notes (values adapted from the original's layout). */
export function printNotes(output: Output, notes: string[]): void {
  for (const note of notes) {
    output.record('note', { message: note }, `note: ${note}`);
  }
}

function printInspection(output: Output, context: JourneyContext): void {
  const inspection = context.inspection;
  if (!inspection) return;
  const delimiter =
    inspection.delimiter === '\t' ? 'tab' : `"${inspection.delimiter}"`;
  output.record(
    'inspection',
    {
      file: inspection.file,
      delimiter: inspection.delimiter,
      users: inspection.users,
      items: inspection.items,
      interactions: inspection.interactions,
      warnings: inspection.warnings,
    },
    `Data ${inspection.file}: ${delimiter}-separated, ` +
      `${inspection.hasHeader ? 'with' : 'no'} header; ${inspection.users} ` +
      `users, ${inspection.items} items, ${inspection.interactions} interactions`,
  );
  for (const warning of inspection.warnings) {
    output.info(
      `  note: ${warning.line ? `line ${warning.line}: ` : ''}${warning.message}`,
    );
  }
}
