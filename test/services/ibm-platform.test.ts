/**
 * IbmPlatformClient against the platform contract server: resource groups,
 * instances (of one group too) and spaces over several pages, COS
 * credentials listed without their values, read, or created, and the
 * errors a user sees (exit code, the service's message and request id,
 * never a token or a credential's secret).
 */
import { inspect } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MaxrecError } from '../../src/core/errors.js';
import { IamTokenSource } from '../../src/services/ibm/iam-token.js';
import {
  dataPlatformUrlFor,
  findCredential,
  findResourceGroup,
  IbmPlatformClient,
  RESOURCE_IDS,
} from '../../src/services/ibm/ibm-platform.js';
import {
  contractGroup,
  contractInstance,
  contractKey,
  DEFAULT_GROUP_ID,
  hmacKeysOf,
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
  return checked(error);
}

/** A MaxrecError that quotes no API key, token or credential secret. */
function checked(error: unknown): MaxrecError {
  expect(error).toBeInstanceOf(MaxrecError);
  const text = `${String(error)} ${inspect(error, { depth: 10 })}`;
  const issued = server.requests.map((r) =>
    (r.headers.authorization ?? '').replace('Bearer ', ''),
  );
  for (const secret of [
    server.apiKey,
    ...issued.filter(Boolean),
    ...server.resourceKeys.flatMap(secretsOf),
  ]) {
    expect(text).not.toContain(secret);
  }
  return error as MaxrecError;
}

function thrown(action: () => unknown): MaxrecError {
  try {
    action();
  } catch (error) {
    return checked(error);
  }
  throw new Error('expected it to throw');
}

/** Every value of a stored key that must not leave the client. */
function secretsOf(key: Record<string, unknown>): string[] {
  const credentials = key['credentials'] as Record<string, unknown>;
  if (!credentials?.['cos_hmac_keys']) return [];
  const { accessKeyId, secretAccessKey } = hmacKeysOf(key);
  return [accessKeyId, secretAccessKey, String(credentials['apikey'])];
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
      resourceGroupId: DEFAULT_GROUP_ID,
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

describe('resource groups', () => {
  const research = contractGroup(
    'research',
    'b3ad5e0a6f2c4c0e9d1a7f55c0de0001',
  );

  it('lists id, name, state and default of each', async () => {
    server.groups.push(research);
    expect(await client.listResourceGroups()).toEqual([
      {
        id: DEFAULT_GROUP_ID,
        name: 'Default',
        state: 'ACTIVE',
        default: true,
        accountId: 'acct',
      },
      {
        id: 'b3ad5e0a6f2c4c0e9d1a7f55c0de0001',
        name: 'research',
        state: 'ACTIVE',
        default: false,
        accountId: 'acct',
      },
    ]);
    const [request] = server.requestsTo('GET', '/v2/resource_groups');
    expect(request!.status).toBe(200);
    expect(request!.headers.authorization).toMatch(/^Bearer tok-/);
  });

  it('lists only the instances of one group, over pages', async () => {
    const group = String(research['id']);
    server.instances = [
      contractInstance('wml', 'default-wml'),
      ...['r1', 'r2', 'r3'].map((n) =>
        contractInstance('wml', n, 'us-south', group),
      ),
    ];
    const instances = await client.listInstances('wml', {
      resourceGroupId: group,
    });
    expect(instances.map((i) => [i.name, i.resourceGroupId])).toEqual([
      ['r1', group],
      ['r2', group],
      ['r3', group],
    ]);
    const pages = server.requestsTo('GET', '/v2/resource_instances');
    expect(pages).toHaveLength(2);
    for (const page of pages) {
      expect(page.query['resource_group_id']).toBe(group);
    }
  });

  it('finds a group by name or ID; a miss is exit 1 naming them', async () => {
    server.groups.push(research);
    const groups = await client.listResourceGroups();
    expect(findResourceGroup(groups, 'research').id).toBe(research['id']);
    expect(findResourceGroup(groups, DEFAULT_GROUP_ID).name).toBe('Default');
    const error = thrown(() => findResourceGroup(groups, 'Research'));
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe('No resource group "Research".');
    expect(error.hint).toBe(
      'Give --resource-group one of these: Default, research.',
    );
  });
});

describe('listing credentials', () => {
  it('follows next_url over pages and shows no value', async () => {
    const cos = contractInstance('cos', 'store');
    const other = contractInstance('cos', 'other');
    server.instances = [cos, other];
    server.resourceKeys = [
      contractKey(cos, 'with-hmac'),
      contractKey(other, 'not-this-instance'),
      contractKey(cos, 'plain', { hmac: false }),
      contractKey(cos, 'shared', { redacted: 'REDACTED' }),
      contractKey(cos, 'once', { onetime: true }),
    ];

    const credentials = await client.listCredentials(String(cos['guid']));

    const key = server.resourceKeys[0]!;
    expect(credentials[0]).toEqual({
      name: 'with-hmac',
      guid: key['guid'],
      createdAt: '2026-01-15T09:30:12.837979455Z',
      hmac: 'yes',
    });
    expect(credentials.map((c) => [c.name, c.hmac])).toEqual([
      ['with-hmac', 'yes'],
      ['plain', 'no'],
      ['shared', 'hidden'],
      ['once', 'hidden'],
    ]);
    const listed = JSON.stringify(credentials);
    for (const secret of server.resourceKeys.flatMap(secretsOf)) {
      expect(listed).not.toContain(secret);
    }
    const path = `/v2/resource_instances/${String(cos['guid'])}/resource_keys`;
    const pages = server.requestsTo('GET', path);
    expect(pages.map((p) => p.query['start'] === undefined)).toEqual([
      true,
      false,
    ]);
  });

  it('takes the instance CRN, URL-encoded in the path', async () => {
    const cos = contractInstance('cos', 'store');
    server.instances = [cos];
    server.resourceKeys = [contractKey(cos, 'by-crn')];
    const crn = String(cos['crn']);
    const [credential] = await client.listCredentials(crn);
    expect(credential!.name).toBe('by-crn');
    const [request] = server.requests.filter((r) =>
      r.path.endsWith('/resource_keys'),
    );
    expect(request!.path).toBe(
      `/v2/resource_instances/${encodeURIComponent(crn)}/resource_keys`,
    );
  });

  it('an unknown instance is exit 1 naming the flag', async () => {
    const error = await failure(client.listCredentials('no-such-guid'));
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/Instance no-such-guid not found/);
    expect(error.hint).toMatch(/--cos-instance/);
  });

  it('finds one by name or GUID; two of a name want the GUID', () => {
    const listed = [
      { name: 'a', guid: 'g-1', createdAt: '', hmac: 'yes' as const },
      { name: 'b', guid: 'g-2', createdAt: '', hmac: 'yes' as const },
      { name: 'b', guid: 'g-3', createdAt: '', hmac: 'no' as const },
    ];
    expect(findCredential(listed, 'a', 'cos-1').guid).toBe('g-1');
    expect(findCredential(listed, 'g-3', 'cos-1').guid).toBe('g-3');
    const twice = thrown(() => findCredential(listed, 'b', 'cos-1'));
    expect(twice.exitCode).toBe(1);
    expect(twice.message).toBe('2 credentials are named "b".');
    expect(twice.hint).toBe(
      'Give --credential the ID instead: ' +
        '`maxrec ibm credentials --cos-instance cos-1` lists them.',
    );
    const none = thrown(() => findCredential([], 'a', 'cos-1'));
    expect(none.hint).toMatch(/^COS instance cos-1 has no credentials\./);
  });
});

