/**
 * Starting a local training run so that it outlives the app: its own
 * process group (detached), output straight into the log file, and a small
 * wrapper that leaves the exit code on disk for whoever looks later.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';

/**
 * Runs the command, then writes its exit code beside and renames it, so a
 * reader sees the whole number or no file.
 */
const WRAPPER = [
  'bash -c "$MAXREC_TRAINING_COMMAND"',
  'code=$?',
  'printf "%s\\n" "$code" > "$MAXREC_RUN_DIR/exit-code.tmp" &&',
  '  mv -f "$MAXREC_RUN_DIR/exit-code.tmp" "$MAXREC_RUN_DIR/exit-code"',
  'exit "$code"',
].join('\n');

export interface TrainingProcess {
  /** Shell command run in `codeDir`. */
  command: string;
  codeDir: string;
  /** Where `exit-code` is written. */
  runDir: string;
  logFile: string;
  /** The training Python: its folder goes first on PATH. */
  python: string;
  /** DATA_DIR, RESULT_DIR and any other variables for the command. */
  env: Record<string, string>;
}

/**
 * Start the run and return the pid of its wrapper shell, which leads the
 * run's process group (pgid = pid). Rejects when bash cannot be started.
 */
export async function spawnTraining(run: TrainingProcess): Promise<number> {
  const log = openSync(run.logFile, 'a');
  try {
    const child = spawn('bash', ['-c', WRAPPER], {
      cwd: run.codeDir,
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        PATH: pathWithPython(run.python),
        MAXREC_SKIP_INSTALL: '1',
        // Progress events must reach the log as they happen.
        PYTHONUNBUFFERED: '1',
        ...run.env,
        MAXREC_TRAINING_COMMAND: run.command,
        MAXREC_RUN_DIR: run.runDir,
      },
    });
    await Promise.race([
      once(child, 'spawn'),
      once(child, 'error').then(([error]) => Promise.reject(error)),
    ]);
    // Nothing here waits for the run: the app may close while it trains.
    child.unref();
    return child.pid as number;
  } finally {
    closeSync(log);
  }
}

function pathWithPython(python: string): string | undefined {
  const current = process.env.PATH;
  if (!python.includes('/') && !python.includes('\\')) return current;
  const bin = path.dirname(path.resolve(python));
  return [bin, current].filter(Boolean).join(path.delimiter);
}
