import { inspect } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ExitCode, MaxrecError } from '../../src/core/errors.js';
import {
  IamTokenSource,
  maskSecret,
  redact,
} from '../../src/services/ibm/iam-token.js';
import {
  startWmlContractServer,
  type WmlContractServer,
} from '../helpers/wml-contract-server.js';

const FAST = { retries: 2, minDelayMs: 1, maxDelayMs: 5 };

let server: WmlContractServer;
let clock: number;

beforeEach(async () => {
  server = await startWmlContractServer();
  clock = Date.now();
});
afterEach(() => server.close());

function source(apiKey = server.apiKey): IamTokenSource {
  return new IamTokenSource({
    apiKey,
    iamUrl: server.iamUrl,
    retries: FAST,
    now: () => clock,
  });
}

const tokenRequests = () => server.requestsTo('POST', '/identity/token');

async function failure(promise: Promise<unknown>): Promise<MaxrecError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MaxrecError);
  return error as MaxrecError;
}

describe('IamTokenSource', () => {
  it('posts the documented form and caches the token it gets', async () => {
    const tokens = source();
    const first = await tokens.token();
    expect(await tokens.token()).toBe(first);
    expect(tokenRequests()).toHaveLength(1);
    const [request] = tokenRequests();
    expect(request!.headers['content-type']).toBe(
      'application/x-www-form-urlencoded',
    );
    expect(request!.body).toEqual({
      grant_type: 'urn:ibm:params:oauth:grant-type:apikey',
      apikey: server.apiKey,
    });
  });

  it('shares one request between concurrent callers', async () => {
    const tokens = source();
    const all = await Promise.all([1, 2, 3, 4].map(() => tokens.token()));
    expect(new Set(all).size).toBe(1);
    expect(tokenRequests()).toHaveLength(1);
  });

  it('refreshes a 1-hour token once less than 10% of its life is left', async () => {
    const tokens = source();
    const first = await tokens.token();
    clock += 53 * 60_000; // 7 minutes left: still fine
    expect(await tokens.token()).toBe(first);
    clock += 2 * 60_000; // 5 minutes left: under 6 (10%), refresh
    expect(await tokens.token()).not.toBe(first);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('keeps a short-lived token for the first half of its life', async () => {
    server.tokenLifetimeS = 60;
    const tokens = source();
    const first = await tokens.token();
    clock += 29_000;
    expect(await tokens.token()).toBe(first);
    clock += 2_000;
    expect(await tokens.token()).not.toBe(first);
  });

  it('does not cache a token that arrives already expired', async () => {
    server.tokenLifetimeS = -10;
    const tokens = source();
    await tokens.token();
    await tokens.token();
    expect(tokenRequests()).toHaveLength(2);
  });

  it('fetches a new token after invalidate()', async () => {
    const tokens = source();
    const first = await tokens.token();
    tokens.invalidate();
    expect(await tokens.token()).not.toBe(first);
  });

  it('refuses a bad API key with exit 2, naming ML_APIKEY, never the key', async () => {
    const key = 'wrong-secret-api-key-SHOULD-NOT-LEAK-wxyz';
    const error = await failure(source(key).token());
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.message).toMatch(/refused the API key/);
    expect(error.message).toMatch(/BXNIM0415E/);
    expect(error.message).toContain('…wxyz');
    expect(error.hint).toMatch(/ML_APIKEY/);
    expect(inspect(error, { depth: 8 })).not.toContain(key);
    expect(tokenRequests()).toHaveLength(1); // a refusal is not retried
  });

  it('retries a 503 from IAM, then succeeds', async () => {
    server.failNext('POST', '/identity/token', 503);
    await expect(source().token()).resolves.toMatch(/^tok-/);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('names the host when IAM cannot be reached, exit 2', async () => {
    await server.close();
    const error = await failure(source().token());
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.message).toContain(new URL(server.iamUrl).host);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(inspect(error, { depth: 8 })).not.toContain(server.apiKey);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(source().token(controller.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});

describe('maskSecret and redact', () => {
  it('show the last 4 characters at most', () => {
    expect(maskSecret('abcdefghijkl')).toBe('…ijkl');
    expect(maskSecret('short')).toBe('…');
    expect(redact('key abcdefghijkl refused', ['abcdefghijkl'])).toBe(
      'key …ijkl refused',
    );
  });
});