describe('reading a credential', () => {
  let cos: Record<string, unknown>;

  beforeEach(() => {
    cos = contractInstance('cos', 'store');
    server.instances = [cos];
  });

  /** The error of reading the only key, one made with `options`. */
  function readFailure(
    name: string,
    options: Parameters<typeof contractKey>[2],
  ) {
    const key = contractKey(cos, name, options);
    server.resourceKeys = [key];
    return failure(client.readHmacCredential(String(key['guid'])));
  }

  it('returns the HMAC keys of the one asked for', async () => {
    const key = contractKey(cos, 'existing');
    server.resourceKeys = [contractKey(cos, 'other'), key];
    const credential = await client.readHmacCredential(String(key['guid']));
    expect(credential).toEqual({
      credentialName: 'existing',
      ...hmacKeysOf(key),
    });
    expect(
      server.requestsTo('GET', `/v2/resource_keys/${String(key['guid'])}`),
    ).toHaveLength(1);
  });

  it('redacted is exit 2 naming the role that reads it', async () => {
    const error = await readFailure('shared', {
      redacted: 'REDACTED_EXPLICIT',
    });
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      'IBM withholds the values of credential "shared" from this API key ' +
        '(REDACTED_EXPLICIT).',
    );
    expect(error.hint).toBe(
      'Reading a COS credential takes the Administrator platform role on ' +
        'the instance (IAM action resource-controller.credential.retrieve_all). ' +
        'Or run `maxrec ibm hmac-key` without --credential: it creates a new ' +
        'credential and writes its keys.',
    );
  });

  it('a one-time credential is exit 1: create a new one', async () => {
    const error = await readFailure('once', { onetime: true });
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(
      'Credential "once" is one-time view: IBM showed its values only when ' +
        'it was created.',
    );
    expect(error.hint).toMatch(/without --credential: it creates a new/);
  });

  it('one without HMAC keys is exit 1, its API key not quoted', async () => {
    const error = await readFailure('plain', { hmac: false });
    const key = server.resourceKeys[0]!;
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe('Credential "plain" holds no HMAC keys.');
    const apikey = String(
      (key['credentials'] as Record<string, unknown>)['apikey'],
    );
    expect(`${error.message} ${error.hint}`).not.toContain(apikey);
  });

  it('an unknown one is a 404, exit 1 naming the flag', async () => {
    const error = await failure(client.readHmacCredential('no-such-key'));
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(
      /^Could not read credential no-such-key: Resource key no-such-key not found\. \(RC-Error\) \[HTTP 404, request id bss-[\w-]+\]\.$/,
    );
    expect(error.hint).toBe(
      'Check --credential: `maxrec ibm credentials` lists them.',
    );
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
    // Listed afterwards as the service would, and readable again.
    const [listed] = await client.listCredentials(String(cos['guid']));
    expect(listed).toMatchObject({ name: 'maxrec-test', hmac: 'yes' });
    expect(await client.readHmacCredential(listed!.guid)).toEqual(credential);
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
