/**
 * Buckets as folders on disk: `<root>/buckets/<bucket>/<key>`. Every object
 * is written under a temporary name beside its final place and renamed when
 * complete, so a reader never sees half an object.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, MaxrecError } from '../../core/errors.js';
import { errorCode, reasonOf } from '../fs-errors.js';
import { bucketsDirectory } from '../paths.js';
import { objectKey, filesToUpload, walkFiles } from '../upload-files.js';
import type {
  OnTransferProgress,
  StorageService,
  StoredObject,
} from '../types.js';
import {
  TEMP_MARKER,
  copyAtomically,
  progressReporter,
} from './file-transfer.js';

/** Tuning of the local storage. */
export interface LocalStorageOptions {
  /** Least time between two progress callbacks; the last one always comes. */
  progressIntervalMs?: number;
}

/** The local backend's storage: folders acting as buckets. */
export class LocalStorage implements StorageService {
  readonly location: string;
  private readonly progressIntervalMs: number;

  /** @param root the app's data directory (see paths.ts). */
  constructor(root: string, options: LocalStorageOptions = {}) {
    this.location = bucketsDirectory(root);
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
  }

  /** The folder of a bucket; throws (exit 3) for a name that is not one. */
  bucketPath(bucket: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(bucket) || bucket.includes('..')) {
      throw new MaxrecError(
        ExitCode.configuration,
        `"${bucket}" is not a valid bucket name.`,
        { hint: 'Use letters, digits, dots, dashes and underscores only.' },
      );
    }
    return path.join(this.location, bucket);
  }

  /** The file of an object; throws (exit 3) for a key leaving its bucket. */
  objectPath(bucket: string, key: string): string {
    const bucketDir = this.bucketPath(bucket);
    const parts = key.split('/').filter((part) => part !== '');
    const escapes =
      path.isAbsolute(key) ||
      /^[A-Za-z]:/.test(key) ||
      key.includes('\\') ||
      key.includes('\0') ||
      parts.some((part) => part === '..' || part === '.') ||
      parts.length === 0;
    const file = path.join(bucketDir, ...parts);
    if (escapes || !isInside(bucketDir, file)) {
      throw new MaxrecError(
        ExitCode.configuration,
        `The key "${key}" would leave the bucket "${bucket}".`,
        { hint: 'Use relative keys with forward slashes and no "..".' },
      );
    }
    return file;
  }

  async ensureBucket(bucket: string): Promise<void> {
    const dir = this.bucketPath(bucket);
    try {
      await fs.mkdir(dir, { recursive: true });
    } catch (error) {
      throw new MaxrecError(
        ExitCode.environment,
        `Could not create the bucket folder ${dir}: ${reasonOf(error)}.`,
        { hint: 'Check backend.local.root or MAXREC_HOME.', cause: error },
      );
    }
  }

  async listObjects(
    bucket: string,
    prefix = '',
    signal?: AbortSignal,
  ): Promise<StoredObject[]> {
    const dir = this.bucketPath(bucket);
    const files = await walkFiles(dir, () => false, signal).catch(
      (error: unknown) => {
        if (errorCode(error) === 'ENOENT') return [];
        throw error;
      },
    );
    return files
      .filter((file) => !path.basename(file.relative).includes(TEMP_MARKER))
      .map((file) => ({ key: file.relative, bytes: file.bytes }))
      .filter((object) => object.key.startsWith(prefix));
  }

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
    for (const file of files) this.objectPath(bucket, keyOf(file.relative));
    await this.ensureBucket(bucket);

    const report = progressReporter(
      files.reduce((sum, file) => sum + file.bytes, 0),
      files.length,
      this.progressIntervalMs,
      options.onProgress,
    );
    const uploaded: StoredObject[] = [];
    for (const file of files) {
      const key = keyOf(file.relative);
      await copyAtomically(
        file.absolute,
        this.objectPath(bucket, key),
        (bytes) => report.bytes(file.relative, bytes),
        ExitCode.data,
        signal,
      );
      report.fileDone(file.relative);
      uploaded.push({ key, bytes: file.bytes });
    }
    report.flush();
    return uploaded;
  }

  async download(
    bucket: string,
    key: string,
    localFile: string,
    options: { onProgress?: OnTransferProgress; signal?: AbortSignal } = {},
  ): Promise<void> {
    const source = this.objectPath(bucket, key);
    const stat = await fs.stat(source).catch((error: unknown) => {
      throw new MaxrecError(
        ExitCode.download,
        `The object ${bucket}/${key} could not be read: ${reasonOf(error)}.`,
        { hint: `Look in ${path.join(this.location, bucket)}.`, cause: error },
      );
    });
    const report = progressReporter(
      stat.size,
      1,
      this.progressIntervalMs,
      options.onProgress,
    );
    await copyAtomically(
      source,
      localFile,
      (bytes) => report.bytes(key, bytes),
      ExitCode.download,
      options.signal,
    );
    report.fileDone(key);
    report.flush();
  }

  async deleteObjects(
    bucket: string,
    keys: string[],
    signal?: AbortSignal,
  ): Promise<void> {
    const bucketDir = this.bucketPath(bucket);
    for (const key of keys) {
      signal?.throwIfAborted();
      const file = this.objectPath(bucket, key);
      await fs.rm(file, { force: true });
      await removeEmptyParents(path.dirname(file), bucketDir);
    }
  }
}

async function removeEmptyParents(dir: string, stopAt: string): Promise<void> {
  let current = dir;
  while (isInside(stopAt, current) && current !== stopAt) {
    try {
      await fs.rmdir(current);
    } catch {
      return;
    }
    current = path.dirname(current);
  }
}

function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return (
    relative === '' ||
    (relative !== '..' &&
      !relative.startsWith(`..${path.sep}`) &&
      !path.isAbsolute(relative))
  );
}
