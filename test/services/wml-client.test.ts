import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ExitCode, MaxrecError } from '../../src/core/errors.js';
import { IamTokenSource } from '../../src/services/ibm/iam-token.js';
import {
  runStatusOf,
  WmlClient,
  type CreateTrainingRequest,
  type TrainingState,
} from '../../src/services/ibm/wml-client.js';
import {
  startWmlContractServer,
  type WmlContractServer,
} from '../helpers/wml-contract-server.js';

const FAST = { retries: 2, minDelayMs: 1, maxDelayMs: 5 };
const SECRET = 'cos-secret-access-key-DO-NOT-LEAK-9876';
const ACCESS = 'cos-access-key-id-DO-NOT-LEAK-5432';

let server: WmlContractServer;
let tokens: IamTokenSource;
let client: WmlClient;
let dir: string;
let zip: string;
/** Every error a test saw, checked for secrets after each test. */
let seen: unknown[];

beforeEach(async () => {
  server = await startWmlContractServer();
  tokens = new IamTokenSource({
    apiKey: server.apiKey,
    iamUrl: server.iamUrl,
    retries: FAST,
  });
  client = newClient();
  dir = await mkdtemp(join(tmpdir(), 'maxrec-wml-'));
  zip = join(dir, 'code.zip');
  await writeFile(zip, Buffer.from('PK\u0003\u0004 pretend zip bytes'));
  seen = [];
});

