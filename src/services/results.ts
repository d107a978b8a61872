/**
 * A finished run's results on this machine: the log and the model archive
 * downloaded into the staging folder (`training_output/`), the archive
 * extracted into `trained_model/` without letting any entry out of it, and
 * the model copied where the config says.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { ExitCode, MaxrecError, isAbortError } from '../core/errors.js';
import type { TrainedModelMetrics } from '../core/types.js';
import { errorCode, reasonOf } from './fs-errors.js';
import type {
  OnTransferProgress,
  RunResults,
  StorageService,
} from './types.js';

/** File names in the results bucket and the staging folder. */
export const LOG_FILE = 'training-log.txt';
export const ARCHIVE_FILE = 'model_training_output.tar.gz';
export const MODEL_FOLDER = 'trained_model';

/** The config key of the staging folder, named as config errors name keys. */
export const STAGING_DIR_KEY = 'process.0.params.staging_dir';

/**
 * Checks, before anything is uploaded or started, that the results can be
 * downloaded into `stagingDir`: creates it and writes a file there, then
 * removes what it created. MaxrecError (exit 6) naming the key otherwise.
 */
export async function checkStagingFolder(stagingDir: string): Promise<void> {
  try {
    await probeWritable(stagingDir);
  } catch (error) {
    throw new MaxrecError(
      ExitCode.download,
      `The results folder ${stagingDir} (${STAGING_DIR_KEY}) cannot be ` +
        `written: ${reasonOf(error)}. Nothing was uploaded or started.`,
      {
        hint: `Set ${STAGING_DIR_KEY} in the config to a folder you can write.`,
        cause: error,
      },
    );
  }
}

/**
 * Throws the file system's error when a file cannot be written in
 * `folder` (created for the test and removed again if it was not there).
 */
export async function probeWritable(folder: string): Promise<void> {
  const created: string[] = [];
  try {
    created.push(...(await makeFolders(folder)));
    const probe = path.join(
      folder,
      `.maxrec-write-check-${randomBytes(4).toString('hex')}`,
    );
    await fs.writeFile(probe, '');
    await fs.rm(probe, { force: true });
  } finally {
    for (const made of created.reverse()) {
      await fs.rmdir(made).catch(() => undefined);
    }
  }
}

/**
 * `mkdir -p` a level at a time, so that a failure has its own code (a
 * recursive mkdir says ENOENT under a read-only folder). Returns the
 * folders it created, outermost first.
 */
