/**
 * Recommendations from a trained model folder: `model.onnx` scores
 * (user, item) index pairs; `users.json` and `items.json` map the data's
 * ids to those indices. One loaded Recommender serves any number of calls,
 * so the REST server keeps one for its lifetime.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { ExitCode, MaxrecError } from '../core/errors.js';
import type { Recommendation } from '../core/types.js';
import { reasonOf } from './fs-errors.js';

/** Extras for `Recommender.load`. */
export interface RecommenderOptions {
  /** A CSV with the item id first and a `title` column (e.g. movies.csv). */
  titlesFile?: string;
}

/** A trained model, loaded once and asked many times. */
export class Recommender {
  private constructor(
    private readonly session: InferenceSession,
    private readonly users: Map<string, number>,
    /** Item id at each model index that has one. */
    private readonly itemIds: string[],
    private readonly itemIndices: number[],
    private readonly titles: Map<string, string>,
    private readonly outputName: string,
  ) {}

  /** Load `modelDir` (a `trained_model/` folder); throws exit 7 if broken. */
  static async load(
    modelDir: string,
    options: RecommenderOptions = {},
  ): Promise<Recommender> {
    const users = await readIdMap(path.join(modelDir, 'users.json'));
    const items = await readIdMap(path.join(modelDir, 'items.json'));
    let session: InferenceSession;
    try {
      session = await InferenceSession.create(
        path.join(modelDir, 'model.onnx'),
      );
    } catch (error) {
      throw brokenModel(`${modelDir}/model.onnx cannot be loaded`, error);
    }
    for (const input of ['user', 'item']) {
      if (!session.inputNames.includes(input)) {
        throw brokenModel(`model.onnx has no input named "${input}"`);
      }
    }
    const outputName = session.outputNames.includes('score')
      ? 'score'
      : session.outputNames[0];
    if (outputName === undefined) throw brokenModel('model.onnx has no output');
    const ordered = [...items].sort((a, b) => a[1] - b[1]);
    const titles = options.titlesFile
      ? await readTitles(options.titlesFile, items)
      : new Map<string, string>();
    return new Recommender(
      session,
      users,
      ordered.map(([id]) => id),
      ordered.map(([, index]) => index),
      titles,
      outputName,
    );
  }

  /** How many users and items the model knows. */
  get size(): { users: number; items: number } {
    return { users: this.users.size, items: this.itemIds.length };
  }

  /** Whether the model knows this user id. */
  hasUser(userId: string): boolean {
    return this.users.has(userId);
  }

  /**
   * The `n` best-scored items for a user, best first, leaving out
   * `exclude`. Every item is scored in one batched run of the model.
   */
  async recommend(
    userId: string,
    n: number,
    options: { exclude?: Set<string> } = {},
  ): Promise<Recommendation[]> {
    if (!Number.isInteger(n) || n < 1) {
      throw new MaxrecError(
        ExitCode.invocation,
        `The number of recommendations must be a positive whole number, not ${n}.`,
      );
    }
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
    const count = this.itemIndices.length;
    const userInput = new BigInt64Array(count).fill(BigInt(userIndex));
    const itemInput = BigInt64Array.from(this.itemIndices, (i) => BigInt(i));
    const output = await this.session.run({
      user: new Tensor('int64', userInput, [count]),
      item: new Tensor('int64', itemInput, [count]),
    });
    const scores = output[this.outputName]?.data;
    if (!(scores instanceof Float32Array) || scores.length !== count) {
      throw brokenModel(
        `model.onnx returned ${scores?.length ?? 'no'} scores for ${count} items`,
      );
    }
    const exclude = options.exclude ?? new Set<string>();
    const order = [...scores.keys()]
      .filter((i) => !exclude.has(this.itemIds[i] ?? ''))
      .sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0))
      .slice(0, n);
    return order.map((i) => {
      const item = this.itemIds[i] ?? '';
      const title = this.titles.get(item);
      const recommendation: Recommendation = { item, score: scores[i] ?? 0 };
      if (title !== undefined) recommendation.title = title;
      return recommendation;
    });
  }

  /** Free the model's native memory. */
  async close(): Promise<void> {
    await this.session.release();
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

/** Titles of the model's items, streamed from a CSV of any size. */
async function readTitles(
  file: string,
  items: Map<string, number>,
): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  try {
    const parser = createReadStream(file).pipe(
      parse({ bom: true, relax_column_count: true, skip_empty_lines: true }),
    );
    let titleColumn = -1;
    for await (const row of parser as AsyncIterable<string[]>) {
      if (titleColumn < 0) {
        titleColumn = row.findIndex((name) => name.trim() === 'title');
        if (titleColumn < 0) break;
        continue;
      }
      const id = row[0];
      const title = row[titleColumn];
      if (id !== undefined && title !== undefined && items.has(id)) {
        titles.set(id, title);
      }
    }
    if (titleColumn < 0) {
      throw new Error('its header has no "title" column');
    }
  } catch (error) {
    throw new MaxrecError(
      ExitCode.data,
      `Cannot read item titles from ${file}: ${reasonOf(error)}.`,
      {
        hint: 'Check train.hyperparameters.item_titles_file, or leave it empty.',
        cause: error,
      },
    );
  }
  return titles;
}

function brokenModel(what: string, cause?: unknown): MaxrecError {
  return new MaxrecError(
    ExitCode.extraction,
    `The trained model is not usable: ${what}.`,
    { hint: 'Extract the model archive again, or retrain.', cause },
  );
}
