/**
 * CosStorage against a real S3 server on loopback: OpenStack Swift with its
 * s3api middleware (scripts/s3-server), started once for the run.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import S3 from 'ibm-cos-sdk/clients/s3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaxrecError } from '../../src/core/errors.js';
import { CosStorage } from '../../src/services/ibm/cos-storage.js';
import type { TransferProgress } from '../../src/services/types.js';
import { s3Server, type S3TestServer } from '../helpers/s3-server.js';

const MiB = 2 ** 20;
let server: S3TestServer;
let work: string;

beforeAll(async () => {
  server = await s3Server();
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-cos-'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

function storage(
  overrides: Partial<ConstructorParameters<typeof CosStorage>[0]> = {},
): CosStorage {
  return new CosStorage({
    endpoint: server.endpoint,
    credentials: {
      kind: 'hmac',
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
    },
    region: server.region,
    locationConstraint: server.location,
    partSize: 5 * MiB,
    queueSize: 2,
    retryBaseMs: 20,
    progressIntervalMs: 0,
    ...overrides,
  });
}

/** The raw SDK, to look behind CosStorage's back. */
function rawS3(): S3 {
  return new S3({
    endpoint: server.endpoint,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    region: server.region,
    signatureVersion: 'v4',
    s3ForcePathStyle: true,
  });
}

const bucketName = (what: string) =>
  `maxrec-${what}-${randomBytes(3).toString('hex')}`;

async function fileOf(name: string, bytes: number): Promise<string> {
  const file = path.join(work, name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, randomBytes(bytes));
  return file;
}

const sha = async (file: string) =>
  createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');

