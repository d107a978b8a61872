/**
 * Reading a training log as it grows: whole lines only, a partial last line
 * kept until its end arrives, and the trainer's JSON progress events picked
 * out of the human-readable lines.
 */
import fs from 'node:fs/promises';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { TrainerEvent } from '../../core/types.js';
import { errorCode } from '../fs-errors.js';

const CHUNK_BYTES = 64 * 1024;

const EVENT_NAMES = new Set([
  'start',
  'epoch',
  'phase',
  'trial',
  'end',
  'error',
]);

/**
 * A trainer event when the line is one (`{"event": ...}`); undefined for
 * prose and for malformed JSON.
 */
export function parseTrainerEvent(line: string): TrainerEvent | undefined {
  const text = line.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const event = (value as { event?: unknown }).event;
    if (typeof event !== 'string' || !EVENT_NAMES.has(event)) return undefined;
    return value as TrainerEvent;
  } catch {
    return undefined;
  }
}

/**
 * Bytes of a growing log in, whole lines out: a partial last line (or a
 * character cut between two reads) is kept until the rest arrives.
 */
export class LineSplitter {
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');

  push(bytes: Buffer, onLine: (line: string) => void): void {
    const lines = (this.partial + this.decoder.write(bytes)).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) onLine(line.replace(/\r$/, ''));
  }

  /** The last line when the log does not end with a line break. */
  flush(onLine: (line: string) => void): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest !== '') onLine(rest.replace(/\r$/, ''));
  }
}

/** Reads a log file from the start, then whatever was appended since. */
export class LogTail {
  private offset = 0;
  private readonly lines = new LineSplitter();

  constructor(private readonly file: string) {}

  /** Call `onLine` for each complete line appended since the last call. */
  async readNewLines(onLine: (line: string) => void): Promise<void> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw error;
    }
    try {
      const buffer = Buffer.alloc(CHUNK_BYTES);
      for (;;) {
        const { bytesRead } = await handle.read(
          buffer,
          0,
          CHUNK_BYTES,
          this.offset,
        );
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.lines.push(buffer.subarray(0, bytesRead), onLine);
      }
    } finally {
      await handle.close();
    }
  }

  /** The last line when the file does not end with a line break. */
  flush(onLine: (line: string) => void): void {
    this.lines.flush(onLine);
  }
}

/** The last line train-max-model.sh writes when the trainer fails. */
const TRAINER_FAILED = /^Training failed with exit code (\d+)$/;

/**
 * Why a run failed, from the end of its log: the message of the last error
 * event; else, below the training script's "Training failed with exit code
 * N", the signal that killed the trainer or the trainer's last `Error:`
 * line; else the last non-empty line. Reads at most the last 64 KB.
 */
export async function failureReasonFromLog(
  file: string,
): Promise<string | undefined> {
  let text: string;
  try {
    const handle = await fs.open(file, 'r');
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - CHUNK_BYTES);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      text = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const event = parseTrainerEvent(lines[i] ?? '');
    if (event?.event === 'error') return event.message;
  }
  const last = lines.at(-1);
  const failed = last ? TRAINER_FAILED.exec(last) : null;
  if (failed) {
    const code = Number(failed[1]);
    const killed = killedReason(code);
    if (killed) return killed;
    const said = lines.findLast((line) => line.startsWith('Error: '));
    if (said) return said.slice('Error: '.length).slice(0, 500);
    return `the trainer exited with code ${code}`;
  }
  return last?.slice(0, 500);
}

/**
 * "the training process was killed (signal 9, SIGKILL)" for a shell's exit
 * code 128 + N, where N is a signal; undefined for any other code.
 */
export function killedReason(exitCode: number): string | undefined {
  const number = exitCode - 128;
  const name = Object.entries(constants.signals).find(
    ([, value]) => value === number,
  )?.[0];
  return name
    ? `the training process was killed (signal ${number}, ${name})`
    : undefined;
}

/**
 * The log lines without argparse's usage block (`usage: ...` and its
 * indented continuation lines): the error line after it says what is wrong.
 */
export function withoutUsageText(lines: readonly string[]): string[] {
  const kept: string[] = [];
  let inUsage = false;
  for (const line of lines) {
    if (/^usage: /.test(line)) inUsage = true;
    else if (inUsage && !/^\s/.test(line)) inUsage = false;
    if (!inUsage) kept.push(line);
  }
  return kept;
}
