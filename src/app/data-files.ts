/**
 * Where the ratings data is: the file to inspect in a folder, its key in
 * the data bucket, what a folder upload leaves out, and the bucket's data
 * used as it is (upload: existing).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { JourneySettings, UploadResult } from '../core/ports.js';
import { ExitCode, MaxrecError } from '../core/errors.js';
import type { DataInspection } from '../core/types.js';
import { CONFIG_FILE_NAME } from '../services/config/config-file.js';
import { delimiterChars, type Settings } from '../services/config/schema.js';
import { hasDataExtension } from '../services/ratings-file-choice.js';
import type { StoredObject } from '../services/types.js';
import { objectKey } from '../services/upload-files.js';

/** Files in the top of a data folder that are never uploaded (as the original). */
const NOT_UPLOADED = new Set(['README.md']);

/** COS HMAC keys setup writes beside the config: secrets, never uploaded. */
const KEYS_FILE = /^cos-keys.*\.sh$/;

export const DEFAULT_DATA_FILE = 'data/ratings.csv';

/** `upload: existing`: train on the bucket as it is, if it has the data. */
export function existingData(
  objects: StoredObject[],
  bucket: string,
  prefix: string,
  dataFile: string,
): UploadResult {
  const key = objectKey(prefix, dataFile);
  if (!objects.some((o) => o.key === key)) {
    throw new MaxrecError(
      ExitCode.data,
      `The data bucket ${bucket} has no ${key}, and the config says to ` +
        'use its data as it is (upload: existing).',
      {
        hint:
          'Set train.data_source.training_data.upload to add (or run ' +
          '`maxrec setup CONFIG --data-upload add`) to upload the local data.',
      },
    );
  }
  return {
    objects: objects.length,
    bytes: objects.reduce((sum, o) => sum + o.bytes, 0),
    existing: true,
  };
}

/**
 * The ratings file's key in the data bucket, as an upload of `dataPath`
 * leaves it: a folder goes up whole, a file alone by its name.
 */
export function dataKeyOf(
  dataPath: string,
  file: string,
  isFolder: boolean,
): string {
  return isFolder
    ? toKey(path.relative(dataPath, file))
    : path.basename(dataPath);
}

/**
 * `upload: existing` with no local copy of the data: nothing to inspect,
 * and nothing needed, since the bucket's data is used as it is. The file
 * is where the config's data would be; the delimiter is the config's.
 */
export function notInspected(
  target: string,
  settings: Settings,
  delimiter: string | undefined,
): DataInspection {
  const file = hasDataExtension(target)
    ? path.resolve(target)
    : path.resolve(
        target,
        settings.hyperparameters.dataFile || DEFAULT_DATA_FILE,
      );
  return {
    file,
    bytes: 0,
    delimiter: delimiterChars(delimiter ?? settings.hyperparameters.delimiter),
    hasHeader: false,
    encoding: 'utf-8',
    columns: [],
    roles: {},
    users: 0,
    items: 0,
    interactions: 0,
    rows: 0,
    duplicates: 0,
    singleInteractionUsers: 0,
    preview: [],
    errors: [],
    warnings: [
      {
        message:
          `${target} is not here, so it was not inspected: the data ` +
          'bucket is used as it is (upload: existing).',
      },
    ],
  };
}

/** A folder, or a path that is not there and has no data file's name. */
export async function looksLikeFolder(target: string): Promise<boolean> {
  if (await exists(target)) return isDirectory(target);
  return !hasDataExtension(target);
}

export async function exists(target: string): Promise<boolean> {
  return (await fs.stat(target).catch(() => undefined)) !== undefined;
}

/** `dataPath` as the config stores it: relative to its folder, or absolute. */
export function storedDataPath(configFile: string, dataPath: string): string {
  if (path.isAbsolute(dataPath)) return dataPath;
  const configDir = path.dirname(path.resolve(configFile));
  return path.relative(configDir, path.resolve(dataPath)) || '.';
}

/**
 * What a data folder upload leaves out: the original's README.md; and,
 * when the data folder holds the config, the config, its code archive and
 * COS key files, which hold secrets.
 */
export function notUploaded(
  dataPath: string,
  configPath: string,
  archivePath: string | undefined,
): (relativePath: string) => boolean {
  const inData = (file: string | undefined): string[] => {
    if (!file) return [];
    const relative = path.relative(dataPath, path.resolve(file));
    return relative.startsWith('..') || path.isAbsolute(relative)
      ? []
      : [toKey(relative)];
  };
  const skipped = new Set([
    ...NOT_UPLOADED,
    ...inData(configPath),
    ...inData(archivePath),
  ]);
  return (relativePath) => {
    const name = path.posix.basename(relativePath);
    return (
      skipped.has(relativePath) ||
      name === CONFIG_FILE_NAME ||
      KEYS_FILE.test(name)
    );
  };
}

/**
 * The file to inspect: a file as given; in a folder, the config's
 * `data_file` when it is there. In the config's own data folder a missing
 * `data_file` is an error; in another folder the inspector picks the file.
 */
export async function ratingsFileIn(
  target: string,
  settings: Settings | undefined,
): Promise<string> {
  const dataFile = settings?.hyperparameters.dataFile;
  if (!dataFile || !(await isDirectory(target))) return target;
  const file = path.resolve(target, dataFile);
  if (await fs.stat(file).catch(() => undefined)) return file;
  if (path.resolve(target) === settings.localDataDir) {
    throw new MaxrecError(
      ExitCode.data,
      `The ratings file ${dataFile} named by the config is not in ${target}.`,
      {
        hint:
          'Fix train.hyperparameters.data_file (or `maxrec setup CONFIG ' +
          '--data-file FILE`), relative to the data folder.',
      },
    );
  }
  return target;
}

/** The item titles file, when the config names one that exists. */
export async function titlesFile(
  settings: JourneySettings,
): Promise<string | undefined> {
  if (!settings.itemTitlesFile) return undefined;
  const base = (await isDirectory(settings.localDataDir))
    ? settings.localDataDir
    : path.dirname(settings.localDataDir);
  const file = path.resolve(base, settings.itemTitlesFile);
  return (await fs.stat(file).catch(() => undefined)) ? file : undefined;
}

/** `relative` when it exists in `folder`, else '' (the config's "unset"). */
export async function keptIfPresent(
  folder: string,
  relative: string | undefined,
): Promise<string> {
  if (!relative) return '';
  const found = await fs.stat(path.resolve(folder, relative)).catch(() => null);
  return found ? relative : '';
}

export async function isDirectory(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

export function toKey(relative: string): string {
  return relative.split(path.sep).join('/');
}
