/**
 * `maxrec ibm groups|instances|spaces|credentials|hmac-key` through the
 * built CLI against the platform contract server: aligned text and JSON
 * lines, instances of one resource group, a COS instance's credentials
 * without their values, an env file of mode 0600 (from a new credential
 * or an existing one) whose secret never reaches the screen, and the
 * refusals a user may meet (a file in the way, no ML_APIKEY, a 403, an
 * unknown group, a credential IBM withholds).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { makeWorkspace, runCli, type Workspace } from '../helpers/cli.js';
import {
  contractGroup,
  contractInstance,
  contractKey,
  DEFAULT_GROUP_ID,
  hmacKeysOf,
  startIbmPlatformContract,
  type IbmPlatformContractServer,
} from '../helpers/ibm-platform-contract.js';

let server: IbmPlatformContractServer;
let ws: Workspace;
const research = contractGroup('research');
const researchId = String(research['id']);
const cos = contractInstance('cos', 'maxrec-storage');
const frankfurt = contractInstance(
  'wml',
  'maxrec-ml-frankfurt',
  'eu-de',
  researchId,
);

beforeAll(async () => {
  server = await startIbmPlatformContract();
  server.groups.push(research);
  server.instances = [contractInstance('wml', 'maxrec-ml'), frankfurt, cos];
  server.spaces = [
    { id: '5e1c0a2d-0000-4000-8000-000000000001', name: 'maxrec' },
    { id: '5e1c0a2d-0000-4000-8000-000000000002', name: 'other' },
    { id: '5e1c0a2d-0000-4000-8000-000000000003', name: 'third' },
  ];
});

afterAll(() => server?.close());

beforeEach(() => {
  ws = makeWorkspace({ lines: 2 });
  delete ws.env['ML_ENV'];
  ws.env['ML_APIKEY'] = server.apiKey;
});

/** `maxrec ibm ARGS` with the contract server's URLs. */
function ibm(args: string[]) {
  return runCli(
    [
      'ibm',
      ...args,
      '--iam-url',
      server.iamUrl,
      '--resource-controller-url',
      server.resourceControllerUrl,
      '--data-platform-url',
      server.dataPlatformUrl,
    ],
    { cwd: ws.dir, env: ws.env, timeoutMs: 60_000 },
  );
}

/** `maxrec ibm hmac-key` on the COS instance (`cos`), writing `keysFile`. */
function hmacKey(
  keysFile: string,
  more: string[] = [],
  instance: 'guid' | 'crn' = 'guid',
) {
  return ibm([
    'hmac-key',
    '--cos-instance',
    String(cos[instance]),
    '--keys-file',
    keysFile,
    ...more,
  ]);
}

