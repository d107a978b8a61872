/**
 * What the user sees when WML hangs (a short status timeout, each retry
 * reported while following), when an https:// endpoint meets a plain-HTTP
 * server (one line naming the host, never OpenSSL's text), and the
 * sandbox's sample account for the setup screen's IBM Cloud lookups.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createIbmSetupServices } from '../../src/app/ibm-setup-services.js';
import { ExitCode, MaxrecError } from '../../src/core/errors.js';
import { CosStorage } from '../../src/services/ibm/cos-storage.js';
import { IamTokenSource } from '../../src/services/ibm/iam-token.js';
import { IbmBackend } from '../../src/services/ibm/ibm-backend.js';
import {
  STATUS_TIMEOUT_MS,
  WmlClient,
} from '../../src/services/ibm/wml-client.js';
import { startSandboxAccount } from '../helpers/ibm-sandbox-account.js';
import { startWmlContractServer } from '../helpers/wml-contract-server.js';

const tokens = { token: async () => 'test-token', invalidate: () => {} };

/** A server that takes requests and never answers them, or answers plainly. */
async function serve(
  answer: boolean,
): Promise<{ url: string; server: Server }> {
  const held: ServerResponse[] = [];
  const server = createServer((_req, res) => {
    if (answer) res.end('plain');
    else held.push(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { url: `127.0.0.1:${port}`, server };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((ok) => server.close(() => ok()));
}

async function failure(promise: Promise<unknown>): Promise<MaxrecError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MaxrecError);
  return error as MaxrecError;
}

describe('following a training while WML hangs', () => {
  let hung: { url: string; server: Server };
  beforeAll(async () => {
    hung = await serve(false);
  });
  afterAll(() => close(hung.server));

  it('reads status with a short timeout by default', () => {
    expect(STATUS_TIMEOUT_MS).toBe(15_000);
  });

  it('reports each retry as a log line, then fails with exit 2', async () => {
    const wml = new WmlClient({
      url: `http://${hung.url}`,
      spaceId: 'space',
      tokens,
      statusTimeoutMs: 200,
      retries: { retries: 2, minDelayMs: 1, maxDelayMs: 2 },
    });
    const backend = new IbmBackend({
      wml,
      storage: {} as CosStorage,
      connection: { kind: 'hmac' } as never,
      checkCredentials: async () => undefined,
      pollMs: 10,
    });
    const lines: string[] = [];
    const started = Date.now();
    const error = await failure(
      backend.follow('training-1', { onNotice: (l) => lines.push(l) }),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(lines).toEqual([
      'WML not answering; trying again, attempt 2 of 3',
      'WML not answering; trying again, attempt 3 of 3',
    ]);
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.message).toMatch(/Could not reach WML .*ECONNABORTED/);
  });
});

describe('an https:// endpoint at a plain-HTTP server', () => {
  let plain: { url: string; server: Server };
  beforeAll(async () => {
    plain = await serve(true);
  });
  afterAll(() => close(plain.server));

  const clear = (error: MaxrecError) => {
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.message).toContain(plain.url);
    expect(error.message).toContain('did not answer in TLS');
    expect(error.message).not.toMatch(/ssl3|SSL routines|\n/);
    expect(error.hint).toMatch(/http:\/\/.*https:\/\/.*proxy/);
  };

  it('says so for WML, at once', async () => {
    const wml = new WmlClient({
      url: `https://${plain.url}`,
      spaceId: 'space',
      tokens,
    });
    const started = Date.now();
    clear(await failure(wml.getTraining('training-1')));
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('says so for IAM', async () => {
    const iam = new IamTokenSource({
      apiKey: 'key',
      iamUrl: `https://${plain.url}`,
    });
    clear(await failure(iam.token()));
  });

  it('says so for Cloud Object Storage', async () => {
    const cos = new CosStorage({
      endpoint: `https://${plain.url}`,
      credentials: { kind: 'hmac', accessKeyId: 'id', secretAccessKey: 'k' },
      maxRetries: 0,
    });
    const error = await failure(cos.ensureBucket('maxrec-data'));
    clear(error);
    expect(error.message).toContain('checking the bucket maxrec-data');
  });
});

describe("the sandbox's sample account", () => {
  it('answers every lookup of the setup screen', async () => {
    const wml = await startWmlContractServer();
    const keys = { accessKeyId: 'sandbox-id', secretAccessKey: 'sandbox-key' };
    const account = await startSandboxAccount(wml, keys);
    try {
      const lookups = createIbmSetupServices({
        env: {
          ML_APIKEY: wml.apiKey,
          MAXREC_RESOURCE_CONTROLLER_URL: account.resourceControllerUrl,
          MAXREC_DATA_PLATFORM_URL: account.dataPlatformUrl,
        },
        iamUrl: () => wml.iamUrl,
      });
      const signal = new AbortController().signal;
      const look = (query: Parameters<typeof lookups.lookUpIbm>[0]) =>
        lookups.lookUpIbm(query, signal);
      const [group] = await look({ step: 'group' });
      const resourceGroupId = group!.id;
      expect(await look({ step: 'wml', resourceGroupId })).toMatchObject([
        { name: 'sandbox-wml' },
      ]);
      const [cos] = await look({ step: 'cos', resourceGroupId });
      expect(cos!.name).toBe('sandbox-cos');
      expect(await look({ step: 'space', wmlUrl: wml.url })).toMatchObject([
        { id: wml.spaceId, name: 'sandbox-space' },
      ]);
      const credentials = await look({
        step: 'credential',
        cosInstance: cos!.id,
      });
      expect(credentials).toMatchObject([
        { name: 'sandbox-credential', hmac: 'yes' },
      ]);
    } finally {
      await account.close();
      await wml.close();
    }
  });
});
