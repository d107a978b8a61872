/**
 * A model trained by the real trainer on a slice of the bundled MovieLens
 * sample, with the scores and training items the trainer's own code gives
 * (test/serve/fixture.py). Trained once per version of training_code/ and
 * kept in the temp folder; test files racing to make it keep the first.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { createServer, type ServerOptions } from '../../src/serve/server.js';

export const PYTHON = path.resolve('.venv/bin/python');
const SAMPLE = path.resolve('sample_training_data/data');
/** 20 users, 1,768 items: enough to rank, fast to train. */
const SLICE_LINES = 3000;

export interface Expected {
  /** Item ids in model-index order. */
  items: string[];
  users: Record<
    string,
    { scores: number[]; seen: string[]; held_out: string[] }
  >;
  trainer_wrote_seen: boolean;
}

export interface TrainedModel {
  modelDir: string;
  titlesFile: string;
  expected: Expected;
  /** Item id → the trainer's score, per user. */
  scoreOf(user: string, item: string): number;
}

export async function trainedModel(): Promise<TrainedModel> {
  if (!existsSync(PYTHON)) {
    throw new Error(`No Python at ${PYTHON}: run npm run setup:python first.`);
  }
  const folder = path.join(os.tmpdir(), `maxrec-serve-${await version()}`);
  if (!existsSync(path.join(folder, 'expected.json'))) await train(folder);
  const expected = JSON.parse(
    await fs.readFile(path.join(folder, 'expected.json'), 'utf8'),
  ) as Expected;
  const position = new Map(expected.items.map((item, i) => [item, i]));
  return {
    modelDir: path.join(folder, 'trained_model'),
    titlesFile: path.join(SAMPLE, 'movies.csv'),
    expected,
    scoreOf: (user, item) =>
      expected.users[user]?.scores[position.get(item) ?? -1] ?? NaN,
  };
}

async function train(folder: string): Promise<void> {
  const work = await fs.mkdtemp(`${folder}-partial-`);
  const lines = (await fs.readFile(path.join(SAMPLE, 'ratings.csv'), 'utf8'))
    .split('\n')
    .slice(0, SLICE_LINES + 1);
  await fs.writeFile(path.join(work, 'ratings.csv'), `${lines.join('\n')}\n`);
  const modelDir = path.join(work, 'trained_model');
  execFileSync(
    PYTHON,
    [
      'training_code/train_ncf.py',
      '--data',
      'ratings.csv',
      '--epoch',
      '2',
      '--output',
      modelDir,
    ],
    {
      env: { ...process.env, DATA_DIR: work, RESULT_DIR: work },
      stdio: 'pipe',
    },
  );
  execFileSync(PYTHON, [
    'test/serve/fixture.py',
    path.join(work, 'ratings.csv'),
    modelDir,
    path.join(work, 'expected.json'),
  ]);
  try {
    await fs.rename(work, folder);
  } catch {
    // Another test file got there first; its model is the same.
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** A hash of everything the fixture's result depends on. */
async function version(): Promise<string> {
  const hash = createHash('sha256').update(String(SLICE_LINES));
  const files = [
    'test/serve/fixture.py',
    'scripts/reference_serve.py',
    ...(await fs.readdir('training_code', { recursive: true }))
      .filter((f) => f.endsWith('.py') && !f.includes('tests'))
      .map((f) => path.join('training_code', f))
      .sort(),
  ];
  for (const file of files) hash.update(file).update(await fs.readFile(file));
  return hash.digest('hex').slice(0, 16);
}

/** A server on a free loopback port; close it with `app.close()`. */
export async function listen(
  options: ServerOptions,
): Promise<{ app: FastifyInstance; url: string }> {
  const app = await createServer(options);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

/** POST and parse the JSON answer. */
export async function post(
  url: string,
  body?: string | URLSearchParams | FormData | object,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const init: RequestInit = { method: 'POST' };
  if (
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof FormData
  ) {
    init.body = body;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const response = await fetch(url, init);
  return {
    status: response.status,
    json: (await response.json()) as Record<string, unknown>,
  };
}