/** Rows of cells padded as the CLI pads them: two spaces between. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) =>
    Math.max(...rows.map((row) => row[i]!.length)),
  );
  return rows.map((row) =>
    row
      .map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]!) : cell))
      .join('  '),
  );
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('maxrec ibm groups', () => {
  it('prints NAME STATE DEFAULT ID, then the next step', async () => {
    const result = await ibm(['groups']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        ...table([
          ['NAME', 'STATE', 'DEFAULT', 'ID'],
          ['Default', 'ACTIVE', 'yes', DEFAULT_GROUP_ID],
          ['research', 'ACTIVE', 'no', researchId],
        ]),
        'Next: maxrec ibm instances --resource-group NAME',
        '',
      ].join('\n'),
    );
  });

  it('prints one record a group with --json', async () => {
    const result = await ibm(['groups', '--json']);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([
      {
        type: 'group',
        id: DEFAULT_GROUP_ID,
        name: 'Default',
        state: 'ACTIVE',
        default: true,
        accountId: 'acct',
      },
      {
        type: 'group',
        id: researchId,
        name: 'research',
        state: 'ACTIVE',
        default: false,
        accountId: 'acct',
      },
    ]);
  });
});

describe('maxrec ibm instances', () => {
  it('prints an aligned table of every page, with the group name', async () => {
    const result = await ibm(['instances']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^SERVICE\s+NAME\s+GROUP\s+REGION\s+STATE\s+GUID$/,
    );
    expect(lines[1]).toMatch(
      /^WML\s+maxrec-ml\s+Default\s+us-south\s+active\s+\S+$/,
    );
    expect(lines[2]).toMatch(
      /^WML\s+maxrec-ml-frankfurt\s+research\s+eu-de\s+active\s+\S+$/,
    );
    expect(lines[3]).toContain(String(cos['guid']));
    // Columns line up: the GUIDs start at the same place on every row.
    const at = lines.slice(1, 4).map((l) => l.search(/\S+$/));
    expect(new Set(at).size).toBe(1);
  });

  it('prints one JSON record a line with --json', async () => {
    const result = await ibm(['instances', '--json']);
    expect(result.code).toBe(0);
    const records = jsonLines(result.stdout);
    expect(records.map((r) => [r['type'], r['kind'], r['name']])).toEqual([
      ['instance', 'wml', 'maxrec-ml'],
      ['instance', 'wml', 'maxrec-ml-frankfurt'],
      ['instance', 'cos', 'maxrec-storage'],
    ]);
    expect(records[2]).toMatchObject({
      crn: cos['crn'],
      region: 'global',
      resourceGroupId: DEFAULT_GROUP_ID,
      resourceGroup: 'Default',
    });
  });

  it('lists one group with --resource-group, by name or ID', async () => {
    for (const group of ['research', researchId]) {
      const result = await ibm(['instances', '--resource-group', group]);
      expect(result.code).toBe(0);
      const rows = result.stdout.split('\n').slice(1, -2);
      expect(rows).toEqual(
        table([
          ['SERVICE', 'NAME', 'GROUP', 'REGION', 'STATE', 'GUID'],
          [
            'WML',
            'maxrec-ml-frankfurt',
            'research',
            'eu-de',
            'active',
            String(frankfurt['guid']),
          ],
        ]).slice(1),
      );
    }
    const asked = server.requestsTo('GET', '/v2/resource_instances').at(-1);
    expect(asked!.query['resource_group_id']).toBe(researchId);
  });

  it('an unknown group exits 1 naming the groups there are', async () => {
    const result = await ibm(['instances', '--resource-group', 'prod']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'Error: No resource group "prod".\n' +
        'Give --resource-group one of these: Default, research.\n',
    );
  });

  it('without ML_APIKEY exits 2 saying how to get one', async () => {
    delete ws.env['ML_APIKEY'];
    const result = await ibm(['instances']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ML_APIKEY is not set/);
    expect(result.stderr).toMatch(/api-key-create/);
  });

  it('refuses to send the key over plain http to another host', async () => {
    const result = await runCli(
      ['ibm', 'instances', '--iam-url', 'http://192.0.2.2:8099'],
      { cwd: ws.dir, env: { ...ws.env, ML_APIKEY: server.apiKey } },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--iam-url .* is not an https:\/\/ URL/);
  });

  it('takes the URLs from MAXREC_*_URL when no flag names them', async () => {
    const env = {
      ...ws.env,
      MAXREC_IAM_URL: server.iamUrl,
      MAXREC_RESOURCE_CONTROLLER_URL: server.resourceControllerUrl,
      MAXREC_DATA_PLATFORM_URL: server.dataPlatformUrl,
    };
    const opts = { cwd: ws.dir, env, timeoutMs: 60_000 };
    const groups = await runCli(['ibm', 'groups', '--json'], opts);
    expect(groups.code).toBe(0);
    expect(jsonLines(groups.stdout).map((g) => g['name'])).toContain(
      'research',
    );
    const spaces = await runCli(['ibm', 'spaces', '--json'], opts);
    expect(spaces.code).toBe(0);
    expect(jsonLines(spaces.stdout)).toHaveLength(server.spaces.length);
  });

  it('a flag wins over its MAXREC_*_URL', async () => {
    // Nothing listens there: reaching it would fail the lookup.
    const nowhere = 'http://127.0.0.1:9';
    const result = await runCli(
      [
        'ibm',
        'instances',
        '--json',
        '--iam-url',
        server.iamUrl,
        '--resource-controller-url',
        server.resourceControllerUrl,
      ],
      {
        cwd: ws.dir,
        env: {
          ...ws.env,
          MAXREC_IAM_URL: nowhere,
          MAXREC_RESOURCE_CONTROLLER_URL: nowhere,
        },
        timeoutMs: 60_000,
      },
    );
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)).toHaveLength(server.instances.length);
  });

  it('refuses a plain-http MAXREC_RESOURCE_CONTROLLER_URL, naming it', async () => {
    const result = await runCli(['ibm', 'groups'], {
      cwd: ws.dir,
      env: {
        ...ws.env,
        MAXREC_IAM_URL: server.iamUrl,
        MAXREC_RESOURCE_CONTROLLER_URL: 'http://192.0.2.2:8099',
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /MAXREC_RESOURCE_CONTROLLER_URL .* is not an https:\/\/ URL/,
    );
  });

  it('a 403 exits 2 with the message and request id', async () => {
    server.failNext('GET', '/v2/resource_instances', 403);
    const result = await ibm(['instances']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /Could not list the WML instances: Injected fault\. \(RC-IamErrorResponse\) \[HTTP 403, request id bss-[\w-]+\]/,
    );
    expect(result.stderr).toMatch(/Check ML_APIKEY/);
  });
});

describe('maxrec ibm spaces', () => {
  it('lists the spaces of every page as JSON lines', async () => {
    const result = await ibm(['spaces', '--json']);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)).toEqual(
      server.spaces.map((s) => ({ type: 'space', id: s.id, name: s.name })),
    );
  });
});

describe('maxrec ibm credentials', () => {
  it('lists NAME HMAC CREATED GUID, and no value', async () => {
    server.resourceKeys = [
      contractKey(cos, 'maxrec-hmac'),
      contractKey(cos, 'reader', { hmac: false }),
      contractKey(cos, 'shared', { redacted: 'REDACTED' }),
    ];
    const guid = String(cos['guid']);
    const result = await ibm(['credentials', '--cos-instance', guid]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [withKeys, reader, shared] = server.resourceKeys.map((k) =>
      String(k['guid']),
    );
    expect(result.stdout).toBe(
      [
        ...table([
          ['NAME', 'HMAC', 'CREATED', 'GUID'],
          ['maxrec-hmac', 'yes', '2026-01-15 09:30Z', withKeys!],
          ['reader', 'no', '2026-01-15 09:30Z', reader!],
          ['shared', 'hidden', '2026-01-15 09:30Z', shared!],
        ]),
        'hidden: IBM withholds its values from this API key (one-time ' +
          'view, or the Administrator role on the instance is missing).',
        `Next: maxrec ibm hmac-key --cos-instance ${guid} --credential ` +
          'NAME --keys-file FILE',
        '',
      ].join('\n'),
    );
    const { secretAccessKey } = hmacKeysOf(server.resourceKeys[0]!);
    const json = await ibm(['credentials', '--cos-instance', guid, '--json']);
    expect(jsonLines(json.stdout)[0]).toEqual({
      type: 'credential',
      name: 'maxrec-hmac',
      guid: withKeys,
      createdAt: '2026-01-15T09:30:12.837979455Z',
      hmac: 'yes',
    });
    expect(result.stdout + json.stdout).not.toContain(secretAccessKey);
  });
});

describe('maxrec ibm hmac-key --credential', () => {
  it("writes an existing credential's keys, 0600, masked on screen", async () => {
    const existing = contractKey(cos, 'maxrec-hmac');
    server.resourceKeys = [contractKey(cos, 'other'), existing];
    const keys = hmacKeysOf(existing);
    const keysFile = path.join(ws.dir, 'existing-keys.sh');
    const created = server.keys.length;
    const guid = String(cos['guid']);
    const result = await hmacKey(keysFile, ['--credential', 'maxrec-hmac']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        `Read credential "maxrec-hmac" on COS instance ${guid}.`,
        `  AWS_ACCESS_KEY_ID      …${keys.accessKeyId.slice(-4)}`,
        `  AWS_SECRET_ACCESS_KEY  …${keys.secretAccessKey.slice(-4)}`,
        `Written to ${keysFile}, readable by you only.`,
        `Next: source ${keysFile}`,
        '',
      ].join('\n'),
    );
    expect(statSync(keysFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keysFile, 'utf8')).toBe(
      [
        `# COS HMAC keys of credential "maxrec-hmac" on instance ${guid},`,
        '# written by maxrec ibm hmac-key. Load them with `source` on this file.',
        `export AWS_ACCESS_KEY_ID=${keys.accessKeyId}`,
        `export AWS_SECRET_ACCESS_KEY=${keys.secretAccessKey}`,
        '',
      ].join('\n'),
    );
    // Read, not created: no POST, and the one key asked for was fetched.
    expect(server.keys.length).toBe(created);
    expect(
      server.requestsTo('GET', `/v2/resource_keys/${String(existing['guid'])}`),
    ).toHaveLength(1);
  });

  it('a withheld credential exits 2 and writes nothing', async () => {
    server.resourceKeys = [
      contractKey(cos, 'shared', { redacted: 'REDACTED' }),
    ];
    const keysFile = path.join(ws.dir, 'withheld.sh');
    const result = await hmacKey(keysFile, ['--credential', 'shared']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'Error: IBM withholds the values of credential "shared" from this API ' +
        'key (REDACTED).\nReading a COS credential takes the Administrator ' +
        'platform role on the instance (IAM action ' +
        'resource-controller.credential.retrieve_all). Or run `maxrec ibm ' +
        'hmac-key` without --credential: it creates a new credential and ' +
        'writes its keys.\n',
    );
    expect(readdirSync(ws.dir)).not.toContain('withheld.sh');
  });
});

describe('maxrec ibm hmac-key', () => {
  it('writes the keys to a 0600 env file and shows only masked values', async () => {
    const keysFile = path.join(ws.dir, 'cos.env');
    const result = await hmacKey(keysFile, ['--name', 'maxrec-e2e']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const key = server.keys.at(-1)!;
    expect(key.request).toMatchObject({
      name: 'maxrec-e2e',
      parameters: { HMAC: true },
    });

    expect(statSync(keysFile).mode & 0o777).toBe(0o600);
    const text = readFileSync(keysFile, 'utf8');
    expect(text).toContain(`export AWS_ACCESS_KEY_ID=${key.accessKeyId}\n`);
    expect(text).toContain(
      `export AWS_SECRET_ACCESS_KEY=${key.secretAccessKey}\n`,
    );

    const screen = result.stdout + result.stderr;
    expect(screen).not.toContain(key.secretAccessKey);
    expect(screen).not.toContain(key.accessKeyId);
    expect(screen).toContain(`…${key.secretAccessKey.slice(-4)}`);
    expect(result.stdout).toContain(`Next: source ${keysFile}`);
  });

  it('refuses to overwrite a file, creating no credential', async () => {
    const keysFile = path.join(ws.dir, 'existing.env');
    writeFileSync(keysFile, 'keep me\n');
    const before = server.keys.length;
    const result = await hmacKey(keysFile);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already exists/);
    expect(result.stderr).toMatch(/--force/);
    expect(readFileSync(keysFile, 'utf8')).toBe('keep me\n');
    expect(server.keys.length).toBe(before);
  });

  it('replaces the file with --force, as JSON without the secret', async () => {
    const keysFile = path.join(ws.dir, 'replace.env');
    writeFileSync(keysFile, 'old\n', { mode: 0o644 });
    const result = await hmacKey(keysFile, ['--force', '--json'], 'crn');
    expect(result.code).toBe(0);
    const key = server.keys.at(-1)!;
    const record = JSON.parse(result.stdout.trim()) as Record<string, unknown>;
    expect(record).toMatchObject({
      type: 'hmac-key',
      keysFile,
      next: `source ${keysFile}`,
      secretAccessKey: `…${key.secretAccessKey.slice(-4)}`,
    });
    expect(result.stdout).not.toContain(key.secretAccessKey);
    expect(statSync(keysFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keysFile, 'utf8')).toContain(key.secretAccessKey);
    // No temporary file is left beside it.
    expect(readdirSync(ws.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
