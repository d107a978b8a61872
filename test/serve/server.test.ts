import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, post, trainedModel, type TrainedModel } from './fixture.js';

let model: TrainedModel;
let app: FastifyInstance;
let url: string;
const logLines: string[] = [];

beforeAll(async () => {
  model = await trainedModel();
  ({ app, url } = await listen({
    modelDir: model.modelDir,
    logRequests: true,
    requestLog: (line) => logLines.push(line),
  }));
}, 180_000);

afterAll(async () => {
  await app?.close();
});

async function get(pathname: string) {
  const response = await fetch(`${url}${pathname}`, { redirect: 'manual' });
  return response;
}

describe('the other endpoints', () => {
  it("GET /model/metadata: the original's fields, parameters, metrics", async () => {
    const response = await get('/model/metadata');
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      id: 'ncf',
      name: 'MAX Recommender',
      type: 'recommendation',
      license: 'Apache V2',
      users: 20,
      items: model.expected.items.length,
      // Whether predict can leave them out, and what it does by default.
      exclude_seen_available: true,
      exclude_seen_default: false,
      parameters: { model: 'NeuMF', epochs: 2 },
      metrics: { users: 20, epochs_run: 2 },
    });
    expect(metadata).not.toHaveProperty('exclude_seen');
    expect(metadata['description']).toEqual(expect.any(String));
    expect(metadata['source']).toMatch(/^https:\/\//);
    const metrics = metadata['metrics'] as Record<string, unknown>;
    expect(metrics['hit_rate_at_10']).toEqual(expect.any(Number));
    expect(metrics['protocol']).toEqual(expect.any(String));
  });

  it('GET /health', async () => {
    const response = await get('/health');
    expect(await response.json()).toMatchObject({
      status: 'ok',
      users: 20,
      items: model.expected.items.length,
      uptime_seconds: expect.any(Number) as number,
    });
  });

  it('serves the OpenAPI document at /swagger.json', async () => {
    const doc = (await (await get('/swagger.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/health',
      '/model/metadata',
      '/model/predict',
      '/model/predict/batch',
    ]);
    // Documented as the original: query parameters, user_id required.
    const predict = doc.paths['/model/predict']!['post']!;
    expect(predict['requestBody']).toBeUndefined();
    expect(predict['parameters']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'user_id', required: true }),
        expect.objectContaining({ name: 'num_results', required: false }),
      ]),
    );
  });

  it('serves Swagger UI from the npm package, / redirecting to it', async () => {
    const root = await get('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/docs/');
    const page = await get('/docs/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
    const bundle = await get('/docs/static/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    // Read to the end, so the connection is idle when the server closes.
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it('answers unknown paths with 404 in the same shape', async () => {
    const response = await get('/model/nothing');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      status: 'error',
      message: expect.stringContaining('/model/nothing') as string,
    });
  });

  it('answers a known path asked with the wrong method with 405 and Allow', async () => {
    const response = await get('/model/predict?user_id=1');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toEqual({
      status: 'error',
      message: expect.stringMatching(
        /\/model\/predict does not take GET; send POST/,
      ) as string,
    });
    const metadata = await fetch(`${url}/model/metadata`, { method: 'POST' });
    expect(metadata.status).toBe(405);
    expect(metadata.headers.get('allow')).toBe('GET, HEAD');
    await metadata.arrayBuffer();
  });

  it('says in the OpenAPI document that predict keeps seen items by default', async () => {
    const doc = (await (await get('/swagger.json')).json()) as {
      info: { description: string };
      paths: Record<string, Record<string, { description?: string }>>;
    };
    const differs = /included unless exclude_seen is true.*maxrec recommend/;
    expect(doc.info.description).toMatch(differs);
    expect(doc.paths['/model/predict']!['post']!.description).toMatch(differs);
    expect(doc.paths['/model/predict/batch']!['post']!.description).toMatch(
      differs,
    );
  });

  it('logs one line per request when asked', async () => {
    await get('/health?from=log-test');
    expect(logLines).toContainEqual(
      expect.stringMatching(/^GET \/health\?from=log-test 200 [\d.]+ms$/),
    );
  });
});

describe('under load', () => {
  it('answers 200 requests sent at once, each correctly', async () => {
    const users = Object.keys(model.expected.users);
    const asked = Array.from(
      { length: 200 },
      (_, i) => users[i % users.length]!,
    );
    const answers = await Promise.all(
      asked.map((user) =>
        post(`${url}/model/predict?user_id=${user}&num_results=10`),
      ),
    );
    answers.forEach(({ status, json }, i) => {
      expect(status).toBe(200);
      const user = asked[i]!;
      const best = Math.max(...model.expected.users[user]!.scores);
      const predictions = json['predictions'] as {
        user: string;
        item: string;
        prediction: number;
      }[];
      expect(predictions).toHaveLength(10);
      expect(predictions.every((p) => p.user === user)).toBe(true);
      expect(predictions[0]!.prediction).toBeCloseTo(best, 5);
    });
  });
});

