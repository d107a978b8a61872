/**
 * The setup screen's IBM Cloud lookup over the real journey services,
 * against the platform contract server: a group, a WML instance, a space,
 * a COS instance and a new credential chosen through the journey machine,
 * the keys in a 0600 file beside the config, and the config saved with the
 * values chosen and no secret. Then the refusals a user may meet: no API
 * key, a 403, a credential IBM withholds.
 */
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from 'vitest';
import { createActor, waitFor } from 'xstate';

import { createIbmSetupServices } from '../../src/app/ibm-setup-services.js';
import { createJourneyServices } from '../../src/app/journey-services.js';
import { createJourneyMachine } from '../../src/core/machine.js';
import { isIn, type JourneyStatePath } from '../../src/core/state-path.js';
import {
  loadConfig,
  updateSetup,
  writeDefaultConfig,
} from '../../src/services/config/config-file.js';
import {
  contractGroup,
  contractInstance,
  contractKey,
  hmacKeysOf,
  startIbmPlatformContract,
  type IbmPlatformContractServer,
} from '../helpers/ibm-platform-contract.js';

let server: IbmPlatformContractServer;
const research = contractGroup('research');
const researchId = String(research['id']);
const frankfurt = contractInstance('wml', 'ml-frankfurt', 'eu-de', researchId);
const storage = contractInstance('cos', 'storage', 'global', researchId);

beforeAll(async () => {
  server = await startIbmPlatformContract();
  server.groups.push(research);
  server.instances = [
    contractInstance('wml', 'ml-dallas'),
    frankfurt,
    contractInstance('cos', 'other-storage'),
    storage,
  ];
  server.spaces = [
    { id: '5e1c0a2d-0000-4000-8000-000000000001', name: 'maxrec' },
    { id: '5e1c0a2d-0000-4000-8000-000000000002', name: 'other' },
    { id: '5e1c0a2d-0000-4000-8000-000000000003', name: 'third' },
  ];
});

afterAll(() => server?.close());

let dir: string;
let configPath: string;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'maxrec-lookup-'));
  configPath = path.join(dir, 'max-recommender-training-config.yaml');
  await writeDefaultConfig(configPath);
  await updateSetup(configPath, {
    backend: 'ibm',
    iamUrl: server.iamUrl,
    cosEndpoint: 'https://s3.eu-de.cloud-object-storage.appdomain.cloud',
  });
  server.resourceKeys = [];
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The environment a user would have: the key, and the test's servers. */
function environment(apiKey: string | undefined = server.apiKey) {
  return {
    ...(apiKey ? { ML_APIKEY: apiKey } : {}),
    MAXREC_RESOURCE_CONTROLLER_URL: server.resourceControllerUrl,
    MAXREC_DATA_PLATFORM_URL: server.dataPlatformUrl,
    MAXREC_CONFIG_HOME: path.join(dir, 'prefs'),
  };
}

function startSetup(env: NodeJS.ProcessEnv) {
  const services = createJourneyServices({ env });
  const actor = createActor(createJourneyMachine(services), {
    input: { configPath },
  });
  actor.start();
  const at = (state: JourneyStatePath) =>
    waitFor(actor, (s) => isIn(s, state), { timeout: 20_000 });
  const choose = async (name: string) => {
    const { ibmLookup } = actor.getSnapshot().context;
    const item = ibmLookup.lists[ibmLookup.step]?.find((i) => i.name === name);
    expect(item, `${name} in the ${ibmLookup.step} list`).toBeDefined();
    actor.send({ type: 'IBM_PICK', id: item!.id });
  };
  const names = () => {
    const { ibmLookup } = actor.getSnapshot().context;
    return ibmLookup.lists[ibmLookup.step]?.map((item) => item.name);
  };
  return { actor, at, choose, names };
}

