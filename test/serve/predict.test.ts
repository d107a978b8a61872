import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, post, trainedModel, type TrainedModel } from './fixture.js';

interface Prediction {
  user: string;
  item: string;
  prediction: number;
  title?: string;
}

let model: TrainedModel;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  model = await trainedModel();
  ({ app, url } = await listen({
    modelDir: model.modelDir,
    titlesFile: model.titlesFile,
    maxResults: 5000,
  }));
}, 180_000);

afterAll(async () => {
  await app?.close();
});

const users = () => Object.keys(model.expected.users);

/** The trainer's best `n` items for a user, leaving out `skip`. */
function trainerTop(user: string, n: number, skip = new Set<string>()) {
  return model.expected.items
    .filter((item) => !skip.has(item))
    .map((item) => ({ item, score: model.scoreOf(user, item) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, n);
}

/**
 * The answer is the trainer's top n: the same scores, best first. Items
 * whose scores differ by float rounding only may swap places.
 */
function expectTrainerRanking(
  predictions: Prediction[],
  user: string,
  n: number,
  skip?: Set<string>,
) {
  const expected = trainerTop(user, n, skip);
  expect(predictions).toHaveLength(expected.length);
  predictions.forEach((p, i) => {
    expect(p.user).toBe(user);
    expect(p.prediction).toBeCloseTo(model.scoreOf(user, p.item), 5);
    expect(p.prediction).toBeCloseTo(expected[i]!.score, 5);
    if (i > 0) {
      expect(p.prediction).toBeLessThanOrEqual(predictions[i - 1]!.prediction);
    }
  });
  const rank = new Set(predictions.map((p) => p.item));
  expect(rank.size).toBe(predictions.length);
}

describe('POST /model/predict', () => {
  it("answers the original's query request with the trainer's top 5", async () => {
    const user = users()[0]!;
    const { status, json } = await post(`${url}/model/predict?user_id=${user}`);
    expect(status).toBe(200);
    expect(json['status']).toBe('ok');
    const predictions = json['predictions'] as Prediction[];
    expectTrainerRanking(predictions, user, 5);
    expect(Object.keys(predictions[0]!).sort()).toEqual(
      ['item', 'prediction', 'title', 'user'].sort(),
    );
  });

  it('scores every item as the trainer does, for every user', async () => {
    const n = model.expected.items.length;
    for (const user of users()) {
      const { json } = await post(`${url}/model/predict`, {
        user_id: user,
        num_results: n,
      });
      expectTrainerRanking(json['predictions'] as Prediction[], user, n);
    }
  });

  it('answers the same with the score cache off', async () => {
    const uncached = await listen({
      modelDir: model.modelDir,
      scoreCacheMiB: 0,
    });
    try {
      for (const user of users().slice(0, 5)) {
        const ask = `/model/predict?user_id=${user}&num_results=50`;
        const [a, b] = await Promise.all([
          post(`${url}${ask}&exclude_seen=true`),
          post(`${uncached.url}${ask}&exclude_seen=true`),
        ]);
        const items = (r: typeof a) =>
          (r.json['predictions'] as Prediction[]).map((p) => p.item);
        expect(items(b)).toEqual(items(a));
      }
    } finally {
      await uncached.app.close();
    }
  });

  it('takes the fields as form fields or JSON, numbers as strings', async () => {
    const user = users()[3]!;
    const asForm = await post(
      `${url}/model/predict`,
      new URLSearchParams({ user_id: user, num_results: '3' }),
    );
    // multipart/form-data, as `curl -F user_id=1` sends it.
    const multipart = new FormData();
    multipart.set('user_id', user);
    multipart.set('num_results', '3');
    const asMultipart = await post(`${url}/model/predict`, multipart);
    const asJson = await post(`${url}/model/predict`, {
      user_id: Number(user),
      num_results: '3',
    });
    const bodyWins = await post(`${url}/model/predict?num_results=9`, {
      user_id: user,
      num_results: 3,
    });
    for (const { status, json } of [asForm, asMultipart, asJson, bodyWins]) {
      expect(status).toBe(200);
      expectTrainerRanking(json['predictions'] as Prediction[], user, 3);
    }
  });

  it('names movies when given a titles file', async () => {
    const { json } = await post(`${url}/model/predict?user_id=1`);
    const top = (json['predictions'] as Prediction[])[0]!;
    expect(top.title).toMatch(/\(\d{4}\)$/);
  });

  it("with exclude_seen leaves out exactly the user's items in the file", async () => {
    expect(model.expected.trainer_wrote_seen).toBe(true);
    const n = model.expected.items.length;
    let heldOutCount = 0;
    for (const user of users()) {
      const { seen, held_out: heldOut } = model.expected.users[user]!;
      const { status, json } = await post(
        `${url}/model/predict?user_id=${user}&num_results=${n}&exclude_seen=true`,
      );
      expect(status).toBe(200);
      const predictions = json['predictions'] as Prediction[];
      const items = new Set(predictions.map((p) => p.item));
      expect(items.size).toBe(n - seen.length);
      expect(seen.filter((item) => items.has(item))).toEqual([]);
      // The held-out items (test, and validation unless refit) were not trained
      // on, but the user has them all the same.
      heldOutCount += heldOut.length;
      expect(heldOut.filter((item) => items.has(item))).toEqual([]);
      expect(heldOut.every((item) => seen.includes(item))).toBe(true);
      expectTrainerRanking(predictions, user, n, new Set(seen));
    }
    expect(heldOutCount).toBeGreaterThan(0);
  });

  it('keeps exclude_seen off by default, as the original', async () => {
    const user = users()[0]!;
    const { json } = await post(`${url}/model/predict`, {
      user_id: user,
      num_results: model.expected.items.length,
      exclude_seen: false,
    });
    const items = (json['predictions'] as Prediction[]).map((p) => p.item);
    expect(items).toHaveLength(model.expected.items.length);
  });
});

describe('bad input gets 400 and a message', () => {
  const user = '1';
  it.each([
    ['an unknown user', `?user_id=nobody`, /unknown user_id "nobody"/],
    ['no user_id', ``, /user_id is required/],
    ['an empty user_id', `?user_id=`, /user_id must NOT have fewer/],
    [
      'num_results 0',
      `?user_id=${user}&num_results=0`,
      /num_results must be >= 1/,
    ],
    ['negative num_results', `?user_id=${user}&num_results=-3`, />= 1/],
    [
      'num_results not a number',
      `?user_id=${user}&num_results=ten`,
      /num_results must be integer/,
    ],
    ['fractional num_results', `?user_id=${user}&num_results=2.5`, /integer/],
    [
      'num_results above the limit',
      `?user_id=${user}&num_results=5001`,
      /num_results must be <= 5000/,
    ],
    [
      'exclude_seen not a boolean',
      `?user_id=${user}&exclude_seen=maybe`,
      /exclude_seen must be boolean/,
    ],
  ])('%s', async (_name, query, message) => {
    const { status, json } = await post(`${url}/model/predict${query}`);
    expect(status).toBe(400);
    expect(json).toEqual({
      status: 'error',
      message: expect.stringMatching(message),
    });
  });

  it.each([
    [
      'a body that is not JSON',
      'application/json',
      '{"user_id": 1,',
      /not valid JSON/,
    ],
    ['a JSON array', 'application/json', '["1"]', /JSON object or form fields/],
    ['plain text', 'text/plain', 'user_id=1', /JSON object or form fields/],
    [
      'an unknown content type',
      'application/xml',
      '<user_id>1</user_id>',
      /form fields or a JSON body/,
    ],
    [
      'a bad JSON field',
      'application/json',
      '{"user_id": "1", "num_results": 0}',
      />= 1/,
    ],
  ])('%s', async (_name, type, body, message) => {
    const response = await fetch(`${url}/model/predict`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      status: 'error',
      message: expect.stringMatching(message),
    });
  });

  it('counts an empty JSON body as none: the query is used', async () => {
    const response = await fetch(`${url}/model/predict?user_id=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
  });
});

describe('POST /model/predict/batch', () => {
  it('answers each user, with an error entry for unknown ones', async () => {
    const [a, b] = users();
    const { status, json } = await post(`${url}/model/predict/batch`, {
      user_ids: [a, 'nobody', b],
      num_results: 4,
      exclude_seen: true,
    });
    expect(status).toBe(200);
    const results = json['results'] as {
      user: string;
      status: string;
      predictions?: Prediction[];
      message?: string;
    }[];
    expect(results.map((r) => [r.user, r.status])).toEqual([
      [a, 'ok'],
      ['nobody', 'error'],
      [b, 'ok'],
    ]);
    expect(results[1]!.message).toMatch(/unknown user_id "nobody"/);
    for (const r of [results[0]!, results[2]!]) {
      const seen = new Set(model.expected.users[r.user]!.seen);
      expectTrainerRanking(r.predictions!, r.user, 4, seen);
    }
  });

  it('scores many users, a few per run, as the trainer does', async () => {
    const all = users();
    // More users than one run takes, some asked twice, one unknown; the
    // shared server has some of them cached by now, this one none.
    const asked = [...all, 'nobody', ...all.slice(0, 3), all[0]!];
    const uncached = await listen({
      modelDir: model.modelDir,
      scoreCacheMiB: 0,
    });
    try {
      for (const server of [url, uncached.url]) {
        const { status, json } = await post(`${server}/model/predict/batch`, {
          user_ids: asked,
          num_results: 20,
        });
        expect(status).toBe(200);
        const results = json['results'] as {
          user: string;
          status: string;
          predictions?: Prediction[];
        }[];
        expect(results.map((r) => r.user)).toEqual(asked);
        for (const r of results) {
          expect(r.status).toBe(r.user === 'nobody' ? 'error' : 'ok');
          if (r.predictions) expectTrainerRanking(r.predictions, r.user, 20);
        }
      }
    } finally {
      await uncached.app.close();
    }
  });

  it.each([
    ['no user_ids', {}, /user_ids is required/],
    ['an empty list', { user_ids: [] }, /user_ids must NOT have fewer than 1/],
    ['an object for a list', { user_ids: { a: '1' } }, /must be array/],
    ['num_results 0', { user_ids: ['1'], num_results: 0 }, />= 1/],
    [
      'more than 100 users',
      { user_ids: Array.from({ length: 101 }, (_, i) => String(i)) },
      /user_ids must NOT have more than 100 items/,
    ],
    [
      'more than 10,000 predictions',
      {
        user_ids: Array.from({ length: 11 }, (_, i) => String(i)),
        num_results: 1000,
      },
      /asks for 11000 predictions .* at most 10000 a request/,
    ],
  ])('refuses %s with 400', async (_name, body, message) => {
    const { status, json } = await post(`${url}/model/predict/batch`, body);
    expect(status).toBe(400);
    expect(json['message']).toMatch(message);
  });
});