describe('a model trained without seen_items.bin', () => {
  it('refuses exclude_seen with 400, and serves the rest', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-noseen-'));
    for (const name of ['model.onnx', 'users.json', 'items.json']) {
      await fs.copyFile(
        path.join(model.modelDir, name),
        path.join(folder, name),
      );
    }
    const old = await listen({ modelDir: folder });
    try {
      const refused = await post(
        `${old.url}/model/predict?user_id=1&exclude_seen=true`,
      );
      expect(refused).toEqual({
        status: 400,
        json: {
          status: 'error',
          message: expect.stringMatching(
            /exclude_seen is not available.*seen_items\.bin/,
          ) as string,
        },
      });
      const batch = await post(`${old.url}/model/predict/batch`, {
        user_ids: ['1'],
        exclude_seen: true,
      });
      expect(batch.status).toBe(400);
      expect((await post(`${old.url}/model/predict?user_id=1`)).status).toBe(
        200,
      );
      const metadata = await (await fetch(`${old.url}/model/metadata`)).json();
      expect(metadata).toMatchObject({
        exclude_seen_available: false,
        exclude_seen_default: false,
        parameters: {},
        metrics: {},
      });
    } finally {
      await old.app.close();
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});

describe('user_scores.onnx', () => {
  /** A copy of the trained model folder, without the files `leaveOut`. */
  async function copyModel(...leaveOut: string[]): Promise<string> {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-copy-'));
    for (const name of await fs.readdir(model.modelDir)) {
      if (leaveOut.includes(name)) continue;
      await fs.copyFile(
        path.join(model.modelDir, name),
        path.join(folder, name),
      );
    }
    return folder;
  }

  it("serves the trainer's scores from model.onnx in a folder without it", async () => {
    expect(await fs.readdir(model.modelDir)).toContain('user_scores.onnx');
    const folder = await copyModel('user_scores.onnx');
    const old = await listen({
      modelDir: folder,
      scoreCacheMiB: 0,
      maxResults: 5000,
    });
    try {
      const n = model.expected.items.length;
      for (const user of Object.keys(model.expected.users).slice(0, 4)) {
        const { status, json } = await post(
          `${old.url}/model/predict?user_id=${user}&num_results=${n}`,
        );
        expect(status).toBe(200);
        const predictions = json['predictions'] as {
          item: string;
          prediction: number;
        }[];
        expect(predictions).toHaveLength(n);
        for (const p of predictions) {
          expect(p.prediction).toBeCloseTo(model.scoreOf(user, p.item), 5);
        }
      }
    } finally {
      await old.app.close();
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  it('stops start-up with exit 3 when corrupt or not this model', async () => {
    // Without seen_items.bin, which would not fit the shortened items.json.
    const folder = await copyModel('user_scores.onnx', 'seen_items.bin');
    try {
      await fs.writeFile(path.join(folder, 'user_scores.onnx'), 'not onnx');
      await expect(listen({ modelDir: folder })).rejects.toMatchObject({
        exitCode: 3,
        message: expect.stringMatching(
          /user_scores\.onnx cannot be loaded/,
        ) as string,
      });
      // Another model's file: here, one scoring an item more than items.json has.
      await fs.copyFile(
        path.join(model.modelDir, 'user_scores.onnx'),
        path.join(folder, 'user_scores.onnx'),
      );
      const items = JSON.parse(
        await fs.readFile(path.join(folder, 'items.json'), 'utf8'),
      ) as Record<string, number>;
      const last = model.expected.items.at(-1)!;
      delete items[last];
      await fs.writeFile(
        path.join(folder, 'items.json'),
        JSON.stringify(items),
      );
      await expect(listen({ modelDir: folder })).rejects.toMatchObject({
        exitCode: 3,
        message: expect.stringMatching(
          /user_scores\.onnx returned \d+ scores for 2 users/,
        ) as string,
      });
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});

describe('closing', () => {
  it('lets a request in flight finish, then refuses new ones', async () => {
    const closing = await listen({ modelDir: model.modelDir });
    const { port } = new URL(closing.url);
    const body = JSON.stringify({ user_ids: ['1', '2'], num_results: 3 });
    const socket = net.connect(Number(port), '127.0.0.1');
    const answer = new Promise<string>((resolve, reject) => {
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    // Headers and half the body: the server is now reading a request.
    socket.write(
      'POST /model/predict/batch HTTP/1.1\r\nHost: localhost\r\n' +
        'Content-Type: application/json\r\nConnection: close\r\n' +
        `Content-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closed = closing.app.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(fetch(`${closing.url}/health`)).rejects.toThrow();
    socket.write(body.slice(10));
    const response = await answer;
    await closed;
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    const json = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
    expect(json.results.map((r: { status: string }) => r.status)).toEqual([
      'ok',
      'ok',
    ]);
  });

  it('drops a client that stops reading once the grace period is over', async () => {
    const closing = await listen({
      modelDir: model.modelDir,
      closeGraceMs: 300,
    });
    const { port } = new URL(closing.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    const ended = new Promise<void>((resolve) => socket.on('close', resolve));
    // Twenty pipelined requests for a 1 MB file, none of them read: more
    // than the socket buffers hold, so a response stays unfinished.
    socket.pause();
    socket.write(
      'GET /docs/static/swagger-ui-bundle.js HTTP/1.1\r\nHost: localhost\r\n\r\n'.repeat(
        20,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await closing.app.close();
    socket.resume();
    await ended;
  });
});
