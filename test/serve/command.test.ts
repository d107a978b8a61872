import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Output } from '../../src/cli/output.js';
import { serveCommand } from '../../src/serve/command.js';
import { post, trainedModel, type TrainedModel } from './fixture.js';

let model: TrainedModel;
let scratch: string;

beforeAll(async () => {
  model = await trainedModel();
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-serve-cmd-'));
}, 180_000);

afterAll(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

function recordingOutput() {
  const lines: string[] = [];
  const output: Output = {
    json: false,
    info: (text) => lines.push(text),
    record: (_type, _fields, text) => lines.push(text),
    progress: (text) => lines.push(text),
    error: (error) => lines.push(`error: ${String(error)}`),
    flush: () => {},
  };
  return { output, lines };
}

async function waitFor<T>(find: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('timed out waiting');
}

/** A copy of the trained model, with `change` applied to it. */
async function brokenCopy(
  name: string,
  change: (dir: string) => Promise<void>,
): Promise<string> {
  const dir = path.join(scratch, name);
  await fs.cp(model.modelDir, dir, { recursive: true });
  await change(dir);
  return dir;
}

describe('serveCommand', () => {
  it('serves until SIGTERM, printing where, then resolves 0', async () => {
    const { output, lines } = recordingOutput();
    const listenersBefore = process.listenerCount('SIGTERM');
    const exit = serveCommand({
      modelDir: model.modelDir,
      port: 0,
      titles: model.titlesFile,
      logRequests: true,
      output,
    });
    const url = await waitFor(
      () =>
        /Serving .* on (http:\/\/127\.0\.0\.1:\d+) /.exec(lines[0] ?? '')?.[1],
    );
    expect(lines[0]).toBe(
      `Serving ${model.modelDir} on ${url} (Swagger UI at ${url}/docs/)`.concat(
        `\nTry: curl -X POST '${url}/model/predict?user_id=USER&num_results=5'`,
      ),
    );
    const { status, json } = await post(`${url}/model/predict?user_id=1`);
    expect(status).toBe(200);
    expect(json['predictions']).toHaveLength(5);
    expect(lines).toContainEqual(
      expect.stringMatching(/^POST \/model\/predict\?user_id=1 200 /),
    );
    // What a `kill` or Ctrl+C delivers, without signalling the test runner.
    process.emit('SIGTERM');
    await expect(exit).resolves.toBe(0);
    expect(lines.at(-1)).toBe('Stopped serving.');
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
  });

  it('stops on its abort signal', async () => {
    const { output, lines } = recordingOutput();
    const controller = new AbortController();
    const exit = serveCommand({
      modelDir: model.modelDir,
      port: 0,
      output,
      signal: controller.signal,
    });
    await waitFor(() => lines[0]);
    controller.abort();
    await expect(exit).resolves.toBe(0);
  });

  it.each([
    ['a missing folder', async () => path.join(scratch, 'nothing-here')],
    [
      'a file, not a folder',
      async () => {
        const file = path.join(scratch, 'a-file');
        await fs.writeFile(file, 'x');
        return file;
      },
    ],
    [
      'no model.onnx',
      () => brokenCopy('no-onnx', (dir) => fs.rm(path.join(dir, 'model.onnx'))),
    ],
    [
      'a model.onnx that is not one',
      () =>
        brokenCopy('bad-onnx', (dir) =>
          fs.writeFile(path.join(dir, 'model.onnx'), 'not a model'),
        ),
    ],
    [
      'users.json not JSON',
      () =>
        brokenCopy('bad-users', (dir) =>
          fs.writeFile(path.join(dir, 'users.json'), '{"1": 0,'),
        ),
    ],
    [
      'a truncated seen_items.bin',
      () =>
        brokenCopy('bad-seen', async (dir) => {
          const file = path.join(dir, 'seen_items.bin');
          await fs.truncate(file, 100);
        }),
    ],
    [
      'metrics.json not JSON',
      () =>
        brokenCopy('bad-metrics', (dir) =>
          fs.writeFile(path.join(dir, 'metrics.json'), 'nope'),
        ),
    ],
  ])('refuses to start on %s: exit 3', async (_name, makeDir) => {
    const modelDir = await makeDir();
    const { output } = recordingOutput();
    const error = await serveCommand({ modelDir, port: 0, output }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      exitCode: 3,
      message: expect.stringContaining(
        `Cannot use the model in ${modelDir}`,
      ) as string,
      hint: expect.stringContaining('trained_model') as string,
    });
  });

  it('refuses a port in use: exit 2, naming --port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) =>
      blocker.listen(0, '127.0.0.1', resolve),
    );
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const { output } = recordingOutput();
      const listenersBefore = process.listenerCount('SIGINT');
      await expect(
        serveCommand({ modelDir: model.modelDir, port, output }),
      ).rejects.toMatchObject({
        exitCode: 2,
        hint: expect.stringContaining('--port') as string,
      });
      expect(process.listenerCount('SIGINT')).toBe(listenersBefore);
    } finally {
      blocker.close();
    }
  });

  it('refuses a --host that is not this machine: exit 1, naming --host', async () => {
    const { output } = recordingOutput();
    await expect(
      // TEST-NET-1 (RFC 5737): an address no machine here has.
      serveCommand({
        modelDir: model.modelDir,
        host: '192.0.2.1',
        port: 0,
        output,
      }),
    ).rejects.toMatchObject({
      exitCode: 1,
      hint: expect.stringContaining('--host 127.0.0.1') as string,
    });
  });
});

/** The Dockerfile's command: `node bin/maxrec.js serve DIR --host --port`. */
describe('the Dockerfile command', () => {
  it('serves, then exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        'bin/maxrec.js',
        'serve',
        model.modelDir,
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    await waitFor(() => (stdout.includes('Serving') ? true : undefined));
    const { status } = await post(
      `http://127.0.0.1:${port}/model/predict?user_id=1&num_results=3`,
    );
    expect(status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
