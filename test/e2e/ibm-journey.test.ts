/**
 * The whole journey on the ibm backend, as a script runs it: `maxrec setup
 * --backend ibm`, then `maxrec train CONFIG package`, against the WML
 * contract server (test/helpers/wml-contract-server.ts) and a real S3
 * server (OpenStack Swift's s3api). The contract server's runner plays the
 * training service: it reads the data bucket with the keys the client
 * posted, runs the uploaded code and writes the results bucket.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/services/config/config-file.js';
import type { IbmBackend } from '../../src/services/ibm/ibm-backend.js';
import { openIbmBackend } from '../../src/services/ibm/open-ibm.js';
import {
  collect,
  repoRoot,
  runCli,
  startCli,
  waitForOutput,
  type Workspace,
} from '../helpers/cli.js';
import { s3Server, type S3TestServer } from '../helpers/s3-server.js';
import {
  startWmlContractServer,
  type WmlContractServer,
} from '../helpers/wml-contract-server.js';
import { s3TrainingRunner } from '../helpers/wml-s3-runner.js';
import { makeIbmWorkspace, trainingId } from '../helpers/ibm-workspace.js';

const PYTHON = path.join(repoRoot, '.venv/bin/python');
let s3: S3TestServer;
let wml: WmlContractServer;

beforeAll(async () => {
  s3 = await s3Server();
  wml = await startWmlContractServer({
    runner: s3TrainingRunner({ python: PYTHON, region: s3.region }),
  });
}, 120_000);

afterAll(async () => {
  await wml?.close();
  await s3?.stop();
});

const ibmWorkspace = (epochs: number) => makeIbmWorkspace(s3, wml, epochs);

async function backendOf(ws: Workspace): Promise<IbmBackend> {
  const { settings } = await loadConfig(ws.configPath);
  return openIbmBackend(settings, ws.env);
}

describe('maxrec train CONFIG package on the ibm backend', () => {
  it('uploads, starts a WML training, monitors it, downloads and extracts', async () => {
    const ws = await ibmWorkspace(2);
    const result = await runCli(['train', ws.configPath, 'package'], {
      cwd: ws.dir,
      env: ws.env,
      timeoutMs: 300_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // Monitored from the results bucket while it ran: every epoch's line.
    expect(result.stdout).toMatch(/Epoch 1\//);
    expect(result.stdout).toMatch(/Epoch 2\//);
    // Then the refit, which has no validation: shown as its own phase.
    expect(result.stdout).toMatch(/Refit on training \+ validation, epoch 1\//);
    expect(result.stdout).toMatch(/Done\. The trained model is in/);
    const model = path.join(ws.dir, 'training_output/trained_model');
    expect(existsSync(path.join(model, 'model.onnx'))).toBe(true);
    const metrics = JSON.parse(
      readFileSync(path.join(model, 'metrics.json'), 'utf8'),
    ) as { epochs_run: number };
    expect(metrics.epochs_run).toBe(2);
    expect(
      readFileSync(
        path.join(ws.dir, 'training_output/training-log.txt'),
        'utf8',
      ),
    ).toMatch(/"event": ?"end"/);

    // What reached WML, in the documented shapes.
    const calls = wml.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(calls).toEqual(
      expect.arrayContaining([
        'POST /identity/token 200',
        'POST /ml/v4/model_definitions 201',
        expect.stringMatching(
          /^PUT \/ml\/v4\/model_definitions\/[^/]+\/model 20\d$/,
        ),
        'POST /ml/v4/trainings 201',
      ]),
    );
    const create = wml.requests.find(
      (r) => r.method === 'POST' && r.path === '/ml/v4/trainings',
    )!.body as {
      space_id: string;
      model_definition: unknown;
      training_data_references: unknown[];
    };
    expect(create.space_id).toBe(wml.spaceId);
    expect(create.model_definition).toMatchObject({
      command: 'chmod +x *.sh && ./train-max-model.sh',
      hardware_spec: { name: 'S', nodes: 1 },
    });
    expect(create.training_data_references[0]).toMatchObject({
      type: 's3',
      connection: { endpoint_url: s3.endpoint, access_key_id: s3.accessKeyId },
    });
    // No secret in the app's output.
    for (const secret of [wml.apiKey, s3.secretAccessKey]) {
      expect(result.stdout).not.toContain(secret);
    }
  }, 300_000);

  it('stops watching on Ctrl+C, then `package ID` resumes and finishes', async () => {
    const ws = await ibmWorkspace(3);
    const first = startCli(['train', ws.configPath, 'package'], {
      cwd: ws.dir,
      env: ws.env,
    });
    const seen = await waitForOutput(first, /Training id: \S+/);
    const id = trainingId(seen);
    first.kill('SIGINT');
    const detached = await collect(first);
    expect(detached.code).toBe(0);
    expect(detached.stdout).toContain(`package ${id}`);

    const resumed = await runCli(['train', ws.configPath, 'package', id], {
      cwd: ws.dir,
      env: ws.env,
      timeoutMs: 300_000,
    });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/Epoch 3\//);
    expect(
      existsSync(path.join(ws.dir, 'training_output/trained_model/model.onnx')),
    ).toBe(true);
  }, 300_000);

  it('a cancelled training ends the resumed command with exit 5', async () => {
    const ws = await ibmWorkspace(50);
    const first = startCli(['train', ws.configPath, 'package'], {
      cwd: ws.dir,
      env: ws.env,
    });
    const id = trainingId(await waitForOutput(first, /Training id: \S+/));
    // SIGTERM, as a service manager stops it: the same as Ctrl+C.
    first.kill('SIGTERM');
    const detached = await collect(first);
    expect(detached.code).toBe(0);
    expect(detached.stdout).toContain(`package ${id}`);
    const backend = await backendOf(ws);
    await backend.cancel(id);
    expect((await backend.status(id)).status).toBe('cancelled');
    const resumed = await runCli(['train', ws.configPath, 'package', id], {
      cwd: ws.dir,
      env: ws.env,
    });
    expect(resumed.code).toBe(5);
    expect(`${resumed.stdout}${resumed.stderr}`).toMatch(/cancelled/i);
  }, 300_000);

  it('a training that fails on WML shows the service message, exit 5', async () => {
    const ws = await ibmWorkspace(2);
    const runner = wml.runner;
    wml.runner = () => {
      throw new Error('The learner ran out of memory (learner-1).');
    };
    try {
      const result = await runCli(['train', ws.configPath, 'package'], {
        cwd: ws.dir,
        env: ws.env,
      });
      expect(result.code).toBe(5);
      expect(result.stderr).toContain('The learner ran out of memory');
    } finally {
      wml.runner = runner;
    }
  }, 300_000);
});

describe('WML refusing the training', () => {
  it('a 500 on create: the message and request id, exit 2, no definition left', async () => {
    const ws = await ibmWorkspace(1);
    const before = wml.modelDefinitions.size;
    wml.failNext('POST', '/ml/v4/trainings', 500);
    const result = await runCli(['train', ws.configPath, 'package'], {
      cwd: ws.dir,
      env: ws.env,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/request id/i);
    const deleted = wml.requests.filter(
      (r) =>
        r.method === 'DELETE' && r.path.startsWith('/ml/v4/model_definitions/'),
    );
    expect(deleted.at(-1)?.status).toBe(204);
    expect(wml.modelDefinitions.size).toBe(before);
  }, 120_000);
});

describe('refused before anything is uploaded', () => {
  it('a wrong API key: exit 2, the data bucket untouched, the key not shown', async () => {
    const ws = await ibmWorkspace(1);
    const wrongKey = 'wrong-api-key-0123456789abcdef';
    const result = await runCli(['train', ws.configPath, 'prepare'], {
      cwd: ws.dir,
      env: { ...ws.env, ML_APIKEY: wrongKey },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/API key/);
    expect(`${result.stdout}${result.stderr}`).not.toContain(wrongKey);
    const { settings } = await loadConfig(ws.configPath);
    const storage = (await backendOf(ws)).storage;
    // Not even created.
    await expect(storage.listObjects(settings.dataBucket!)).rejects.toThrow(
      /does not exist/,
    );
  }, 120_000);
});

describe('the data bucket: add, replace or use as it is', () => {
  it('prepare adds to it, replaces its contents, or checks the existing data', async () => {
    const ws = await ibmWorkspace(1);
    const { settings } = await loadConfig(ws.configPath);
    const storage = (await backendOf(ws)).storage;
    const bucket = settings.dataBucket!;
    await storage.ensureBucket(bucket);
    const stray = path.join(ws.dir, 'stray.csv');
    writeFileSync(stray, 'left,from,before\n');
    await storage.upload(stray, bucket, 'old', {});
    const keys = async () =>
      (await storage.listObjects(bucket)).map((o) => o.key).sort();
    const prepare = (mode: string) =>
      runCli(['setup', ws.configPath, '--data-upload', mode], {
        cwd: ws.dir,
        env: ws.env,
      }).then(() =>
        runCli(['train', ws.configPath, 'prepare'], {
          cwd: ws.dir,
          env: ws.env,
        }),
      );

    expect((await prepare('add')).code).toBe(0);
    expect(await keys()).toEqual(['data/ratings.csv', 'old/stray.csv']);

    const replaced = await prepare('replace');
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toMatch(/replacing the 2 objects that were under/);
    expect(await keys()).toEqual(['data/ratings.csv']);

    expect((await prepare('existing')).code).toBe(0);
    await storage.deleteObjects(bucket, ['data/ratings.csv']);
    const missing = await prepare('existing');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/has no data\/ratings\.csv/);
    expect(await keys()).toEqual([]);
  }, 120_000);
});
