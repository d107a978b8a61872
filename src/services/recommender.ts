/**
 * Recommendations from a trained model folder: `user_scores.onnx` (or, in
 * older folders, `model.onnx`) scores every item for a user index;
 * `users.json` and `items.json` map the data's ids to those indices. One
 * loaded Recommender serves any number of calls, so the REST server keeps
 * one for its lifetime.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, MaxrecError } from '../core/errors.js';
import type { Recommendation } from '../core/types.js';
import {
  readSeenItems,
  seenPositions,
  type SeenItems,
} from '../serve/seen-items.js';
import { ScoreCache } from '../serve/score-cache.js';
import { topK } from '../serve/top-k.js';
import { reasonOf } from './fs-errors.js';
import { brokenModel, loadItemScores, type ItemScores } from './item-scores.js';
import { readItemTitles } from './item-titles.js';

/** Extras for `Recommender.load`. */
export interface RecommenderOptions {
  /**
   * Item ids and titles in any delimited file the trainer reads, e.g.
   * movies.csv or MovieLens 100K's u.item (see readItemTitles).
   */
  titlesFile?: string;
  /** ONNX Runtime's threads per run; its default is one per core. */
  threads?: number;
  /** Keep recent users' scores, up to this many bytes (default none). */
  scoreCacheBytes?: number;
}

/** Extras for `Recommender.recommend`. */
export interface RecommendOptions {
  /** Item ids to leave out. */
  exclude?: Set<string>;
  /** Leave out the user's training items (needs seen_items.bin). */
  excludeSeen?: boolean;
}

/** A trained model, loaded once and asked many times. */
export class Recommender {
  /** Model runs in flight, which close() lets finish. */
  private running = 0;
  private closing: Promise<void> | undefined;
  private lastRunDone: (() => void) | undefined;

  private constructor(
    private readonly itemScores: ItemScores,
    private readonly users: Map<string, number>,
    /** Item id at each model index that has one. */
    private readonly itemIds: string[],
    private readonly titles: Map<string, string>,
    private readonly seen: SeenItems | null,
    private readonly cache: ScoreCache | undefined,
  ) {}

  /** Load `modelDir` (a `trained_model/` folder); throws exit 7 if broken. */
  static async load(
    modelDir: string,
    options: RecommenderOptions = {},
  ): Promise<Recommender> {
    const users = await readIdMap(path.join(modelDir, 'users.json'));
    const items = await readIdMap(path.join(modelDir, 'items.json'));
    const ordered = [...items].sort((a, b) => a[1] - b[1]);
    const itemIndices = ordered.map(([, index]) => index);
    const seenFile = path.join(modelDir, 'seen_items.bin');
    const seen = await readSeenItems(seenFile, users.size, itemIndices).catch(
      (error: unknown) => {
        throw brokenModel(`${seenFile} is unusable: ${reasonOf(error)}`, error);
      },
    );
    const titles = options.titlesFile
      ? await readTitles(options.titlesFile, items)
      : new Map<string, string>();
    // Last, so that nothing above can fail with its native memory held.
    const itemScores = await loadItemScores(
      modelDir,
      users.size,
      itemIndices,
      options.threads,
    );
    return new Recommender(
      itemScores,
      users,
      ordered.map(([id]) => id),
      titles,
      seen,
      options.scoreCacheBytes
        ? new ScoreCache(options.scoreCacheBytes, itemIndices.length)
        : undefined,
    );
  }

  /** How many users and items the model knows. */
  get size(): { users: number; items: number } {
    return { users: this.users.size, items: this.itemIds.length };
  }

  /** Whether the model folder says which items each user trained on. */
  get canExcludeSeen(): boolean {
    return this.seen !== null;
  }

  /** Whether the model knows this user id. */
  hasUser(userId: string): boolean {
    return this.users.has(userId);
  }

  /**
   * The `n` best-scored items for a user, best first, leaving out
   * `exclude` and, with `excludeSeen`, the user's training items. Every
   * item is scored in one run of the model.
   */
  async recommend(
    userId: string,
    n: number,
    options: RecommendOptions = {},
  ): Promise<Recommendation[]> {
    const [ranked] = await this.recommendMany([userId], n, options);
    return ranked ?? [];
  }

