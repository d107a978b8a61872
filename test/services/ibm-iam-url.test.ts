/**
 * MAXREC_IAM_URL: where every IAM sign-in goes when set (the app's IBM
 * Cloud lookup, a run), over backend.ibm.iam_url; https only, plain http
 * only to this machine.
 */
import { describe, expect, it } from 'vitest';

import { MaxrecError } from '../../src/core/errors.js';
import {
  DEFAULT_IAM_URL,
  IamTokenSource,
  iamUrlFrom,
} from '../../src/services/ibm/iam-token.js';

describe('iamUrlFrom', () => {
  it("takes MAXREC_IAM_URL over the config's, then the config's, then IBM's", () => {
    expect(
      iamUrlFrom(
        { MAXREC_IAM_URL: 'http://127.0.0.1:8123/' },
        'https://iam.example',
      ),
    ).toBe('http://127.0.0.1:8123');
    expect(iamUrlFrom({ MAXREC_IAM_URL: '' }, 'https://iam.example')).toBe(
      'https://iam.example',
    );
    expect(iamUrlFrom({})).toBe(DEFAULT_IAM_URL);
  });

  it('refuses a plain-http MAXREC_IAM_URL to another host, exit 3', () => {
    const error = (() => {
      try {
        return iamUrlFrom({ MAXREC_IAM_URL: 'http://192.0.2.2:8099' });
      } catch (e) {
        return e;
      }
    })() as MaxrecError;
    expect(error).toBeInstanceOf(MaxrecError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/MAXREC_IAM_URL .* is not an https:\/\//);
  });
});

describe('IamTokenSource', () => {
  it('signs in at MAXREC_IAM_URL when set, with the given env', async () => {
    const requested: string[] = [];
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      requested.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          access_token: 'token-from-override',
          expires_in: 3600,
          expiration: Math.floor(Date.now() / 1000) + 3600,
        }),
      );
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as { port: number };
    try {
      const tokens = new IamTokenSource({
        apiKey: 'key-0123456789',
        iamUrl: 'https://iam.invalid',
        env: { MAXREC_IAM_URL: `http://127.0.0.1:${port}` },
        retries: { retries: 0 },
      });
      expect(await tokens.token()).toBe('token-from-override');
      expect(requested).toEqual(['/identity/token']);
    } finally {
      server.close();
    }
  });
});
