/**
 * A HEAD on a bucket answers 403 with no body, and COS means one of two
 * things by it. Swift keeps bucket names per account and never answers
 * so, hence this small stand-in that answers as COS does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaxrecError } from '../../src/core/errors.js';
import { CosStorage } from '../../src/services/ibm/cos-storage.js';

let server: Server;
let endpoint: string;
/** Buckets ListBuckets reports as ours. */
let owned: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.method === 'HEAD') {
      response.writeHead(403).end();
      return;
    }
    const buckets = owned
      .map((name) => `<Bucket><Name>${name}</Name></Bucket>`)
      .join('');
    response
      .writeHead(200, { 'Content-Type': 'application/xml' })
      .end(
        '<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult>' +
          `<Owner><ID>me</ID></Owner><Buckets>${buckets}</Buckets>` +
          '</ListAllMyBucketsResult>',
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

const storage = () =>
  new CosStorage({
    endpoint,
    credentials: { kind: 'hmac', accessKeyId: 'id', secretAccessKey: 'key' },
    maxRetries: 0,
  });

describe('a bucket that answers 403', () => {
  it('is taken by another account when it is not among ours', async () => {
    owned = ['something-else'];
    const error = (await storage()
      .ensureBucket('popular-name')
      .catch((e: unknown) => e)) as MaxrecError;
    expect(error).toBeInstanceOf(MaxrecError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/"popular-name" is taken by another account/);
  });

  it('is ours at another location when ListBuckets has it', async () => {
    owned = ['my-bucket'];
    const error = (await storage()
      .ensureBucket('my-bucket')
      .catch((e: unknown) => e)) as MaxrecError;
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/is yours but cannot be reached/);
    expect(error.hint).toMatch(/endpoint of its own location/);
  });
});