  /**
   * `recommend` for each of `userIds`, in order: the users the score cache
   * lacks are scored a few to a run, one run after another, so that other
   * callers get their turn in between.
   */
  async recommendMany(
    userIds: readonly string[],
    n: number,
    options: RecommendOptions = {},
  ): Promise<Recommendation[][]> {
    if (!Number.isInteger(n) || n < 1) {
      throw new MaxrecError(
        ExitCode.invocation,
        `The number of recommendations must be a positive whole number, not ${n}.`,
      );
    }
    const userIndices = userIds.map((userId) => this.userIndex(userId));
    if (options.excludeSeen && this.seen === null) {
      throw new MaxrecError(
        ExitCode.invocation,
        'This model was trained without seen_items.bin, so it cannot leave ' +
          "out the user's training items.",
        { hint: 'Retrain with the current trainer, or ask without it.' },
      );
    }
    const ranked: Recommendation[][] = [];
    const perRun = this.itemScores.usersPerRun;
    for (let start = 0; start < userIndices.length; start += perRun) {
      const chunk = userIndices.slice(start, start + perRun);
      const scores = await this.score(chunk);
      chunk.forEach((userIndex, i) =>
        ranked.push(this.rank(userIndex, scores[i]!, n, options)),
      );
    }
    return ranked;
  }

  /** Free the model's native memory once the runs in flight are done. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.running > 0) {
        await new Promise<void>((resolve) => (this.lastRunDone = resolve));
      }
      await this.itemScores.release();
    })();
    return this.closing;
  }

  private userIndex(userId: string): number {
    const userIndex = this.users.get(userId);
    if (userIndex === undefined) {
      const known = [...this.users.keys()].slice(0, 5).join(', ');
      throw new MaxrecError(
        ExitCode.invocation,
        `unknown user id "${userId}"`,
        {
          hint: `The model knows ${this.users.size} users, e.g. ${known}.`,
        },
      );
    }
    return userIndex;
  }

  private rank(
    userIndex: number,
    scores: Float32Array,
    n: number,
    options: RecommendOptions,
  ): Recommendation[] {
    const seen = options.excludeSeen && seenPositions(this.seen, userIndex);
    const exclude = options.exclude?.size ? options.exclude : null;
    const order = topK(
      scores,
      n,
      seen || exclude
        ? (position) =>
            (seen && seen.has(position)) ||
            (exclude?.has(this.itemIds[position] ?? '') ?? false)
        : undefined,
    );
    return Array.from(order, (i) => {
      const item = this.itemIds[i] ?? '';
      const title = this.titles.get(item);
      const recommendation: Recommendation = { item, score: scores[i] ?? 0 };
      if (title !== undefined) recommendation.title = title;
      return recommendation;
    });
  }

  private score(userIndices: readonly number[]): Promise<Float32Array[]> {
    const run = (missing: readonly number[]) => this.run(missing);
    return this.cache
      ? Promise.all(this.cache.get(userIndices, run))
      : run(userIndices);
  }

  /** Scores of every item for a few users: one run of the model. */
  private async run(userIndices: readonly number[]): Promise<Float32Array[]> {
    if (this.closing) {
      throw new MaxrecError(ExitCode.invocation, 'The model has been closed.');
    }
    this.running++;
    try {
      return await this.itemScores.score(userIndices);
    } finally {
      if (--this.running === 0) this.lastRunDone?.();
    }
  }
}

async function readIdMap(file: string): Promise<Map<string, number>> {
  let value: unknown;
  try {
    value = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw brokenModel(`${file} cannot be read (${reasonOf(error)})`, error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw brokenModel(`${file} is not an object of id to index`);
  }
  const map = new Map<string, number>();
  for (const [id, index] of Object.entries(value)) {
    if (!Number.isInteger(index) || (index as number) < 0) {
      throw brokenModel(
        `${file} maps "${id}" to ${String(index)}, not an index`,
      );
    }
    map.set(id, index as number);
  }
  return map;
}

/** Titles of the model's items; a file it cannot read is exit 4. */
async function readTitles(
  file: string,
  items: Map<string, number>,
): Promise<Map<string, string>> {
  try {
    return await readItemTitles(file, (id) => items.has(id));
  } catch (error) {
    throw new MaxrecError(
      ExitCode.data,
      `Cannot read item titles from ${file}: ${reasonOf(error)}.`,
      {
        hint:
          'Give --titles (or train.hyperparameters.item_titles_file) a ' +
          'delimited file of item ids and titles: a header naming them ' +
          '(movieId,title), or the id first and the title second (u.item).',
        cause: error,
      },
    );
  }
}