describe('buckets', () => {
  it('creates a bucket at its location, and takes an existing one of ours', async () => {
    const cos = storage();
    const bucket = bucketName('make');
    await cos.ensureBucket(bucket);
    await cos.ensureBucket(bucket);
    const listing = await rawS3().listBuckets().promise();
    expect(listing.Buckets?.map((b) => b.Name)).toContain(bucket);
  });

  it('refuses a location the server does not serve, with exit 3', async () => {
    const cos = storage({ locationConstraint: 'mars-north-standard' });
    const error = await cos
      .ensureBucket(bucketName('where'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaxrecError);
    expect((error as MaxrecError).exitCode).toBe(3);
    expect((error as MaxrecError).message).toMatch(/mars-north-standard/);
  });

  it('says the credentials were refused (exit 2), never showing the secret', async () => {
    const cos = storage({
      credentials: {
        kind: 'hmac',
        accessKeyId: server.accessKeyId,
        secretAccessKey: 'wrong-secret-0123456789',
      },
    });
    const error = (await cos
      .ensureBucket(bucketName('keys'))
      .catch((e: unknown) => e)) as MaxrecError;
    expect(error).toBeInstanceOf(MaxrecError);
    expect(error.exitCode).toBe(2);
    expect(`${error.message} ${error.hint}`).not.toContain('wrong-secret');
  });

  it('listing a bucket that does not exist is exit 4, naming it and where', async () => {
    const bucket = bucketName('none');
    const error = (await storage()
      .listObjects(bucket, 'data/')
      .catch((e: unknown) => e)) as MaxrecError;
    expect(error).toBeInstanceOf(MaxrecError);
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain(
      `The bucket ${bucket} does not exist at ${server.endpoint.replace(/\/$/, '')}`,
    );
    expect(error.message).not.toMatch(/NoSuchBucket|404/);
    expect(error.hint).toMatch(/bucket name/);
    expect(error.hint).toContain('--data-upload add');
  });
});

describe('uploads and downloads', () => {
  it('uploads a folder, a large file in more than 5 parts, with progress', async () => {
    const cos = storage();
    const bucket = bucketName('up');
    const folder = path.join(work, 'data');
    const big = await fileOf('data/ratings.csv', 27 * MiB);
    await fileOf('data/sub/movies.csv', 1000);
    const progress: TransferProgress[] = [];
    const uploaded = await cos.upload(folder, bucket, 'in', {
      onProgress: (p) => progress.push(p),
    });
    expect(uploaded).toEqual([
      { key: 'in/ratings.csv', bytes: 27 * MiB },
      { key: 'in/sub/movies.csv', bytes: 1000 },
    ]);
    // Part by part: the bytes only grow, and end at the total.
    const done = progress.map((p) => p.bytesDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({
      bytesDone: 27 * MiB + 1000,
      bytesTotal: 27 * MiB + 1000,
      filesDone: 2,
      filesTotal: 2,
    });
    expect(new Set(done).size).toBeGreaterThan(5);

    const head = await rawS3()
      .headObject({ Bucket: bucket, Key: 'in/ratings.csv' })
      .promise();
    // A multipart object's ETag ends with "-<parts>".
    expect(Number(/-(\d+)"?$/.exec(head.ETag ?? '')?.[1])).toBe(6);

    const back = path.join(work, 'back', 'ratings.csv');
    await cos.download(bucket, 'in/ratings.csv', back, {});
    expect(await sha(back)).toBe(await sha(big));
    expect(await fs.readdir(path.dirname(back))).toEqual(['ratings.csv']);
  }, 120_000);

  it('lists past one page and deletes in batches', async () => {
    const cos = storage({ listPageSize: 2, deleteBatchSize: 2 });
    const bucket = bucketName('list');
    const folder = path.join(work, 'many');
    for (let i = 0; i < 5; i += 1) await fileOf(`many/f${i}.txt`, 10);
    await cos.upload(folder, bucket, '', {});
    const listed = await cos.listObjects(bucket);
    expect(listed.map((o) => o.key)).toEqual([
      'f0.txt',
      'f1.txt',
      'f2.txt',
      'f3.txt',
      'f4.txt',
    ]);
    expect(await cos.listObjects(bucket, 'f3')).toEqual([
      { key: 'f3.txt', bytes: 10 },
    ]);
    await cos.deleteObjects(
      bucket,
      listed.map((o) => o.key),
    );
    expect(await cos.listObjects(bucket)).toEqual([]);
  });

  it('reads a growing object from an offset', async () => {
    const cos = storage();
    const bucket = bucketName('tail');
    await cos.ensureBucket(bucket);
    expect(await cos.readFrom(bucket, 'log.txt', 0)).toBeUndefined();
    await rawS3()
      .putObject({ Bucket: bucket, Key: 'log.txt', Body: 'one\ntwo\n' })
      .promise();
    expect((await cos.readFrom(bucket, 'log.txt', 4))?.toString()).toBe(
      'two\n',
    );
    expect((await cos.readFrom(bucket, 'log.txt', 8))?.length).toBe(0);
  });

  it('a missing object fails the download with exit 6 and leaves no file', async () => {
    const cos = storage();
    const bucket = bucketName('miss');
    await cos.ensureBucket(bucket);
    const target = path.join(work, 'missing', 'archive.tar.gz');
    const error = (await cos
      .download(bucket, 'nothing.tar.gz', target, {})
      .catch((e: unknown) => e)) as MaxrecError;
    expect(error.exitCode).toBe(6);
    expect(error.message).toMatch(/nothing\.tar\.gz/);
    expect(existsSync(target)).toBe(false);
  });
});

describe('interrupted uploads', () => {
  it('a cancelled multipart upload leaves no parts and no object behind', async () => {
    const cos = storage({ queueSize: 1 });
    const bucket = bucketName('cancel');
    const file = await fileOf('cancel/big.bin', 40 * MiB);
    const controller = new AbortController();
    const upload = cos.upload(file, bucket, '', {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesDone >= 5 * MiB) controller.abort();
      },
    });
    await expect(upload).rejects.toThrow(/abort/i);
    const s3 = rawS3();
    const uploads = await s3.listMultipartUploads({ Bucket: bucket }).promise();
    expect(uploads.Uploads ?? []).toEqual([]);
    expect(await cos.listObjects(bucket)).toEqual([]);
  }, 60_000);

  it('the endpoint going away mid-upload: retried, then exit 2 naming it', async () => {
    // A proxy in front of the server, shut (and its connections cut) once
    // the first part is through: to the client, the server has stopped.
    const target = new URL(server.endpoint);
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port), target.hostname);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop);
      upstream.on('error', drop);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as net.AddressInfo;
    const endpoint = `http://127.0.0.1:${port}`;
    const cos = storage({ endpoint, maxRetries: 2, queueSize: 1 });
    const bucket = bucketName('gone');
    const file = await fileOf('gone/big.bin', 30 * MiB);
    let stopped = false;
    const error = (await cos
      .upload(file, bucket, '', {
        onProgress: (p) => {
          if (stopped || p.bytesDone < 5 * MiB) return;
          stopped = true;
          proxy.close();
          for (const socket of sockets) socket.destroy();
        },
      })
      .catch((e: unknown) => e)) as MaxrecError;
    expect(stopped).toBe(true);
    expect(error).toBeInstanceOf(MaxrecError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(endpoint);
    expect(error.hint).toMatch(/retried/);
    // The server itself is fine: the parts sent before are cleaned up the
    // next time the same key is uploaded.
    const direct = storage();
    await direct.upload(file, bucket, '', {});
    const uploads = await rawS3()
      .listMultipartUploads({ Bucket: bucket })
      .promise();
    expect(uploads.Uploads ?? []).toEqual([]);
    expect(await direct.listObjects(bucket)).toEqual([
      { key: 'big.bin', bytes: 30 * MiB },
    ]);
  }, 90_000);
});
