/**
 * Copying one file with byte progress, atomically: streamed to a temporary
 * name beside the target and renamed when complete.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MaxrecError, isAbortError } from '../../core/errors.js';
import type { ExitCodeValue } from '../../core/errors.js';
import { reasonOf } from '../fs-errors.js';
import type { OnTransferProgress, TransferProgress } from '../types.js';

/** Marks files being written; listings never show them. */
export const TEMP_MARKER = '.maxrec-tmp-';

/**
 * Stream `source` to a temporary file beside `target`, then rename it into
 * place. On any failure, abort included, the temporary file is removed and
 * `target` is left as it was.
 */
export async function copyAtomically(
  source: string,
  target: string,
  onBytes: (bytes: number) => void,
  failureCode: ExitCodeValue,
  signal: AbortSignal | undefined,
): Promise<void> {
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}${TEMP_MARKER}${randomBytes(4).toString('hex')}`,
  );
  try {
    signal?.throwIfAborted();
    await fs.mkdir(path.dirname(target), { recursive: true });
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        onBytes(chunk.length);
        callback(null, chunk);
      },
    });
    await pipeline(
      createReadStream(source),
      counter,
      createWriteStream(temp, { flags: 'wx' }),
      { signal },
    );
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    if (isAbortError(error) || error instanceof MaxrecError) throw error;
    throw new MaxrecError(
      failureCode,
      `Could not copy ${source} to ${target}: ${reasonOf(error)}.`,
      {
        hint: 'Check that the folder is writable and the disk not full.',
        cause: error,
      },
    );
  }
}

/** Emits progress at most once per interval, and always the last state. */
export function progressReporter(
  bytesTotal: number,
  filesTotal: number,
  intervalMs: number,
  onProgress: OnTransferProgress | undefined,
) {
  const state: TransferProgress = {
    name: '',
    bytesDone: 0,
    bytesTotal,
    filesDone: 0,
    filesTotal,
  };
  let lastEmit = Number.NEGATIVE_INFINITY;
  const emit = (force: boolean) => {
    const now = performance.now();
    if (!onProgress || (!force && now - lastEmit < intervalMs)) return;
    lastEmit = now;
    onProgress({ ...state });
  };
  return {
    bytes(name: string, bytes: number) {
      state.name = name;
      state.bytesDone += bytes;
      emit(false);
    },
    fileDone(name: string) {
      state.name = name;
      state.filesDone += 1;
      emit(false);
    },
    flush() {
      emit(true);
    },
  };
}
