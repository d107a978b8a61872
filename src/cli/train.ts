/**
 * `maxrec train CONFIG clean|prepare|train|package [ID]`: the original's
 * modes, driving the same state machine as the app without drawing it.
 */
import { promises as fs } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { createActor } from 'xstate';
import { createJourneyServices } from '../app/journey-services.js';
import { exitCodeOf } from '../core/exit-code.js';
import { ExitCode, MaxrecError } from '../core/errors.js';
import type { JourneyContext } from '../core/journey.js';
import { createJourneyMachine } from '../core/machine.js';
import { checkBeforeTraining, localLogFile } from '../app/backends.js';
import { codeArchivePath } from '../app/journey-services.js';
import { resumeCommand } from '../core/machine-setup.js';
import { loadConfig } from '../services/config/config-file.js';
import type { Settings } from '../services/config/schema.js';
import { debugLog } from '../services/debug-log.js';
import { reasonOf } from '../services/fs-errors.js';
import { withoutUsageText } from '../services/local/log-tail.js';
import {
  createJourneyPrinter,
  printNotes,
  statePath,
} from './journey-printer.js';
import type { CliIo, TrainMode } from './main.js';
import type { Output } from './output.js';

export interface TrainCommandOptions {
  configPath: string;
  mode: TrainMode;
  trainingId?: string;
  io: CliIo;
  output: Output;
}

export async function trainCommand(
  options: TrainCommandOptions,
): Promise<number> {
  const { configPath, mode, trainingId, output } = options;
  if (trainingId && mode !== 'package') {
    throw new MaxrecError(
      ExitCode.invocation,
      `A training id only goes with the package mode, not ${mode}.`,
      { hint: `Run: maxrec train ${configPath} package ${trainingId}` },
    );
  }
  if (mode === 'clean') return clean(configPath, output);
  const { settings, notes } = await loadConfig(configPath);
  // What loading adapted from the original tool's layout, before the run.
  printNotes(output, notes);
  await checkBeforeTraining(settings, {
    configPath,
    trainingId,
    downloads: mode !== 'prepare',
  });
  const { context } = await runHeadlessJourney({
    ...options,
    mode,
  });
  return context.exitCode;
}

export interface HeadlessResult {
  exitCode: number;
  context: JourneyContext;
}

/** Without a terminal, a second Ctrl+C this soon after the first cancels. */
export const SECOND_INTERRUPT_MS = 3000;

/**
 * Runs the journey headless in `mode` and prints its progress. Ctrl+C once
 * stops watching a run (it goes on); a second Ctrl+C asks whether to cancel
 * it in a terminal, and cancels it without one when it comes within
 * SECOND_INTERRUPT_MS, as the original tool did. SIGTERM stops watching.
 */
