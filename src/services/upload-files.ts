/**
 * The files an upload sends: every regular file under a folder (or the one
 * file named), with forward-slash paths relative to it. Shared by every
 * storage service, so the local and cloud buckets receive the same keys.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, MaxrecError } from '../core/errors.js';
import { reasonOf } from './fs-errors.js';

export interface LocalFile {
  absolute: string;
  /** Forward slashes, relative to the folder walked. */
  relative: string;
  bytes: number;
}

/**
 * The files under `localPath` (or the file itself), minus `skip`; throws
 * (exit 4) when it cannot be read or holds no file.
 */
export async function filesToUpload(
  localPath: string,
  skip: ((relativePath: string) => boolean) | undefined,
  signal: AbortSignal | undefined,
): Promise<LocalFile[]> {
  const stat = await fs.stat(localPath).catch((error: unknown) => {
    throw new MaxrecError(
      ExitCode.data,
      `Cannot read ${localPath}: ${reasonOf(error)}.`,
      { hint: 'Check train.data_source.training_data_local.path.' },
    );
  });
  const files = stat.isDirectory()
    ? await walkFiles(localPath, skip ?? (() => false), signal)
    : [
        {
          absolute: localPath,
          relative: path.basename(localPath),
          bytes: stat.size,
        },
      ];
  if (files.length === 0) {
    throw new MaxrecError(
      ExitCode.data,
      `No files to upload in ${localPath}.`,
      {
        hint: 'Put the ratings file in that folder, or choose another one.',
      },
    );
  }
  return files;
}

/** Regular files under `dir`, sorted; symbolic links are followed. */
export async function walkFiles(
  dir: string,
  skip: (relativePath: string) => boolean,
  signal: AbortSignal | undefined,
  relativeDir = '',
): Promise<LocalFile[]> {
  signal?.throwIfAborted();
  const entries = await fs.readdir(path.join(dir, relativeDir));
  entries.sort();
  const files: LocalFile[] = [];
  for (const name of entries) {
    const relative = relativeDir ? `${relativeDir}/${name}` : name;
    if (skip(relative)) continue;
    const absolute = path.join(dir, relative);
    const stat = await fs.stat(absolute).catch(() => undefined);
    if (stat?.isDirectory()) {
      files.push(...(await walkFiles(dir, skip, signal, relative)));
    } else if (stat?.isFile()) {
      files.push({ absolute, relative, bytes: stat.size });
    }
  }
  return files;
}

/** The key of `relative` under `prefix` ('' for none), slashes trimmed. */
export function objectKey(prefix: string, relative: string): string {
  return [prefix.replace(/^\/+|\/+$/g, ''), relative].filter(Boolean).join('/');
}
