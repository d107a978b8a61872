/**
 * Buckets in IBM Cloud Object Storage, through ibm-cos-sdk (IBM's fork of
 * AWS SDK JS v2, which signs with HMAC keys or with an IAM API key; see
 * https://cloud.ibm.com/docs/cloud-object-storage?topic=cloud-object-storage-node).
 * The SDK is kept behind StorageService so that a move to
 * @aws-sdk/client-s3 before IBM ends v1 support (2027-08) touches one file.
 *
 * Retries: the SDK retries network errors, throttling and 5xx itself with
 * exponential backoff (`maxRetries`, `retryDelayOptions`), each part of a
 * multipart upload on its own.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import S3 from 'ibm-cos-sdk/clients/s3.js';
import { ExitCode, MaxrecError } from '../../core/errors.js';
import { progressReporter } from '../local/file-transfer.js';
import type {
  OnTransferProgress,
  StorageService,
  StoredObject,
} from '../types.js';
import { objectKey, filesToUpload } from '../upload-files.js';
import { cosError, cosFields } from './cos-errors.js';
import { checkCosEndpoint } from './cos-endpoint.js';

export type CosCredentials =
  | { kind: 'hmac'; accessKeyId: string; secretAccessKey: string }
  | {
      kind: 'iam';
      apiKey: string;
      /** The COS instance's id or CRN. */
      serviceInstanceId: string;
      iamUrl?: string;
    };

export interface CosStorageOptions {
  endpoint: string;
  credentials: CosCredentials;
  /** Location and storage class for new buckets, e.g. us-south-standard. */
  locationConstraint?: string;
  /**
   * The SigV4 signing region. COS takes any; other S3 stores (Swift's
   * s3api) insist on their own. Unset: the SDK's default.
   */
  region?: string;
  /** Keys a listing page asks for (S3's default and most: 1000). */
  listPageSize?: number;
  /** Keys a delete request names (S3's most: 1000). */
  deleteBatchSize?: number;
  /** Multipart part size in bytes (COS: 5 MiB to 5 GiB; default 8 MiB). */
  partSize?: number;
  /** Parts in flight at once (default 4). */
  queueSize?: number;
  /** Retries of each request after the first try (default 5). */
  maxRetries?: number;
  /** Timeout of a read of the growing log, in ms (default 15 s). */
  logReadTimeoutMs?: number;
  /** First retry delay in ms; doubled each time (default 300). */
  retryBaseMs?: number;
  progressIntervalMs?: number;
}

export class CosStorage implements StorageService {
  readonly location: string;
  private readonly s3: S3;
  private readonly logS3: S3;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly progressIntervalMs: number;

  constructor(private readonly options: CosStorageOptions) {
    const endpoint = checkCosEndpoint(options.endpoint, options.credentials);
    this.location = endpoint.href.replace(/\/$/, '');
    const common = {
      endpoint: this.location,
      s3ForcePathStyle: true,
      ...(options.region ? { region: options.region } : {}),
      maxRetries: options.maxRetries ?? 5,
      retryDelayOptions: { base: options.retryBaseMs ?? 300 },
      // `timeout` is the socket's idle time: a stalled server is retried
      // after 30 s of silence instead of hanging the upload.
      httpOptions: { connectTimeout: 10_000, timeout: 30_000 },
    };
    this.s3 = s3Client(common, options.credentials);
    // A log read is small and is tried again at the next poll anyway: a
    // hung store must not hold the follow for minutes.
    this.logS3 = s3Client(
      {
        ...common,
        maxRetries: Math.min(common.maxRetries, 1),
        httpOptions: {
          connectTimeout: 10_000,
          timeout: options.logReadTimeoutMs ?? 15_000,
        },
      },
      options.credentials,
    );
    this.partSize = options.partSize ?? 8 * 2 ** 20;
    this.queueSize = options.queueSize ?? 4;
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
  }

