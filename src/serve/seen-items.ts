/**
 * `seen_items.bin`, written by the trainer (training_code/maxrec_trainer/
 * seen_items.py): each user's training items as CSR, little-endian:
 * 8 bytes "MXSEEN01", uint32 n_users, uint32 nnz, uint32 indptr[n_users + 1],
 * uint32 indices[nnz]. Read into two typed arrays, so exclude_seen costs
 * no per-item objects however large the data.
 */
import fs from 'node:fs/promises';
import { errorCode } from '../services/fs-errors.js';

export interface SeenItems {
  /** User u's items are positions[indptr[u]] up to positions[indptr[u + 1]]. */
  indptr: Uint32Array;
  /** Where each item sits in the model's item order (see readSeenItems). */
  positions: Uint32Array;
}

const MAGIC = 'MXSEEN01';
const HEADER_BYTES = 16;

/** Positions among the scores of the items a user trained on. */
export function seenPositions(
  seen: SeenItems | null,
  userIndex: number,
): Set<number> {
  if (seen === null) return new Set();
  const start = seen.indptr[userIndex] ?? 0;
  const end = seen.indptr[userIndex + 1] ?? start;
  return new Set(seen.positions.subarray(start, end));
}

/**
 * Reads `file`: null when there is none (a model trained before the
 * trainer wrote it); throws an Error saying what is wrong when it does not
 * match the format, the number of `users` or the model's items.
 * `itemIndices` are the model's item indices in scoring order; each item
 * index in the file becomes its position there.
 */
export async function readSeenItems(
  file: string,
  users: number,
  itemIndices: readonly number[],
): Promise<SeenItems | null> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
  if (bytes.length < HEADER_BYTES || bytes.toString('latin1', 0, 8) !== MAGIC) {
    throw new Error(`it does not start with ${MAGIC}`);
  }
  const nUsers = bytes.readUInt32LE(8);
  const nnz = bytes.readUInt32LE(12);
  const expected = HEADER_BYTES + 4 * (nUsers + 1 + nnz);
  if (bytes.length !== expected) {
    throw new Error(
      `it has ${bytes.length} bytes, its header says ${expected}`,
    );
  }
  if (nUsers !== users) {
    throw new Error(`it lists ${nUsers} users, users.json ${users}`);
  }
  // A copy into fresh, aligned memory; typed arrays read the host's byte
  // order, little-endian on every platform onnxruntime-node ships for.
  const words = new Uint32Array(nUsers + 1 + nnz);
  new Uint8Array(words.buffer).set(bytes.subarray(HEADER_BYTES));
  const seen = {
    indptr: words.subarray(0, nUsers + 1),
    positions: words.subarray(nUsers + 1),
  };
  let previous = 0;
  for (const offset of seen.indptr) {
    if (offset < previous) throw new Error('its indptr is not ascending');
    previous = offset;
  }
  if (seen.indptr[0] !== 0 || previous !== nnz) {
    throw new Error(`its indptr does not run from 0 to ${nnz}`);
  }
  const positionOf = new Int32Array((itemIndices.at(-1) ?? -1) + 1).fill(-1);
  itemIndices.forEach((index, position) => (positionOf[index] = position));
  seen.positions.forEach((item, k) => {
    const position = positionOf[item] ?? -1;
    if (position < 0)
      throw new Error(`it names item ${item}, not in items.json`);
    seen.positions[k] = position;
  });
  return seen;
}