describe('setup: the IBM Cloud lookup against the platform APIs', () => {
  it('chooses group, WML, space, COS and a new credential, and saves them', async () => {
    const setup = startSetup(environment());
    const { actor, at, choose, names } = setup;
    await at('home.ready');
    actor.send({ type: 'NEW_TRAINING' });
    actor.send({ type: 'IBM_LOOKUP' });
    await at('setup.choosing');
    expect(names()).toEqual(['Default', 'research']);

    await choose('research');
    await at('setup.choosing');
    // Only the group's instances, of the service asked for.
    expect(names()).toEqual(['ml-frankfurt']);
    await choose('ml-frankfurt');
    await at('setup.choosing');
    expect(names()).toEqual(['maxrec', 'other', 'third']);
    await choose('other');
    await at('setup.choosing');
    expect(names()).toEqual(['storage']);
    await choose('storage');
    await at('setup.choosing');
    expect(names()).toEqual([]);

    actor.send({ type: 'IBM_CREATE_CREDENTIAL' });
    await at('setup.editing');
    const { ibmLookup, error } = actor.getSnapshot().context;
    expect(error).toBeNull();
    const created = server.keys.at(-1)!;
    expect(created.request).toMatchObject({
      source: String(storage['guid']),
      role: 'Writer',
      parameters: { HMAC: true },
    });
    const file = path.join(dir, 'cos-keys.sh');
    expect(ibmLookup.keys).toEqual({
      credentialName: expect.stringMatching(/^maxrec-hmac-\d{8}T\d{6}Z$/),
      created: true,
      file,
      accessKeyId: `…${created.accessKeyId.slice(-4)}`,
      secretAccessKey: `…${created.secretAccessKey.slice(-4)}`,
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(
      `export AWS_SECRET_ACCESS_KEY=${created.secretAccessKey}`,
    );
    expect(text).toContain('# written by maxrec setup.');
    // The machine, and so the screen, never held the secret.
    expect(JSON.stringify(actor.getSnapshot().context)).not.toContain(
      created.secretAccessKey,
    );

    actor.send({ type: 'SUBMIT' });
    await at('data.choosing');
    const { settings } = await loadConfig(configPath);
    expect(settings.ibm).toMatchObject({
      wmlUrl: 'https://eu-de.ml.cloud.ibm.com',
      spaceId: '5e1c0a2d-0000-4000-8000-000000000002',
      cosInstance: String(storage['guid']),
    });
    const config = readFileSync(configPath, 'utf8');
    expect(config).not.toContain(created.secretAccessKey);
    expect(config).not.toContain(created.accessKeyId);
    actor.stop();
  });

  it('says how to set ML_APIKEY when it is not set, and no request is made', async () => {
    const before = server.requests.length;
    const { actor, at } = startSetup(environment(''));
    await at('home.ready');
    actor.send({ type: 'NEW_TRAINING' });
    actor.send({ type: 'IBM_LOOKUP' });
    await at('setup.editing');
    const { error } = actor.getSnapshot().context;
    expect(error?.message).toBe(
      'ML_APIKEY is not set, so maxrec cannot look up your IBM Cloud account.',
    );
    expect(error?.hint).toMatch(/export ML_APIKEY \(or ML_APIKEY_FILE=/);
    expect(server.requests.length).toBe(before);
    actor.stop();
  });

  it('shows a 403 with what to do, and a credential IBM withholds', async () => {
    const { actor, at, choose } = startSetup(environment());
    await at('home.ready');
    actor.send({ type: 'NEW_TRAINING' });
    server.failNext('GET', '/v2/resource_groups', 403);
    actor.send({ type: 'IBM_LOOKUP' });
    await at('setup.editing');
    const refused = actor.getSnapshot().context.error;
    expect(refused?.message).toMatch(
      /^Could not list the resource groups: .*\[HTTP 403, request id bss-/,
    );
    expect(refused?.hint).toMatch(/^Check ML_APIKEY/);

    server.resourceKeys = [
      contractKey(storage, 'shared', { redacted: 'REDACTED' }),
    ];
    actor.send({ type: 'IBM_LOOKUP' });
    await at('setup.choosing');
    for (const name of ['research', 'ml-frankfurt', 'maxrec', 'storage']) {
      await choose(name);
      await at('setup.choosing');
    }
    expect(actor.getSnapshot().context.ibmLookup.lists.credential).toEqual([
      expect.objectContaining({ name: 'shared', hmac: 'hidden' }),
    ]);
    await choose('shared');
    await waitFor(actor, (s) => s.context.error !== null, { timeout: 20_000 });
    expect(isIn(actor.getSnapshot(), 'setup.choosing')).toBe(true);
    expect(actor.getSnapshot().context.error?.message).toBe(
      'IBM withholds the values of credential "shared" from this API key ' +
        '(REDACTED).',
    );
    expect(readdirSync(dir)).not.toContain('cos-keys.sh');
    actor.stop();
  });
});

describe('the spaces of a WML URL', () => {
  it('says what to do for a host whose spaces API maxrec cannot tell', async () => {
    const { MAXREC_DATA_PLATFORM_URL: _none, ...env } = environment();
    const ibm = createIbmSetupServices({ env, iamUrl: () => server.iamUrl });
    const before = server.requests.length;
    const lookup = ibm.lookUpIbm(
      { step: 'space', wmlUrl: 'https://cpd.example.com' },
      new AbortController().signal,
    );
    await expect(lookup).rejects.toMatchObject({
      message:
        'Cannot tell which Watson Data API serves the spaces of ' +
        '"https://cpd.example.com".',
      hint: expect.stringMatching(/or type the space id by hand/),
    });
    expect(server.requests.length).toBe(before);
  });
});

describe('the keys for this session', () => {
  it("reads an existing credential's keys into a new file, and this session's environment", async () => {
    const existing = contractKey(storage, 'maxrec-hmac');
    server.resourceKeys = [existing];
    const keys = hmacKeysOf(existing);
    const env = environment();
    const ibm = createIbmSetupServices({ env, iamUrl: () => server.iamUrl });
    expect(ibm.sessionEnv()).toBe(env);
    const signal = new AbortController().signal;
    const request = {
      configPath,
      cosInstance: String(storage['guid']),
      credentialId: String(existing['guid']),
    };
    const first = await ibm.writeHmacKeys(request, signal);
    // A file already there is never replaced: the next name is taken.
    const second = await ibm.writeHmacKeys(request, signal);
    expect([first.file, second.file]).toEqual([
      path.join(dir, 'cos-keys.sh'),
      path.join(dir, 'cos-keys-2.sh'),
    ]);
    expect(first.created).toBe(false);
    expect(ibm.sessionEnv()).toMatchObject({
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    });
    expect(env).not.toHaveProperty('AWS_ACCESS_KEY_ID');
  });
});