async function makeFolders(folder: string): Promise<string[]> {
  const missing: string[] = [];
  let current = path.resolve(folder);
  while (!(await fs.stat(current).catch(() => undefined))) {
    missing.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  const created: string[] = [];
  for (const level of missing) {
    try {
      await fs.mkdir(level);
      created.push(level);
    } catch (error) {
      // Another process made it meanwhile: as good.
      if (errorCode(error) !== 'EEXIST') throw error;
    }
  }
  return created;
}

/**
 * Download the log, then (unless `logOnly`) the model archive, into
 * `stagingDir`. Any failure is a MaxrecError with exit 6.
 */
export async function downloadResults(
  storage: StorageService,
  results: RunResults,
  stagingDir: string,
  options: {
    onProgress?: OnTransferProgress;
    signal?: AbortSignal;
    logOnly?: boolean;
  } = {},
): Promise<{ logFile: string; archiveFile?: string }> {
  try {
    await makeFolders(stagingDir);
  } catch (error) {
    throw new MaxrecError(
      ExitCode.download,
      `Cannot create the results folder ${stagingDir}: ${reasonOf(error)}.`,
      {
        hint: `Choose a writable folder for ${STAGING_DIR_KEY} in the config.`,
        cause: error,
      },
    );
  }
  const wanted = [{ key: results.logKey, file: LOG_FILE }];
  if (!options.logOnly) {
    wanted.push({ key: results.archiveKey, file: ARCHIVE_FILE });
  }
  let bytesBefore = 0;
  for (const [index, { key, file }] of wanted.entries()) {
    const target = path.join(stagingDir, file);
    let bytesHere = 0;
    try {
      await storage.download(results.bucket, key, target, {
        signal: options.signal,
        onProgress: (progress) => {
          bytesHere = progress.bytesTotal;
          options.onProgress?.({
            name: file,
            bytesDone: bytesBefore + progress.bytesDone,
            bytesTotal: bytesBefore + progress.bytesTotal,
            filesDone: index + progress.filesDone,
            filesTotal: wanted.length,
          });
        },
      });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new MaxrecError(
        ExitCode.download,
        `Could not download ${results.bucket}/${key} to ${target}: ${describe(error)}.`,
        { hint: hintOf(error, 'Check the results bucket.'), cause: error },
      );
    }
    bytesBefore += bytesHere;
  }
  const logFile = path.join(stagingDir, LOG_FILE);
  if (options.logOnly) return { logFile };
  return { logFile, archiveFile: path.join(stagingDir, ARCHIVE_FILE) };
}

/**
 * Extract the model archive into `stagingDir/trained_model/`. Entries with
 * absolute paths, `..`, or links leading outside are refused; extraction
 * happens in a temporary folder that replaces the old model only when
 * complete. Failures are MaxrecErrors with exit 7.
 */
export async function extractModelArchive(
  archive: string,
  stagingDir: string,
): Promise<string> {
  const target = path.join(stagingDir, MODEL_FOLDER);
  let temp: string | undefined;
  try {
    await fs.mkdir(stagingDir, { recursive: true });
    temp = await fs.mkdtemp(path.join(stagingDir, '.extract-'));
    const refused: string[] = [];
    await tar.x({
      file: archive,
      cwd: temp,
      strict: true,
      filter: (entryPath, entry) => {
        const problem = unsafeEntry(entryPath, entry);
        if (problem) refused.push(problem);
        return !problem;
      },
    });
    if (refused.length > 0) {
      throw extractionError(
        `The model archive ${archive} has unsafe entries: ${refused.slice(0, 3).join('; ')}.`,
        'It was not extracted. Only use archives from your own training runs.',
      );
    }
    const extracted = path.join(temp, MODEL_FOLDER);
    if (!(await fs.stat(extracted).catch(() => undefined))?.isDirectory()) {
      throw extractionError(
        `The model archive ${archive} holds no ${MODEL_FOLDER}/ folder.`,
        'The training did not save a model; read training-log.txt.',
      );
    }
    await replaceFolder(extracted, target);
    return target;
  } catch (error) {
    if (error instanceof MaxrecError) throw error;
    throw extractionError(
      `Could not extract ${archive} into ${stagingDir}: ${reasonOf(error)}.`,
      'The previous trained model, if any, was kept. Download the results again.',
      error,
    );
  } finally {
    if (temp) await fs.rm(temp, { recursive: true, force: true });
  }
}

/**
 * Copy the trained model's files into `destDir` (the config's
 * trained_model_local path). Failures are MaxrecErrors with exit 8.
 */
export async function copyTrainedModel(
  modelDir: string,
  destDir: string,
): Promise<void> {
  try {
    await fs.mkdir(destDir, { recursive: true });
    await fs.cp(modelDir, destDir, { recursive: true, force: true });
  } catch (error) {
    throw new MaxrecError(
      ExitCode.copy,
      `Could not copy the trained model to ${destDir}: ${reasonOf(error)}.`,
      {
        hint: 'Choose a writable folder for train.model_training_results.trained_model_local.path.',
        cause: error,
      },
    );
  }
}

const NUMBER_FIELDS = [
  'hit_rate_at_10',
  'ndcg_at_10',
  'users',
  'items',
  'interactions',
  'epochs_run',
  'train_seconds',
] as const;

/** Read and check `metrics.json` of a trained model folder (exit 7 if bad). */
export async function readMetrics(
  modelDir: string,
): Promise<TrainedModelMetrics> {
  const file = path.join(modelDir, 'metrics.json');
  let value: unknown;
  try {
    value = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw extractionError(
      `Cannot read the model's metrics ${file}: ${reasonOf(error)}.`,
      'Extract the model archive again, or retrain.',
      error,
    );
  }
  const record = (
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? value
      : {}
  ) as Record<string, unknown>;
  const wrong = NUMBER_FIELDS.filter(
    (key) => typeof record[key] !== 'number' || !Number.isFinite(record[key]),
  ).map((key) => `${key} (a number)`);
  if (typeof record.protocol !== 'string') wrong.push('protocol (a text)');
  if (wrong.length > 0) {
    throw extractionError(
      `The model's metrics ${file} lack or mistype ${wrong.join(', ')}.`,
      'The trainer that wrote it is not compatible; retrain with this version.',
    );
  }
  return record as TrainedModelMetrics;
}

/** Why an entry may not be extracted, or undefined when it is safe. */
function unsafeEntry(
  entryPath: string,
  entry: { type?: string; linkpath?: string } | unknown,
): string | undefined {
  const escapes = (p: string) =>
    p.startsWith('/') ||
    /^[A-Za-z]:/.test(p) ||
    p.includes('\\') ||
    path.posix.normalize(p).split('/').includes('..');
  if (escapes(entryPath)) return `${entryPath} (outside the folder)`;
  const { type, linkpath } = (entry ?? {}) as {
    type?: string;
    linkpath?: string;
  };
  const target =
    type === 'SymbolicLink' && linkpath && !linkpath.startsWith('/')
      ? path.posix.join(path.posix.dirname(entryPath), linkpath)
      : linkpath;
  if (
    (type === 'SymbolicLink' || type === 'Link') &&
    (!target || escapes(target))
  ) {
    return `${entryPath} -> ${linkpath ?? ''} (a link leading outside)`;
  }
  return undefined;
}

/** Put `source` at `target`, keeping the old `target` until that worked. */
async function replaceFolder(source: string, target: string): Promise<void> {
  const old = `${target}.old-${randomBytes(4).toString('hex')}`;
  const hadOld = await fs
    .rename(target, old)
    .then(() => true)
    .catch(() => false);
  try {
    await fs.rename(source, target);
  } catch (error) {
    if (hadOld) await fs.rename(old, target).catch(() => undefined);
    throw error;
  }
  if (hadOld) await fs.rm(old, { recursive: true, force: true });
}

function extractionError(
  message: string,
  hint: string,
  cause?: unknown,
): MaxrecError {
  return new MaxrecError(ExitCode.extraction, message, { hint, cause });
}

function describe(error: unknown): string {
  return error instanceof MaxrecError
    ? error.message.replace(/\.$/, '')
    : reasonOf(error);
}

function hintOf(error: unknown, fallback: string): string {
  return error instanceof MaxrecError && error.hint ? error.hint : fallback;
}
