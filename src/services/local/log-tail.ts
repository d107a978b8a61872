/**
 * Reading a training log as it grows: whole lines only, a partial last line
 * kept until its end arrives, and the trainer's JSON progress events picked
 * out of the human-readable lines.
 */
import fs from 'node:fs/promises';
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

/**
 * Why a run failed, from the end of its log: the message of the last error
 * event, else the last non-empty line. Reads at most the last 64 KB.
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
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const event = parseTrainerEvent(lines[i] ?? '');
    if (event?.event === 'error') return event.message;
  }
  return lines.at(-1)?.trim().slice(0, 500);
}
