/**
 * `maxrec recommend --titles` and `maxrec serve --titles` with MovieLens
 * 100K's u.item ('|'-separated, Latin-1, no header), read from
 * ../shared/data. The model is trained on ml-latest-small, whose movie ids
 * overlap u.item's; the titles are whatever u.item says for those ids.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Output } from '../../src/cli/output.js';
import { recommendCommand } from '../../src/cli/recommend.js';
import { listen, post, trainedModel, type TrainedModel } from './fixture.js';

const uItem = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../shared/data/ml-100k/u.item',
);

let model: TrainedModel;
/** u.item's title of each id, read by hand. */
let uItemTitles: Map<string, string>;

beforeAll(async () => {
  model = await trainedModel();
  const text = await fs.readFile(uItem, 'latin1');
  uItemTitles = new Map(
    text
      .split('\n')
      .filter((line) => line.includes('|'))
      .map((line) => line.split('|').map((f) => f.trim()) as [string, string]),
  );
}, 180_000);

/** Each item's title matches u.item's; returns how many have one. */
function checkTitles(items: { item: string; title?: string }[]): number {
  for (const { item, title } of items) {
    expect(title).toBe(uItemTitles.get(item));
  }
  return items.filter((r) => r.title !== undefined).length;
}

describe('titles from u.item', () => {
  it('maxrec recommend --titles u.item names the items', async () => {
    let record: { items: { item: string; title?: string }[] } | undefined;
    const output: Output = {
      json: true,
      info: () => {},
      record: (_type, fields) => (record = fields as typeof record),
      progress: () => {},
      error: (error) => {
        throw error;
      },
      flush: () => {},
    };
    const exit = await recommendCommand({
      userId: Object.keys(model.expected.users)[0]!,
      model: model.modelDir,
      count: model.expected.items.length,
      titles: uItem,
      all: true,
      output,
    });
    expect(exit).toBe(0);
    expect(record?.items).toHaveLength(model.expected.items.length);
    expect(checkTitles(record!.items)).toBeGreaterThan(100);
  });

  it('maxrec serve --titles u.item names the predictions', async () => {
    const { app, url } = await listen({
      modelDir: model.modelDir,
      titlesFile: uItem,
    });
    try {
      const user = Object.keys(model.expected.users)[0]!;
      const { status, json } = await post(
        `${url}/model/predict?user_id=${user}&num_results=1000`,
      );
      expect(status).toBe(200);
      const predictions = json['predictions'] as {
        item: string;
        title?: string;
      }[];
      expect(checkTitles(predictions)).toBeGreaterThan(50);
    } finally {
      await app.close();
    }
  });
});
