/**
 * The local S3 server (Swift + s3api) does what the ibm backend will ask
 * of COS, through ibm-cos-sdk with HMAC keys as the backend will call it.
 */
import COS from 'ibm-cos-sdk';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  s3Server,
  uniqueBucketName,
  type S3TestServer,
} from '../helpers/s3-server.js';

const MiB = 1024 * 1024;

let server: S3TestServer | undefined;
let cos: COS.S3;
let bucket: string;

beforeAll(async () => {
  server = await s3Server();
  cos = new COS.S3({
    endpoint: server.endpoint,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    region: server.region,
    signatureVersion: 'v4',
    s3ForcePathStyle: true,
    maxRetries: 0,
  });
  bucket = uniqueBucketName('smoke');
  await cos
    .createBucket({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: server.location },
    })
    .promise();
});

afterAll(async () => {
  await server?.stop();
});

/** The error code an SDK call fails with, or undefined when it succeeds. */
async function errorCode(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

async function keysOf(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await cos
      .listObjectsV2({
        Bucket: bucket,
        Prefix: prefix,
        ContinuationToken: token,
      })
      .promise();
    keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

describe('the local S3 server, through ibm-cos-sdk', () => {
  it('creates buckets in its one location only', async () => {
    const located = await cos.getBucketLocation({ Bucket: bucket }).promise();
    expect(located.LocationConstraint).toBe(server?.location);
    expect(
      await errorCode(
        cos
          .createBucket({
            Bucket: uniqueBucketName('elsewhere'),
            CreateBucketConfiguration: { LocationConstraint: 'eu-de-smart' },
          })
          .promise(),
      ),
    ).toBe('InvalidLocationConstraint');
    expect(
      await errorCode(cos.createBucket({ Bucket: bucket }).promise()),
    ).toBe('BucketAlreadyOwnedByYou');
  });

  it('puts an object and gets it back with its metadata', async () => {
    await cos
      .putObject({
        Bucket: bucket,
        Key: 'runs/one/config.yaml',
        Body: 'epochs: 3\n',
        ContentType: 'application/yaml',
        Metadata: { 'run-id': 'one' },
      })
      .promise();

    const object = await cos
      .getObject({ Bucket: bucket, Key: 'runs/one/config.yaml' })
      .promise();
    expect(String(object.Body)).toBe('epochs: 3\n');
    expect(object.ContentType).toBe('application/yaml');
    expect(object.Metadata).toEqual({ 'run-id': 'one' });
  });

  it('uploads a stream in 5 MiB parts and returns the same bytes', async () => {
    // 6 whole parts and a short seventh; parts under 5 MiB but the last
    // fail with EntityTooSmall, as on COS.
    const data = Buffer.alloc(6 * 5 * MiB + 1234);
    for (let i = 0; i < data.length; i += 997) data[i] = i % 251;
    const chunks = [data.subarray(0, 7 * MiB), data.subarray(7 * MiB)];
    const upload = cos.upload(
      // A byte stream, like a file's: from an object-mode stream the SDK
      // makes one part per read, however big, and so fewer parts.
      {
        Bucket: bucket,
        Key: 'model.tar.gz',
        Body: Readable.from(chunks, { objectMode: false }),
      },
      { partSize: 5 * MiB, queueSize: 2 },
    );
    const progress: number[] = [];
    upload.on('httpUploadProgress', (event) => progress.push(event.loaded));
    const uploaded = await upload.promise();

    expect(uploaded.ETag).toMatch(/-7"$/);
    expect(progress.at(-1)).toBe(data.length);
    const object = await cos
      .getObject({ Bucket: bucket, Key: 'model.tar.gz' })
      .promise();
    expect(Buffer.compare(object.Body as Buffer, data)).toBe(0);
  });

  it('lists past the first page with MaxKeys and ContinuationToken', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e'].map((name) => `pages/${name}`);
    for (const key of keys) {
      await cos.putObject({ Bucket: bucket, Key: key, Body: key }).promise();
    }

    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await cos
        .listObjectsV2({
          Bucket: bucket,
          Prefix: 'pages/',
          MaxKeys: 2,
          ContinuationToken: token,
        })
        .promise();
      pages.push((page.Contents ?? []).map((object) => object.Key ?? ''));
      expect(page.IsTruncated).toBe(page.NextContinuationToken !== undefined);
      token = page.NextContinuationToken;
    } while (token);
    expect(pages).toEqual([keys.slice(0, 2), keys.slice(2, 4), keys.slice(4)]);
  });

  it('deletes several objects in one request', async () => {
    const keys = ['x', 'y', 'z'].map((name) => `doomed/${name}`);
    for (const key of keys) {
      await cos.putObject({ Bucket: bucket, Key: key, Body: key }).promise();
    }

    const result = await cos
      .deleteObjects({
        Bucket: bucket,
        Delete: { Objects: keys.map((Key) => ({ Key })) },
      })
      .promise();
    expect(result.Errors).toEqual([]);
    expect(result.Deleted?.map((object) => object.Key).sort()).toEqual(keys);
    expect(await keysOf('doomed/')).toEqual([]);
  });

  it('leaves no upload or parts behind an aborted multipart upload', async () => {
    const Key = 'abandoned.bin';
    const { UploadId } = await cos
      .createMultipartUpload({ Bucket: bucket, Key })
      .promise();
    for (const PartNumber of [1, 2]) {
      await cos
        .uploadPart({
          Bucket: bucket,
          Key,
          UploadId: UploadId ?? '',
          PartNumber,
          Body: Buffer.alloc(5 * MiB),
        })
        .promise();
    }
    const before = await cos.listMultipartUploads({ Bucket: bucket }).promise();
    expect(before.Uploads?.map((upload) => upload.Key)).toEqual([Key]);

    await cos
      .abortMultipartUpload({ Bucket: bucket, Key, UploadId: UploadId ?? '' })
      .promise();

    const after = await cos.listMultipartUploads({ Bucket: bucket }).promise();
    expect(after.Uploads).toEqual([]);
    expect(
      await errorCode(
        cos
          .listParts({ Bucket: bucket, Key, UploadId: UploadId ?? '' })
          .promise(),
      ),
    ).toBe('NoSuchUpload');
    expect(await keysOf(Key)).toEqual([]);
  });
});
