/**
 * Every item's score for a user, from a trained model folder's ONNX
 * graphs. `user_scores.onnx` gives them in one run from the user index
 * alone (the item side of the model precomputed by the trainer); a folder
 * without it, from an older trainer, has `model.onnx` score all
 * (user, item) pairs instead: the same scores, about five times slower.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { ExitCode, MaxrecError } from '../core/errors.js';
import { errorCode } from './fs-errors.js';

/** A loaded model that scores users against every item. */
export interface ItemScores {
  /** Which file scores: `user_scores.onnx` or `model.onnx`. */
  readonly file: string;
  /** Most users one `score` call takes in a single run. */
  readonly usersPerRun: number;
  /**
   * Each user's scores, in item-position order (the items sorted by model
   * index). Takes at most `usersPerRun` users.
   */
  score(userIndices: readonly number[]): Promise<Float32Array[]>;
  release(): Promise<void>;
}

/**
 * Users per run of user_scores.onnx, for the batch endpoint. On
 * ml-latest-small (9,724 items, one thread) a run costs about 125 µs per
 * user for one user, 100-110 µs for 4 to 8, and 160-190 µs for 32, whose
 * (32, 16, 9724) intermediate outgrows the CPU caches.
 */
const USERS_PER_RUN = 8;

/**
 * `user_scores.onnx` if the folder has one, else `model.onnx`. A file that
 * does not load, or does not fit the id maps, is exit 7; so is a
 * user_scores.onnx whose scores are not model.onnx's.
 */
export async function loadItemScores(
  modelDir: string,
  userCount: number,
  itemIndices: readonly number[],
  threads: number | undefined,
): Promise<ItemScores> {
  const options: InferenceSession.SessionOptions = threads
    ? { intraOpNumThreads: threads }
    : {};
  const userScoresFile = path.join(modelDir, 'user_scores.onnx');
  const present = await fs.stat(userScoresFile).then(
    () => true,
    (error: unknown) => {
      if (errorCode(error) === 'ENOENT') return false;
      throw brokenModel(`${userScoresFile} cannot be read`, error);
    },
  );
  const pairs = await PairScores.load(
    path.join(modelDir, 'model.onnx'),
    itemIndices,
    options,
  );
  if (!present) return pairs;
  try {
    const userScores = await UserScores.load(
      userScoresFile,
      itemIndices,
      options,
    );
    await checkAgreement(userScores, pairs, userCount).catch(
      async (error: unknown) => {
        await userScores.release();
        throw error;
      },
    );
    return userScores;
  } finally {
    await pairs.release();
  }
}

/**
 * Fails unless user_scores.onnx gives the first and last users model.onnx's
 * scores: a file from another model, or another training run of this one,
 * would otherwise serve wrong scores without a word. About 2 ms.
 */
async function checkAgreement(
  userScores: ItemScores,
  pairs: ItemScores,
  userCount: number,
): Promise<void> {
  if (userCount === 0) return;
  const users = [0, userCount - 1];
  const fast = await scoreAtLoad(userScores, users, userCount);
  for (const [row, user] of users.entries()) {
    const [expected] = await scoreAtLoad(pairs, [user], userCount);
    const got = fast[row]!;
    const differs = expected!.findIndex(
      (score, p) => !(Math.abs(score - got[p]!) <= SAME_SCORE),
    );
    if (differs >= 0) {
      throw brokenModel(
        `user_scores.onnx does not match model.onnx (user index ${user}, ` +
          `item position ${differs}: ${got[differs]!.toFixed(6)} instead of ` +
          `${expected![differs]!.toFixed(6)}), so one of them is from ` +
          'another training run',
      );
    }
  }
}

/** `scores.score`, any failure of the graph itself being exit 7. */
function scoreAtLoad(
  scores: ItemScores,
  users: number[],
  userCount: number,
): Promise<Float32Array[]> {
  return scores.score(users).catch((error: unknown) => {
    throw error instanceof MaxrecError
      ? error
      : brokenModel(
          `${scores.file} cannot score this model's ${userCount} users`,
          error,
        );
  });
}

/** Float rounding between the two graphs stays far below this. */
const SAME_SCORE = 1e-4;

/** user_scores.onnx: `user` (k,) int64 → `scores` (k, n_items) float32. */
class UserScores implements ItemScores {
  readonly file = 'user_scores.onnx';
  readonly usersPerRun = USERS_PER_RUN;
  /** Columns per user: one per model index up to the highest used. */
  private readonly width: number;
  /** Each position's model index, when they are not simply 0, 1, 2... */
  private readonly gather: Int32Array | null;