  /**
   * Creates the bucket at the configured location unless it exists and is
   * ours. Tells "taken by another account" from "invalid name" from
   * "at another location", each with what to do.
   */
  async ensureBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    const doing = `checking the bucket ${bucket}`;
    try {
      await this.send(this.s3.headBucket({ Bucket: bucket }), signal);
      return;
    } catch (error) {
      const { statusCode } = cosFields(error);
      if (statusCode === 403) throw await this.forbidden(bucket, error, signal);
      if (statusCode !== 404) {
        throw cosError(error, doing, this.location, ExitCode.environment);
      }
    }
    const location = this.options.locationConstraint;
    try {
      await this.send(
        this.s3.createBucket({
          Bucket: bucket,
          ...(location
            ? { CreateBucketConfiguration: { LocationConstraint: location } }
            : {}),
        }),
        signal,
      );
    } catch (error) {
      const { code } = cosFields(error);
      if (code === 'BucketAlreadyOwnedByYou') return;
      if (code === 'BucketAlreadyExists') throw taken(bucket, error);
      if (code === 'InvalidBucketName') {
        throw new MaxrecError(
          ExitCode.configuration,
          `Cloud Object Storage says "${bucket}" is not a valid bucket name.`,
          {
            hint: 'Use 3-63 lowercase letters, digits, dots and hyphens.',
            cause: error,
          },
        );
      }
      if (
        code === 'InvalidLocationConstraint' ||
        code === 'IllegalLocationConstraintException'
      ) {
        throw new MaxrecError(
          ExitCode.configuration,
          `Cloud Object Storage at ${this.location} cannot create a bucket ` +
            `at location "${location ?? '(none)'}".`,
          {
            hint:
              'Set backend.ibm.location to a location and class that this ' +
              'endpoint serves (e.g. us-south-standard for s3.us-south).',
            cause: error,
          },
        );
      }
      throw cosError(
        error,
        `creating the bucket ${bucket}`,
        this.location,
        ExitCode.environment,
      );
    }
  }

  async listObjects(
    bucket: string,
    prefix = '',
    signal?: AbortSignal,
  ): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.send(
        this.s3.listObjectsV2({
          Bucket: bucket,
          Prefix: prefix || undefined,
          ContinuationToken: token,
          MaxKeys: this.options.listPageSize,
        }),
        signal,
      ).catch((error: unknown) => {
        if (cosFields(error).code === 'NoSuchBucket') {
          throw noSuchBucket(bucket, this.location, error);
        }
        throw cosError(
          error,
          `listing ${bucket}/${prefix}`,
          this.location,
          ExitCode.download,
        );
      });
      for (const object of page.Contents ?? []) {
        if (object.Key)
          objects.push({ key: object.Key, bytes: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  /**
   * Each file goes up in one request, or in parts when larger than a part.
   * A cancelled or failed multipart upload is aborted, so no parts are
   * left behind to be billed; one left by a killed process is aborted the
   * next time the same key is uploaded.
   */
  async upload(
    localPath: string,
    bucket: string,
    prefix: string,
    options: {
      skip?: (relativePath: string) => boolean;
      onProgress?: OnTransferProgress;
      signal?: AbortSignal;
    } = {},
  ): Promise<StoredObject[]> {
    const { signal } = options;
    const files = await filesToUpload(localPath, options.skip, signal);
    const keyOf = (relative: string) => objectKey(prefix, relative);
    await this.ensureBucket(bucket, signal);
    const report = progressReporter(
      files.reduce((sum, file) => sum + file.bytes, 0),
      files.length,
      this.progressIntervalMs,
      options.onProgress,
    );
    const uploaded: StoredObject[] = [];
    for (const file of files) {
      const key = keyOf(file.relative);
      await this.abortStaleUploads(bucket, key, signal);
      let sent = 0;
      const managed = this.s3.upload(
        { Bucket: bucket, Key: key, Body: createReadStream(file.absolute) },
        { partSize: this.partSize, queueSize: this.queueSize },
      );
      managed.on('httpUploadProgress', ({ loaded }) => {
        report.bytes(file.relative, loaded - sent);
        sent = loaded;
      });
      const abort = () => managed.abort();
      signal?.addEventListener('abort', abort, { once: true });
      try {
        await managed.promise();
      } catch (error) {
        // The SDK's own abort of the parts is not awaited: make sure.
        await this.abortStaleUploads(bucket, key).catch(() => undefined);
        signal?.throwIfAborted();
        throw cosError(
          error,
          `uploading ${file.relative} to ${bucket}/${key}`,
          this.location,
          ExitCode.data,
        );
      } finally {
        signal?.removeEventListener('abort', abort);
      }
      report.fileDone(file.relative);
      uploaded.push({ key, bytes: file.bytes });
    }
    report.flush();
    return uploaded;
  }

  /** Streams to a temporary file beside `localFile`, renamed when complete. */
  async download(
    bucket: string,
    key: string,
    localFile: string,
    options: { onProgress?: OnTransferProgress; signal?: AbortSignal } = {},
  ): Promise<void> {
    const { signal } = options;
    const doing = `downloading ${bucket}/${key}`;
    const head = await this.send(
      this.s3.headObject({ Bucket: bucket, Key: key }),
      signal,
    ).catch((error: unknown) => {
      throw cosError(error, doing, this.location, ExitCode.download);
    });
    const report = progressReporter(
      head.ContentLength ?? 0,
      1,
      this.progressIntervalMs,
      options.onProgress,
    );
    const temp = path.join(
      path.dirname(localFile),
      `.${path.basename(localFile)}.maxrec-tmp-${randomBytes(4).toString('hex')}`,
    );
    const request = this.s3.getObject({ Bucket: bucket, Key: key });
    try {
      await fs.mkdir(path.dirname(localFile), { recursive: true });
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          report.bytes(key, chunk.length);
          callback(null, chunk);
        },
      });
      await pipeline(
        request.createReadStream(),
        counter,
        createWriteStream(temp, { flags: 'wx' }),
        { signal },
      );
      await fs.rename(temp, localFile);
    } catch (error) {
      request.abort();
      await fs.rm(temp, { force: true }).catch(() => undefined);
      signal?.throwIfAborted();
      throw cosError(error, doing, this.location, ExitCode.download);
    }
    report.fileDone(key);
    report.flush();
  }

  /**
   * The bytes of an object from `start` on; empty when it has no more,
   * undefined when it does not exist (yet). For following a growing log.
   */
  async readFrom(
    bucket: string,
    key: string,
    start: number,
    signal?: AbortSignal,
  ): Promise<Buffer | undefined> {
    try {
      const object = await this.send(
        this.logS3.getObject({
          Bucket: bucket,
          Key: key,
          Range: `bytes=${start}-`,
        }),
        signal,
      );
      const body = object.Body;
      if (body === undefined) return Buffer.alloc(0);
      return Buffer.isBuffer(body) ? body : Buffer.from(body as Uint8Array);
    } catch (error) {
      const { statusCode, code } = cosFields(error);
      if (statusCode === 404 || code === 'NoSuchKey') return undefined;
      // 416: nothing past `start` yet.
      if (statusCode === 416) return Buffer.alloc(0);
      throw cosError(
        error,
        `reading ${bucket}/${key}`,
        this.location,
        ExitCode.download,
      );
    }
  }

  async deleteObjects(
    bucket: string,
    keys: string[],
    signal?: AbortSignal,
  ): Promise<void> {
    const size = this.options.deleteBatchSize ?? 1000;
    for (let start = 0; start < keys.length; start += size) {
      const batch = keys.slice(start, start + size);
      const result = await this.send(
        this.s3.deleteObjects({
          Bucket: bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
        signal,
      ).catch((error: unknown) => {
        throw cosError(
          error,
          `deleting ${batch.length} objects from ${bucket}`,
          this.location,
          ExitCode.environment,
        );
      });
      const failed = result.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0]!;
        throw new MaxrecError(
          ExitCode.environment,
          `Cloud Object Storage did not delete ${failed.length} of ` +
            `${batch.length} objects in ${bucket}; the first, ${first.Key}: ` +
            `${first.Code ?? 'error'} ${first.Message ?? ''}`.trim(),
        );
      }
    }
  }

  /**
   * A HEAD answers 403 with no body, so the reason is found out: keys that
   * do not sign, a bucket of ours that lives at another location, or a
   * name another account holds.
   */
  private async forbidden(
    bucket: string,
    cause: unknown,
    signal?: AbortSignal,
  ): Promise<unknown> {
    let owned: string[];
    try {
      const listing = await this.send(this.s3.listBuckets(), signal);
      owned = (listing.Buckets ?? []).map((b) => b.Name ?? '');
    } catch (error) {
      return cosError(
        error,
        `checking the bucket ${bucket}`,
        this.location,
        ExitCode.environment,
      );
    }
    if (owned.includes(bucket)) {
      return new MaxrecError(
        ExitCode.configuration,
        `The bucket ${bucket} is yours but cannot be reached through ` +
          `${this.location}.`,
        {
          hint:
            'A bucket is addressed at the endpoint of its own location: ' +
            'set data_stores.0.connection.endpoint to it.',
          cause,
        },
      );
    }
    return taken(bucket, cause);
  }

  /** Aborts unfinished multipart uploads of `key`, so no parts linger. */
  private async abortStaleUploads(
    bucket: string,
    key: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const listing = await this.send(
      this.s3.listMultipartUploads({ Bucket: bucket, Prefix: key }),
      signal,
    ).catch(() => undefined);
    for (const upload of listing?.Uploads ?? []) {
      if (upload.Key !== key || !upload.UploadId) continue;
      await this.send(
        this.s3.abortMultipartUpload({
          Bucket: bucket,
          Key: key,
          UploadId: upload.UploadId,
        }),
        signal,
      ).catch(() => undefined);
    }
  }

  /** Sends an SDK request, aborting it when the signal does. */
  private async send<T>(
    request: { promise(): Promise<T>; abort(): void },
    signal: AbortSignal | undefined,
  ): Promise<T> {
    signal?.throwIfAborted();
    const abort = () => request.abort();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      return await request.promise();
    } catch (error) {
      signal?.throwIfAborted();
      throw error;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }
}

