/**
 * IbmPlatformClient against the platform contract server: instances and
 * spaces over several pages, HMAC credentials, and the errors a user sees
 * (exit code, the service's message and request id, never a token).
 */
import { inspect } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MaxrecError } from '../../src/core/errors.js';
import { IamTokenSource } from '../../src/services/ibm/iam-token.js';
import {
  dataPlatformUrlFor,
  IbmPlatformClient,
  RESOURCE_IDS,
} from '../../src/services/ibm/ibm-platform.js';
import {
  contractInstance,
  startIbmPlatformContract,
  type IbmPlatformContractServer,
} from '../helpers/ibm-platform-contract.js';

const FAST = { retries: 2, minDelayMs: 1, maxDelayMs: 5 };
let server: IbmPlatformContractServer;
let client: IbmPlatformClient;

beforeEach(async () => {
  server = await startIbmPlatformContract();
  client = new IbmPlatformClient({
    tokens: new IamTokenSource({
      apiKey: server.apiKey,
      iamUrl: server.iamUrl,
      retries: FAST,
    }),
    resourceControllerUrl: server.resourceControllerUrl,
    dataPlatformUrl: server.dataPlatformUrl,
    retries: FAST,
  });
});

afterEach(() => server.close());

async function failure(promise: Promise<unknown>): Promise<MaxrecError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MaxrecError);
  const text = `${String(error)} ${inspect(error, { depth: 10 })}`;
  const issued = server.requests.map((r) =>
    (r.headers.authorization ?? '').replace('Bearer ', ''),
  );
  for (const secret of [server.apiKey, ...issued.filter(Boolean)]) {
    expect(text).not.toContain(secret);
  }
  return error as MaxrecError;
}

describe('listing instances', () => {
  it('follows next_url over pages and keeps only the asked service', async () => {
    const wml = ['wml-a', 'wml-b', 'wml-c'].map((n) =>
      contractInstance('wml', n),
    );
    server.instances = [...wml, contractInstance('cos', 'cos-a')];

    const instances = await client.listInstances('wml');

    expect(instances.map((i) => i.name)).toEqual(['wml-a', 'wml-b', 'wml-c']);
    expect(instances[0]).toEqual({
      kind: 'wml',
      name: 'wml-a',
      guid: wml[0]!['guid'],
      crn: wml[0]!['crn'],
      region: 'us-south',
      state: 'active',
      resourceGroupId: 'rg-0be5ad401ae913d8',
    });
    const pages = server.requestsTo('GET', '/v2/resource_instances');
    expect(pages).toHaveLength(2);
    for (const page of pages) {
      expect(page.query['resource_id']).toBe(RESOURCE_IDS.wml);
    }
    expect(pages[0]!.query['start']).toBeUndefined();
    expect(pages[1]!.query['start']).toBeTruthy();
  });

  it('asks for COS by its own catalog id', async () => {
    server.instances = [contractInstance('cos', 'bucket-store')];
    const [cos] = await client.listInstances('cos');
    expect(cos).toMatchObject({ kind: 'cos', region: 'global' });
    const [request] = server.requestsTo('GET', '/v2/resource_instances');
    expect(request!.query['resource_id']).toBe(
      'dff97f5c-bc5e-4455-b470-411c3edbe49c',
    );
  });

  it('a 403 is exit 2 with the service message and request id', async () => {
    server.failNext('GET', '/v2/resource_instances', 403);
    const error = await failure(client.listInstances('wml'));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/Could not list the WML instances/);
    expect(error.message).toMatch(/Injected fault\. \(RC-IamErrorResponse\)/);
    expect(error.message).toMatch(/HTTP 403, request id bss-/);
    expect(error.hint).toMatch(/ML_APIKEY/);
    expect(server.requestsTo('GET', '/v2/resource_instances')).toHaveLength(1);
  });

  it('gets a new token after a 401 and retries a 500', async () => {
    server.instances = [contractInstance('wml', 'w')];
    await client.listInstances('wml');
    server.revokeTokens();
    server.failNext('GET', '/v2/resource_instances', 500);
    expect(await client.listInstances('wml')).toHaveLength(1);
    expect(server.requestsTo('POST', '/identity/token')).toHaveLength(2);
  });
});

describe('listing spaces', () => {
  it('follows next.href by its start token, under a path prefix', async () => {
    server.spaces = [1, 2, 3, 4, 5].map((n) => ({
      id: `space-${n}`,
      name: `Space ${n}`,
    }));
    const spaces = await client.listSpaces();
    expect(spaces).toHaveLength(5);
    expect(spaces[4]).toEqual({ id: 'space-5', name: 'Space 5' });
    expect(server.requestsTo('GET', '/dataplatform/v2/spaces')).toHaveLength(3);
  });

  it('derives the Watson Data API host from the WML region', () => {
    expect(dataPlatformUrlFor('https://us-south.ml.cloud.ibm.com')).toBe(
      'https://api.dataplatform.cloud.ibm.com',
    );
    expect(dataPlatformUrlFor('https://eu-de.ml.cloud.ibm.com/')).toBe(
      'https://api.eu-de.dataplatform.cloud.ibm.com',
    );
    expect(dataPlatformUrlFor('https://private.jp-tok.ml.cloud.ibm.com')).toBe(
      'https://api.jp-tok.dataplatform.cloud.ibm.com',
    );
    let error: unknown;
    try {
      dataPlatformUrlFor('https://wml.example.com');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MaxrecError);
    expect((error as MaxrecError).exitCode).toBe(3);
    expect((error as MaxrecError).hint).toMatch(/--data-platform-url/);
  });
});

describe('creating HMAC credentials', () => {
  it('posts HMAC: true with role Writer and returns the keys', async () => {
    const cos = contractInstance('cos', 'store');
    server.instances = [cos];
    const credential = await client.createHmacCredential(
      String(cos['crn']),
      'maxrec-test',
    );
    const [created] = server.keys;
    expect(credential).toEqual({
      credentialName: 'maxrec-test',
      accessKeyId: created!.accessKeyId,
      secretAccessKey: created!.secretAccessKey,
    });
    expect(created!.request).toEqual({
      name: 'maxrec-test',
      source: cos['crn'],
      role: 'Writer',
      parameters: { HMAC: true },
    });
  });

  it('an unknown instance is exit 1 naming the flag', async () => {
    const error = await failure(
      client.createHmacCredential('no-such-guid', 'maxrec-test'),
    );
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/Instance no-such-guid not found/);
    expect(error.hint).toMatch(/--cos-instance/);
  });

  it('is not retried after a 500, which may have created it', async () => {
    const cos = contractInstance('cos', 'store');
    server.instances = [cos];
    server.failNext('POST', '/v2/resource_keys', 500);
    const error = await failure(
      client.createHmacCredential(String(cos['guid']), 'maxrec-test'),
    );
    expect(error.exitCode).toBe(2);
    expect(server.requestsTo('POST', '/v2/resource_keys')).toHaveLength(1);
  });
});
