/**
 * Shared setup for the WmlClient tests: a fresh contract server, token
 * source, client and zip of code for each test, and a check after each
 * that no error a test saw shows the API key, the COS keys or a token.
 * Call `setupWmlClientTests()` at the top of a test file; `server`,
 * `tokens`, `client` and `zip` are live bindings, new in every test.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';

import { afterEach, beforeEach, expect } from 'vitest';

import { MaxrecError } from '../../src/core/errors.js';
import { IamTokenSource } from '../../src/services/ibm/iam-token.js';
import {
  WmlClient,
  type CreateTrainingRequest,
} from '../../src/services/ibm/wml-client.js';
import {
  startWmlContractServer,
  type WmlContractServer,
} from './wml-contract-server.js';

const FAST = { retries: 2, minDelayMs: 1, maxDelayMs: 5 };
export const SECRET = 'cos-secret-access-key-DO-NOT-LEAK-9876';
export const ACCESS = 'cos-access-key-id-DO-NOT-LEAK-5432';

export let server: WmlContractServer;
export let tokens: IamTokenSource;
export let client: WmlClient;
let dir: string;
export let zip: string;
/** Every error a test saw, checked for secrets after each test. */
let seen: unknown[];

export function setupWmlClientTests(): void {
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
}

export function newClient(url = server.url): WmlClient {
  return new WmlClient({
    url,
    spaceId: server.spaceId,
    version: '2023-05-02',
    tokens,
    retries: FAST,
  });
}

export async function failure(promise: Promise<unknown>): Promise<MaxrecError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  seen.push(error);
  expect(error).toBeInstanceOf(MaxrecError);
  return error as MaxrecError;
}

export const connection = {
  endpoint_url: 'https://s3.us-south.cloud-object-storage.appdomain.cloud',
  access_key_id: ACCESS,
  secret_access_key: SECRET,
};

export async function request(): Promise<CreateTrainingRequest> {
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

export async function startTraining(): Promise<string> {
  return client.createTraining(await request());
}