/** A bucket that is not there: the data is missing, not the network. */
function noSuchBucket(
  bucket: string,
  location: string,
  cause: unknown,
): MaxrecError {
  const { requestId } = cosFields(cause);
  return new MaxrecError(
    ExitCode.data,
    `The bucket ${bucket} does not exist at ${location}` +
      `${requestId ? ` (request id ${requestId})` : ''}.`,
    {
      hint:
        'Check the bucket name in the config and the endpoint, or create ' +
        'the bucket and upload the data: `maxrec setup CONFIG ' +
        '--data-upload add`, then `maxrec train CONFIG prepare`.',
      cause,
    },
  );
}

function taken(bucket: string, cause: unknown): MaxrecError {
  return new MaxrecError(
    ExitCode.configuration,
    `The bucket name "${bucket}" is taken by another account ` +
      '(bucket names are global across Cloud Object Storage).',
    {
      hint: 'Choose another name with --data-bucket / --results-bucket.',
      cause,
    },
  );
}

/** An S3 client for COS with HMAC keys (SigV4) or an API key (IAM). */
function s3Client(
  common: S3.ClientConfiguration,
  credentials: CosCredentials,
): S3 {
  return credentials.kind === 'hmac'
    ? new S3({
        ...common,
        signatureVersion: 'v4',
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
      })
    : new S3({
        ...common,
        signatureVersion: 'iam',
        apiKeyId: credentials.apiKey,
        serviceInstanceId: credentials.serviceInstanceId,
        ibmAuthEndpoint:
          credentials.iamUrl ?? 'https://iam.cloud.ibm.com/identity/token',
      });
}