afterEach(async () => {
  const issued = server.requests
    .map((r) => (r.headers.authorization ?? '').replace('Bearer ', ''))
    .filter(Boolean);
  for (const error of seen) {
    const text = `${String(error)} ${inspect(error, { depth: 10 })}`;
    for (const secret of [server.apiKey, SECRET, ACCESS, ...issued]) {
      expect(text).not.toContain(secret);
    }
  }
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function newClient(url = server.url): WmlClient {
  return new WmlClient({
    url,
    spaceId: server.spaceId,
    version: '2023-05-02',
    tokens,
    retries: FAST,
  });
}

async function failure(promise: Promise<unknown>): Promise<MaxrecError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  seen.push(error);
  expect(error).toBeInstanceOf(MaxrecError);
  return error as MaxrecError;
}

const connection = {
  endpoint_url: 'https://s3.us-south.cloud-object-storage.appdomain.cloud',
  access_key_id: ACCESS,
  secret_access_key: SECRET,
};

async function request(): Promise<CreateTrainingRequest> {
  const id = await client.createModelDefinition({
    name: 'maxrec code',
    command: './train-max-model.sh',
  });
  await client.uploadModelDefinitionCode(id, zip);
  return {
    name: 'maxrec run',
    modelDefinitionId: id,
    command: 'chmod +x *.sh && ./train-max-model.sh',
    hardwareSpec: { name: 'K80', nodes: 1 },
    softwareSpec: { name: 'runtime-23.1-py3.10' },
    dataConnection: connection,
    dataBucket: 'data',
    dataPath: 'ratings',
    resultsBucket: 'results',
    resultsPath: 'runs',
  };
}

async function startTraining(): Promise<string> {
  return client.createTraining(await request());
}

describe('WmlClient against the v4 contract', () => {
  it('creates a model definition and uploads the code as octet-stream', async () => {
    const id = await client.createModelDefinition({
      name: 'maxrec code',
      command: './train-max-model.sh',
    });
    await client.uploadModelDefinitionCode(id, zip);
    const [create] = server.requestsTo('POST', '/ml/v4/model_definitions');
    expect(create!.query).toEqual({ version: '2023-05-02' });
    expect(create!.body).toEqual({
      name: 'maxrec code',
      space_id: server.spaceId,
      version: '1.0',
      platform: { name: 'python', versions: ['3.11'] },
      command: './train-max-model.sh',
    });
    const [put] = server.requestsTo('PUT', `/ml/v4/model_definitions/${id}`);
    expect(put!.path).toBe(`/ml/v4/model_definitions/${id}/model`);
    expect(put!.query).toEqual({
      version: '2023-05-02',
      space_id: server.spaceId,
    });
    expect(put!.headers['content-type']).toBe('application/octet-stream');
    expect(server.modelDefinitions.get(id)!.code).toEqual(
      Buffer.from('PK\u0003\u0004 pretend zip bytes'),
    );
  });

  it('sends the documented training body, field by field', async () => {
    const training = await request();
    const id = await client.createTraining(training);
    expect(server.trainings.has(id)).toBe(true);
    const [post] = server.requestsTo('POST', '/ml/v4/trainings');
    expect(post!.query).toEqual({ version: '2023-05-02' });
    expect(post!.headers.authorization).toMatch(/^Bearer tok-/);
    expect(post!.body).toEqual({
      name: 'maxrec run',
      space_id: server.spaceId,
      training_data_references: [
        {
          type: 's3',
          connection,
          location: { bucket: 'data', path: 'ratings' },
        },
      ],
      results_reference: {
        type: 's3',
        connection,
        location: { bucket: 'results', path: 'runs' },
      },
      model_definition: {
        id: training.modelDefinitionId,
        command: 'chmod +x *.sh && ./train-max-model.sh',
        hardware_spec: { name: 'K80', nodes: 1 },
        software_spec: { name: 'runtime-23.1-py3.10' },
        parameters: {},
      },
    });
  });

  it('leaves out an empty data path and a missing software spec', async () => {
    const { softwareSpec: _, ...training } = await request();
    await client.createTraining({ ...training, dataPath: '' });
    const [post] = server.requestsTo('POST', '/ml/v4/trainings');
    const body = post!.body as Record<string, Record<string, unknown>>;
    expect(body['training_data_references']).toEqual([
      { type: 's3', connection, location: { bucket: 'data' } },
    ]);
    expect(body['model_definition']).not.toHaveProperty('software_spec');
  });

  it('reports a refused body with exit 3, the service message and request id', async () => {
    const training = await request();
    const error = await failure(
      client.createTraining({
        ...training,
        hardwareSpec: { name: 'K80', nodes: 0 },
      }),
    );
    expect(error.exitCode).toBe(ExitCode.configuration);
    expect(error.message).toMatch(
      /hardware_spec\.nodes must be a positive integer \(invalid_request_entity\)/,
    );
    const [post] = server.requestsTo('POST', '/ml/v4/trainings');
    expect(error.message).toContain(`HTTP 400`);
    expect(post!.status).toBe(400);
    expect(error.message).toMatch(/request id [0-9a-f-]{36}/);
  });

  it('does not retry a 500 on create, so no second training starts', async () => {
    const training = await request();
    server.failNext('POST', '/ml/v4/trainings', 500, {
      trace: 'trace-500-abc',
      errors: [{ code: 'internal_error', message: 'Cluster hiccup' }],
      status_code: 500,
    });
    const error = await failure(client.createTraining(training));
    expect(server.requestsTo('POST', '/ml/v4/trainings')).toHaveLength(1);
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.message).toContain('Cluster hiccup (internal_error)');
    expect(error.message).toContain('request id trace-500-abc');
  });

  it('retries a 503 on create', async () => {
    const training = await request();
    server.failNext('POST', '/ml/v4/trainings', 503);
    const id = await client.createTraining(training);
    expect(server.requestsTo('POST', '/ml/v4/trainings')).toHaveLength(2);
    expect(server.trainings.size).toBe(1);
    expect(server.trainings.has(id)).toBe(true);
  });

  it('does not retry a create whose connection dropped mid-request', async () => {
    const training = await request();
    server.failNext('POST', '/ml/v4/trainings', 0);
    const error = await failure(client.createTraining(training));
    expect(server.requestsTo('POST', '/ml/v4/trainings')).toHaveLength(1);
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.message).toMatch(/may have happened anyway/);
  });

  it('retries a 500 and a dropped connection on GET', async () => {
    const id = await startTraining();
    server.failNext('GET', `/ml/v4/trainings/${id}`, 500);
    server.failNext('GET', `/ml/v4/trainings/${id}`, 0);
    await expect(client.getTraining(id)).resolves.toMatchObject({ id });
    expect(server.requestsTo('GET', '/ml/v4/trainings')).toHaveLength(3);
  });

  it('gives up on GET after the retries, exit 2, with the service message', async () => {
    const id = await startTraining();
    for (let i = 0; i < 3; i++) {
      server.failNext('GET', `/ml/v4/trainings/${id}`, 502);
    }
    const error = await failure(client.getTraining(id));
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.message).toMatch(/Injected\. \(injected_fault\)/);
    expect(server.requestsTo('GET', '/ml/v4/trainings')).toHaveLength(3);
  });

  it('gets a new token once after a 401 and succeeds', async () => {
    const id = await startTraining();
    server.revokeTokens();
    await expect(client.getTraining(id)).resolves.toMatchObject({ id });
    expect(server.requestsTo('POST', '/identity/token')).toHaveLength(2);
    const gets = server.requestsTo('GET', '/ml/v4/trainings');
    expect(gets.map((r) => r.status)).toEqual([401, 200]);
  });

  it('stops after one new token when the service keeps answering 401', async () => {
    const id = await startTraining();
    server.failNext('GET', '/ml/v4/trainings', 401);
    server.failNext('GET', '/ml/v4/trainings', 401);
    const error = await failure(client.getTraining(id));
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.hint).toMatch(/ML_APIKEY/);
    expect(server.requestsTo('POST', '/identity/token')).toHaveLength(2);
  });

  it('answers exit 1 for an unknown training id', async () => {
    const error = await failure(client.getTraining('no-such-run'));
    expect(error.exitCode).toBe(ExitCode.invocation);
    expect(error.message).toMatch(/no training no-such-run in this space/);
  });

  it('follows the states the service reports, with the results location', async () => {
    const id = await startTraining();
    server.script(id, ['queued', 'running', 'storing', 'completed']);
    const seenStates: TrainingState[] = [];
    for (let i = 0; i < 4; i++) seenStates.push(await client.getTraining(id));
    expect(seenStates.map((s) => runStatusOf(s).status)).toEqual([
      'pending',
      'running',
      'running',
      'completed',
    ]);
    const done = seenStates[3]!;
    expect(done.runningAt).toBeDefined();
    expect(done.completedAt).toBeDefined();
    expect(done.resultsLocation).toEqual({
      bucket: 'results',
      path: 'runs',
      training: `runs/${id}`,
      logs: `runs/${id}`,
      model: `runs/${id}/model`,
    });
  });

  it('shows a failed run with the failure message as it is', async () => {
    const id = await startTraining();
    const message = 'Training process exited with code 4: bad ratings file';
    server.advance(id, 'failed', { failure: { code: 'user_error', message } });
    const training = await client.getTraining(id);
    expect(training.failure).toEqual({ code: 'user_error', message });
    expect(runStatusOf(training)).toEqual({
      status: 'failed',
      reason: message,
    });
  });

  it('cancels a running training with DELETE', async () => {
    const id = await startTraining();
    server.advance(id, 'running');
    await expect(client.cancelTraining(id)).resolves.toEqual({
      alreadyEnded: false,
    });
    const [del] = server.requestsTo('DELETE', `/ml/v4/trainings/${id}`);
    expect(del!.query).toEqual({
      version: '2023-05-02',
      space_id: server.spaceId,
    });
    const training = await client.getTraining(id);
    expect(training.state).toBe('canceled');
    expect(runStatusOf(training).status).toBe('cancelled');
  });

  it('takes "already completed" as done and hard-deletes only when asked', async () => {
    const id = await startTraining();
    server.advance(id, 'completed');
    await expect(client.cancelTraining(id)).resolves.toEqual({
      alreadyEnded: true,
    });
    expect((await client.getTraining(id)).state).toBe('completed');
    await client.cancelTraining(id, { hardDelete: true });
    const dels = server.requestsTo('DELETE', `/ml/v4/trainings/${id}`);
    expect(dels.map((r) => [r.query['hard_delete'], r.status])).toEqual([
      [undefined, 400],
      ['true', 204],
    ]);
    const error = await failure(client.getTraining(id));
    expect(error.exitCode).toBe(ExitCode.invocation);
  });

  it('redacts COS keys the service echoes back in an error', async () => {
    const training = await request();
    server.failNext('POST', '/ml/v4/trainings', 400, {
      trace: 't-1',
      errors: [
        { code: 'bad_conn', message: `Bad key ${SECRET} for ${ACCESS}` },
      ],
      status_code: 400,
    });
    const error = await failure(client.createTraining(training));
    expect(error.message).toContain('Bad key …9876 for …5432');
  });

  it('names the host when WML cannot be reached, exit 2', async () => {
    await tokens.token();
    const dead = newClient('http://127.0.0.1:9');
    const error = await failure(dead.getTraining('any'));
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.message).toContain('127.0.0.1:9');
  });

  it('stops when the signal aborts, between retries too', async () => {
    const id = await startTraining();
    const controller = new AbortController();
    server.failNext('GET', '/ml/v4/trainings', 503);
    const slow = new WmlClient({
      url: server.url,
      spaceId: server.spaceId,
      tokens,
      retries: { retries: 2, minDelayMs: 10_000, maxDelayMs: 10_000 },
    });
    const pending = slow.getTraining(id, controller.signal);
    await expect.poll(() => server.requestsTo('GET', '/ml').length).toBe(1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses a space id together with a project id', () => {
    const both = () =>
      new WmlClient({ url: server.url, spaceId: 's', projectId: 'p', tokens });
    expect(both).toThrow(/exactly one of a space id or a project id/);
  });

  it('hands a created training to a runner, which drives its state', async () => {
    let code: Buffer | undefined;
    server.runner = async (run) => {
      code = run.code;
      run.setState('storing');
      await new Promise((resolve) => setImmediate(resolve));
    };
    const id = await startTraining();
    await expect
      .poll(async () => (await client.getTraining(id)).state)
      .toBe('completed');
    expect(code?.toString()).toContain('pretend zip bytes');
    server.runner = () => Promise.reject(new Error('epoch 3: NaN loss'));
    const failed = await startTraining();
    await expect
      .poll(async () => runStatusOf(await client.getTraining(failed)))
      .toEqual({ status: 'failed', reason: 'epoch 3: NaN loss' });
  });
});

describe('runStatusOf', () => {
  it.each([
    ['queued', 'pending'],
    ['pending', 'pending'],
    ['running', 'running'],
    ['storing', 'running'],
    ['completed', 'completed'],
    ['failed', 'failed'],
    ['error', 'failed'],
    ['canceled', 'cancelled'],
  ] as const)('maps %s to %s', (state, status) => {
    expect(runStatusOf({ state }).status).toBe(status);
  });

  it('falls back on the status message, then a plain reason', () => {
    expect(runStatusOf({ state: 'error', message: 'node lost' })).toEqual({
      status: 'failed',
      reason: 'node lost',
    });
    expect(runStatusOf({ state: 'failed' }).reason).toMatch(/without a reason/);
  });
});
