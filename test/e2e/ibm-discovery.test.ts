/**
 * `maxrec ibm instances|spaces|hmac-key` through the built CLI against the
 * platform contract server: aligned text and JSON lines, an env file of
 * mode 0600 whose secret never reaches the screen, and the refusals a
 * user may meet (a file in the way, no ML_APIKEY, a 403).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { makeWorkspace, runCli, type Workspace } from '../helpers/cli.js';
import {
  contractInstance,
  startIbmPlatformContract,
  type IbmPlatformContractServer,
} from '../helpers/ibm-platform-contract.js';

let server: IbmPlatformContractServer;
let ws: Workspace;
const cos = contractInstance('cos', 'maxrec-storage');

beforeAll(async () => {
  server = await startIbmPlatformContract();
  server.instances = [
    contractInstance('wml', 'maxrec-ml'),
    contractInstance('wml', 'maxrec-ml-frankfurt', 'eu-de'),
    cos,
  ];
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

describe('maxrec ibm instances', () => {
  it('prints an aligned table of every page', async () => {
    const result = await ibm(['instances']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^SERVICE\s+NAME\s+REGION\s+STATE\s+GUID$/);
    expect(lines[1]).toMatch(/^WML\s+maxrec-ml\s+us-south\s+active\s+\S+$/);
    expect(lines[3]).toContain(String(cos['guid']));
    // Columns line up: the GUIDs start at the same place on every row.
    const at = lines.slice(1, 4).map((l) => l.search(/\S+$/));
    expect(new Set(at).size).toBe(1);
  });

  it('prints one JSON record a line with --json', async () => {
    const result = await ibm(['instances', '--json']);
    expect(result.code).toBe(0);
    const records = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => [r['type'], r['kind'], r['name']])).toEqual([
      ['instance', 'wml', 'maxrec-ml'],
      ['instance', 'wml', 'maxrec-ml-frankfurt'],
      ['instance', 'cos', 'maxrec-storage'],
    ]);
    expect(records[2]).toMatchObject({ crn: cos['crn'], region: 'global' });
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
    const records = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toEqual(
      server.spaces.map((s) => ({ type: 'space', id: s.id, name: s.name })),
    );
  });
});

describe('maxrec ibm hmac-key', () => {
  it('writes the keys to a 0600 env file and shows only masked values', async () => {
    const keysFile = path.join(ws.dir, 'cos.env');
    const result = await ibm([
      'hmac-key',
      '--cos-instance',
      String(cos['guid']),
      '--keys-file',
      keysFile,
      '--name',
      'maxrec-e2e',
    ]);
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
    const result = await ibm([
      'hmac-key',
      '--cos-instance',
      String(cos['guid']),
      '--keys-file',
      keysFile,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already exists/);
    expect(result.stderr).toMatch(/--force/);
    expect(readFileSync(keysFile, 'utf8')).toBe('keep me\n');
    expect(server.keys.length).toBe(before);
  });

  it('replaces the file with --force, as JSON without the secret', async () => {
    const keysFile = path.join(ws.dir, 'replace.env');
    writeFileSync(keysFile, 'old\n', { mode: 0o644 });
    const result = await ibm([
      'hmac-key',
      '--cos-instance',
      String(cos['crn']),
      '--keys-file',
      keysFile,
      '--force',
      '--json',
    ]);
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
