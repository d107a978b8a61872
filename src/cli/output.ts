import { describeError, MaxrecError } from '../core/errors.js';
import { debugLog } from '../services/debug-log.js';

/**
 * What headless commands print: plain lines for people, or one JSON object
 * a line with --json. Never escape sequences when stdout is not a terminal,
 * and no colour with NO_COLOR.
 */
export interface Output {
  readonly json: boolean;
  /** A line for people; dropped in --json mode. */
  info(text: string): void;
  /** A machine-readable record; printed as a line of text otherwise. */
  record(type: string, fields: Record<string, unknown>, text: string): void;
  /** A progress line that a terminal may overwrite in place. */
  progress(text: string): void;
  error(error: unknown): void;
  /** Ends an in-place progress line, if one is showing. */
  flush(): void;
}

export interface OutputStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export function colorAllowed(stream: { isTTY?: boolean }): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env);
}

export function createOutput(
  streams: OutputStreams,
  options: { json: boolean },
): Output {
  const { stdout, stderr } = streams;
  const inPlace = Boolean(stdout.isTTY) && !options.json;
  const red = colorAllowed(stderr) ? (s: string) => `\x1b[31m${s}\x1b[39m` : id;
  let progressShowing = false;

  const flush = () => {
    if (progressShowing) stdout.write('\n');
    progressShowing = false;
  };

  return {
    json: options.json,
    info(text) {
      if (options.json) return;
      flush();
      stdout.write(`${text}\n`);
    },
    record(type, fields, text) {
      if (options.json) {
        stdout.write(`${JSON.stringify({ type, ...fields })}\n`);
        return;
      }
      flush();
      stdout.write(`${text}\n`);
    },
    progress(text) {
      if (options.json) return;
      if (inPlace) {
        stdout.write(`\r\x1b[2K${text}`);
        progressShowing = true;
      } else {
        stdout.write(`${text}\n`);
      }
    },
    error(error) {
      flush();
      debugLog('error shown to user:', error);
      const exitCode = error instanceof MaxrecError ? error.exitCode : 1;
      if (options.json) {
        stdout.write(
          `${JSON.stringify({
            type: 'error',
            exitCode,
            message: error instanceof Error ? error.message : String(error),
            hint: error instanceof MaxrecError ? error.hint : undefined,
          })}\n`,
        );
        return;
      }
      stderr.write(`${red('Error:')} ${describeError(error)}\n`);
    },
    flush,
  };
}

function id(s: string): string {
  return s;
}