export async function runHeadlessJourney(
  options: Omit<TrainCommandOptions, 'mode'> & {
    mode: Exclude<TrainMode, 'clean'>;
  },
): Promise<{ context: HeadlessResult }> {
  const { configPath, mode, trainingId, io, output } = options;
  const services = createJourneyServices();
  const actor = createActor(createJourneyMachine(services), {
    input: { configPath },
  });
  const interactive = Boolean(io.stdin.isTTY);
  const print = createJourneyPrinter(output, interactive);

  // Set by SIGTERM: stop watching and exit, without a cancel window.
  let stopNow = false;
  let cancelWindow: NodeJS.Timeout | undefined;
  let settle: (() => void) | undefined;

  const finished = new Promise<HeadlessResult>((resolve) => {
    let asked = false;
    let confirming = false;
    let done = false;
    settle = () => finish(actor.getSnapshot().context, ExitCode.ok);
    actor.subscribe((snapshot) => {
      print(snapshot);
      const state = statePath(snapshot.value);
      const exitCode = exitCodeOf(snapshot);
      if (exitCode !== undefined) {
        finish(snapshot.context, exitCode);
        return;
      }
      if (state === 'monitor.detached' && !asked) {
        asked = true;
        output.record(
          'detached',
          { id: snapshot.context.runId },
          `Training monitoring was stopped.\n${snapshot.context.notice ?? ''}`,
        );
        if (!interactive) {
          if (stopNow) {
            finish(snapshot.context, ExitCode.ok);
            return;
          }
          output.info(
            `Press Ctrl+C again within ${SECOND_INTERRUPT_MS / 1000} s to cancel the run.`,
          );
          cancelWindow = setTimeout(settle!, SECOND_INTERRUPT_MS);
          return;
        }
        output.info('Press Enter to exit, or Ctrl+C again to cancel the run.');
        void waitForEnterOrInterrupt(io).then((answer) => {
          if (statePath(actor.getSnapshot().value) !== 'monitor.detached') {
            return;
          }
          if (answer === 'interrupt') actor.send({ type: 'INTERRUPT' });
          else finish(actor.getSnapshot().context, ExitCode.ok);
        });
      }
      if (state === 'monitor.confirmCancel' && !interactive) {
        // The second Ctrl+C within the window: cancel, as the original did.
        clearTimeout(cancelWindow);
        actor.send({ type: 'CONFIRM' });
        return;
      }
      if (state === 'monitor.confirmCancel' && !confirming) {
        confirming = true;
        void confirm(io, `Cancel run ${snapshot.context.runId}? [y/N] `).then(
          (yes) => {
            confirming = false;
            actor.send({ type: yes ? 'CONFIRM' : 'DENY' });
            // Not cancelled: the run goes on, as after one Ctrl+C.
            if (!yes) finish(actor.getSnapshot().context, ExitCode.ok);
          },
        );
      }
    });

    function finish(context: JourneyContext, exitCode: number) {
      if (done) return;
      done = true;
      clearTimeout(cancelWindow);
      output.flush();
      const cancelled = context.run?.status === 'cancelled';
      if (cancelled && !context.error) {
        output.record(
          'cancelled',
          { id: context.runId },
          `Run ${context.runId ?? ''} was cancelled.`,
        );
      } else if (exitCode !== ExitCode.ok && context.runId) {
        // argparse's usage text would crowd out the line that says why.
        const tail = withoutUsageText(context.logTail).slice(-12);
        if (tail.length) output.info('Last lines of the training log:');
        for (const line of tail) output.info(`  ${line}`);
      }
      if (context.error && exitCode !== ExitCode.ok) {
        output.error(
          new MaxrecError(exitCode as never, context.error.message, {
            hint: errorHint(context, exitCode, services.loadedSettings()),
          }),
        );
      }
      resolve({ exitCode, context });
    }
  });

  // One Ctrl+C can reach the process twice in quick succession (seen under
  // tmux); a press within 300 ms of the last one is the same press.
  let lastSigint = 0;
  const onSigint = () => {
    const now = Date.now();
    debugLog('SIGINT in', statePath(actor.getSnapshot().value));
    if (now - lastSigint < 300) return;
    lastSigint = now;
    actor.send({ type: 'INTERRUPT' });
  };
  // A service manager's stop: stop watching and say how to come back; the
  // run goes on, and no second signal is waited for.
  const onSigterm = () => {
    debugLog('SIGTERM in', statePath(actor.getSnapshot().value));
    stopNow = true;
    if (statePath(actor.getSnapshot().value) === 'monitor.detached') {
      settle?.();
    } else {
      actor.send({ type: 'INTERRUPT' });
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    actor.start();
    actor.send({ type: 'RUN_HEADLESS', mode, runId: trainingId });
    const result = await finished;
    const results = result.context.results;
    if (result.exitCode === ExitCode.ok && results && !results.modelDir) {
      output.record(
        'done',
        { logFile: results.logFile },
        `Done. The training log is in ${results.logFile}`,
      );
    }
    if (result.exitCode === ExitCode.ok && result.context.results?.modelDir) {
      output.record(
        'done',
        {
          modelDir: result.context.results.modelDir,
          metrics: result.context.results.metrics,
        },
        `Done. The trained model is in ${result.context.results.modelDir}`,
      );
    }
    return { context: result };
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    actor.stop();
  }
}

/**
 * The hint under a failed journey's error: a failed run names its log file
 * (local); a results step that failed after the run says how to fetch again.
 */
function errorHint(
  context: JourneyContext,
  exitCode: number,
  settings: Settings | undefined,
): string | undefined {
  const hint = context.error?.hint;
  const runId = context.runId;
  if (!runId) return hint;
  const logFile = settings && localLogFile(settings, runId);
  if (exitCode === ExitCode.training && context.run?.status === 'failed') {
    return logFile ? `The full training log is ${logFile}` : hint;
  }
  const afterRun: number[] = [
    ExitCode.download,
    ExitCode.extraction,
    ExitCode.copy,
  ];
  if (!afterRun.includes(exitCode)) return hint;
  const again =
    `The run's results are kept: once that is fixed, fetch them with ` +
    resumeCommand(context.configPath, runId);
  return hint ? `${hint}\n${again}` : again;
}

async function clean(configPath: string, output: Output): Promise<number> {
  const { path: file, settings } = await loadConfig(configPath);
  const archive = codeArchivePath(file, settings);
  const existed = await fs
    .stat(archive)
    .then(() => true)
    .catch(() => false);
  try {
    await fs.rm(archive, { force: true });
  } catch (error) {
    // Exit 4, as packaging's other failures.
    throw new MaxrecError(
      ExitCode.data,
      `Could not remove the code archive ${archive}: ${reasonOf(error)}.`,
      {
        hint:
          'It lies beside the config: make that folder writable, or keep ' +
          'the config in a writable folder.',
        cause: error,
      },
    );
  }
  output.record(
    'clean',
    { archive, removed: existed },
    existed ? `Removed ${archive}` : `No code archive to remove (${archive})`,
  );
  return ExitCode.ok;
}

/** Waits for Enter, or Ctrl+C (which readline takes from the terminal). */
function waitForEnterOrInterrupt(io: CliIo): Promise<'enter' | 'interrupt'> {
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  return new Promise((resolve) => {
    rl.once('line', () => resolve('enter'));
    rl.once('SIGINT', () => resolve('interrupt'));
  }).finally(() => rl.close()) as Promise<'enter' | 'interrupt'>;
}

async function confirm(io: CliIo, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  // Ctrl+C at the question means no.
  const interrupted = new Promise<string>((resolve) =>
    rl.once('SIGINT', () => resolve('n')),
  );
  try {
    const answer = await Promise.race([rl.question(question), interrupted]);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
