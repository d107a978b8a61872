/**
 * `maxrec recommend USER_ID --model DIR`, the built CLI on a model the real
 * trainer made: the top items, the items already seen left out, and the
 * refusals with their exit codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { trainedModel, type TrainedModel } from './fixture.js';

let model: TrainedModel;
let cwd: string;

beforeAll(async () => {
  model = await trainedModel();
  cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-recommend-'));
}, 180_000);

afterAll(() => fs.rm(cwd, { recursive: true, force: true }));

const recommend = (...args: string[]) =>
  runCli(['recommend', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    timeoutMs: 60_000,
  });

describe('maxrec recommend', () => {
  it("prints the model's top items the user has not seen, with titles", async () => {
    const user = Object.keys(model.expected.users)[0]!;
    const result = await recommend(
      user,
      '--model',
      model.modelDir,
      '-n',
      '3',
      '--titles',
      model.titlesFile,
      '--json',
    );
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
      items: { item: string; score: number; title?: string }[];
    };
    expect(record.items).toHaveLength(3);
    const seen = new Set(model.expected.users[user]!.seen);
    const unseen = model.expected.items
      .filter((item) => !seen.has(item))
      .sort((a, b) => model.scoreOf(user, b) - model.scoreOf(user, a));
    expect(record.items.map((r) => r.item)).toEqual(unseen.slice(0, 3));
    expect(record.items[0]!.title).toEqual(expect.any(String));
  });

  it('a missing model folder is a wrong --model: exit 3 saying what to pass', async () => {
    const result = await recommend('1', '--model', path.join(cwd, 'nothing'));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Cannot use the model in .*nothing/);
    expect(result.stderr).toMatch(/trained_model folder/);
  });

  it('an unknown user: exit 1 naming a few known ones', async () => {
    const result = await recommend('no-such-user', '--model', model.modelDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown user id "no-such-user"/);
  });
});