  private constructor(
    private readonly session: InferenceSession,
    private readonly outputName: string,
    itemIndices: readonly number[],
  ) {
    this.width = itemIndices.reduce((most, i) => Math.max(most, i + 1), 0);
    const inOrder = itemIndices.every((index, position) => index === position);
    this.gather = inOrder ? null : Int32Array.from(itemIndices);
  }

  static async load(
    file: string,
    itemIndices: readonly number[],
    options: InferenceSession.SessionOptions,
  ): Promise<UserScores> {
    const session = await createSession(file, options);
    if (!session.inputNames.includes('user')) {
      await session.release();
      throw brokenModel('user_scores.onnx has no input named "user"');
    }
    const outputName = session.outputNames.includes('scores')
      ? 'scores'
      : session.outputNames[0];
    if (outputName === undefined) {
      await session.release();
      throw brokenModel('user_scores.onnx has no output');
    }
    return new UserScores(session, outputName, itemIndices);
  }

  async score(userIndices: readonly number[]): Promise<Float32Array[]> {
    const count = userIndices.length;
    const users = BigInt64Array.from(userIndices, (i) => BigInt(i));
    const output = await this.session.run({
      user: new Tensor('int64', users, [count]),
    });
    const scores = output[this.outputName]?.data;
    if (
      !(scores instanceof Float32Array) ||
      scores.length !== count * this.width
    ) {
      throw brokenModel(
        `user_scores.onnx returned ${scores?.length ?? 'no'} scores for ` +
          `${count} users of ${this.width} items`,
      );
    }
    return userIndices.map((_, row) => {
      const all = scores.subarray(row * this.width, (row + 1) * this.width);
      return this.gather ? pick(all, this.gather) : all;
    });
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** model.onnx: `user` and `item` (n,) int64 → `score` (n,) float32. */
class PairScores implements ItemScores {
  readonly file = 'model.onnx';
  readonly usersPerRun = 1;
  /** Every item's model index, in position order: the same for all runs. */
  private readonly itemInput: BigInt64Array;
  /** Spare user inputs, so a busy server allocates none per request. */
  private readonly userInputs: BigInt64Array[] = [];

  private constructor(
    private readonly session: InferenceSession,
    private readonly outputName: string,
    itemIndices: readonly number[],
  ) {
    this.itemInput = BigInt64Array.from(itemIndices, (i) => BigInt(i));
  }

  static async load(
    file: string,
    itemIndices: readonly number[],
    options: InferenceSession.SessionOptions,
  ): Promise<PairScores> {
    const session = await createSession(file, options);
    for (const input of ['user', 'item']) {
      if (!session.inputNames.includes(input)) {
        await session.release();
        throw brokenModel(`model.onnx has no input named "${input}"`);
      }
    }
    const outputName = session.outputNames.includes('score')
      ? 'score'
      : session.outputNames[0];
    if (outputName === undefined) {
      await session.release();
      throw brokenModel('model.onnx has no output');
    }
    return new PairScores(session, outputName, itemIndices);
  }

  async score(userIndices: readonly number[]): Promise<Float32Array[]> {
    const [userIndex] = userIndices;
    if (userIndex === undefined || userIndices.length > 1) {
      throw new RangeError('model.onnx scores one user per run');
    }
    const count = this.itemInput.length;
    const userInput = this.userInputs.pop() ?? new BigInt64Array(count);
    userInput.fill(BigInt(userIndex));
    try {
      const output = await this.session.run({
        user: new Tensor('int64', userInput, [count]),
        item: new Tensor('int64', this.itemInput, [count]),
      });
      const scores = output[this.outputName]?.data;
      if (!(scores instanceof Float32Array) || scores.length !== count) {
        throw brokenModel(
          `model.onnx returned ${scores?.length ?? 'no'} scores for ${count} items`,
        );
      }
      return [scores];
    } finally {
      // Enough spares for the runs a busy server has queued at once.
      if (this.userInputs.length < 16) this.userInputs.push(userInput);
    }
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** `scores` at each of `indices`. */
function pick(scores: Float32Array, indices: Int32Array): Float32Array {
  const picked = new Float32Array(indices.length);
  for (let p = 0; p < indices.length; p++) picked[p] = scores[indices[p]!]!;
  return picked;
}

async function createSession(
  file: string,
  options: InferenceSession.SessionOptions,
): Promise<InferenceSession> {
  try {
    return await InferenceSession.create(file, options);
  } catch (error) {
    throw brokenModel(`${file} cannot be loaded`, error);
  }
}

/** The model folder is unusable: exit 7, as a broken extraction. */
export function brokenModel(what: string, cause?: unknown): MaxrecError {
  return new MaxrecError(
    ExitCode.extraction,
    `The trained model is not usable: ${what}.`,
    { hint: 'Extract the model archive again, or retrain.', cause },
  );
}
