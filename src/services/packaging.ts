/**
 * The code archive sent to a training backend: `training_code/` zipped with
 * relative paths, shell scripts with LF line ends and the executable bit,
 * caches, virtual environments and tests left out, and the training command
 * written into train-max-model.sh.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import archiver from 'archiver';
import { ExitCode, MaxrecError, isAbortError } from '../core/errors.js';
import type { Hyperparameters } from '../core/types.js';
import { reasonOf } from './fs-errors.js';
import type { PackagingService } from './types.js';

/** The original's limit on the code archive. */
export const DEFAULT_MAX_ARCHIVE_BYTES = 4 * 1024 * 1024;

/** The entry point every backend runs. */
export const ENTRY_SCRIPT = 'train-max-model.sh';

/** Folder names left out wherever they are. */
const EXCLUDED_FOLDERS = new Set([
  '__pycache__',
  '.venv',
  'venv',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.git',
]);

/** Left out at the top only: the trainer's tests are not needed to train. */
const EXCLUDED_TOP_FOLDERS = new Set(['tests']);

const EXCLUDED_FILE = /\.py[co]$|^\.DS_Store$/;

/** Whether a path relative to the code folder is left out of the archive. */
export function isExcludedFromArchive(relativePath: string): boolean {
  const parts = relativePath.split('/');
  const name = parts[parts.length - 1] ?? '';
  return (
    parts.some((part) => EXCLUDED_FOLDERS.has(part)) ||
    EXCLUDED_TOP_FOLDERS.has(parts[0] ?? '') ||
    EXCLUDED_FILE.test(name)
  );
}

/**
 * The trainer's command line for these hyperparameters, e.g.
 * `python3 train_ncf.py --data 'data/ratings.csv' --epoch 20 ...`. A tab
 * delimiter is passed as the two characters `\t`, which train_ncf.py reads.
 */
export function composeTrainingCommand(
  h: Hyperparameters & { dataFile: string },
): string {
  const delimiter = h.delimiter === '\t' ? '\\t' : h.delimiter;
  const words = [
    'python3 train_ncf.py',
    `--data ${shellQuote(h.dataFile)}`,
    `--epoch ${h.epochs}`,
    `--batch_size ${h.batchSize}`,
    `--factors ${h.factors}`,
    `--learning_rate ${h.learningRate}`,
    `--delimiter ${shellQuote(delimiter)}`,
  ];
  if (h.hpo) words.push('--hpo');
  return words.join(' ');
}

/** Quote one word for a POSIX shell, in single quotes. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Replace the one `TRAINING_CMD=` line of the entry script; throws (exit 4)
 * when there is none or more than one.
 */
export function replaceTrainingCommand(
  script: string,
  trainingCommand: string,
): string {
  if (/[\r\n]/.test(trainingCommand)) {
    throw new MaxrecError(
      ExitCode.data,
      'The training command must be a single line.',
      { hint: 'Remove the line breaks from train.hyperparameters.' },
    );
  }
  const lines = script.split('\n');
  const matches = lines.filter((line) => line.startsWith('TRAINING_CMD='));
  if (matches.length !== 1) {
    const count =
      matches.length === 0
        ? 'no line'
        : `${matches.length} line${matches.length === 1 ? '' : 's'}`;
    throw new MaxrecError(
      ExitCode.data,
      `${ENTRY_SCRIPT} has ${count} starting with TRAINING_CMD=, ` +
        'so the training command cannot be set.',
      { hint: `Keep exactly one TRAINING_CMD="..." line at its top.` },
    );
  }
  return lines
    .map((line) =>
      line.startsWith('TRAINING_CMD=')
        ? `TRAINING_CMD=${shellQuote(trainingCommand)}`
        : line,
    )
    .join('\n');
}

interface CodeFile {
  absolute: string;
  relative: string;
  bytes: number;
}

/** Builds the code archive with `archiver`. */
export class ZipPackaging implements PackagingService {
  async buildCodeArchive(
    codeDir: string,
    archivePath: string,
    options: {
      trainingCommand?: string;
      maxBytes?: number;
      signal?: AbortSignal;
    } = {},
  ): Promise<{ bytes: number; files: number }> {
    const { signal, trainingCommand } = options;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_ARCHIVE_BYTES;
    const files = await listCodeFiles(codeDir, signal);
    if (files.length === 0) {
      throw new MaxrecError(
        ExitCode.data,
        `There is no training code in ${codeDir}.`,
        { hint: 'Check train.model_source.initial_model_local.path.' },
      );
    }
    if (
      trainingCommand !== undefined &&
      !files.some((file) => file.relative === ENTRY_SCRIPT)
    ) {
      throw new MaxrecError(
        ExitCode.data,
        `${codeDir} has no ${ENTRY_SCRIPT}, so the training command cannot be set.`,
        { hint: `Put ${ENTRY_SCRIPT} at the top of the training code folder.` },
      );
    }

    const scripts = await readShellScripts(files, trainingCommand);
    const temp = `${archivePath}.tmp-${randomBytes(4).toString('hex')}`;
    try {
      await fs.mkdir(path.dirname(archivePath), { recursive: true });
      const archive = archiver('zip', { zlib: { level: 9 } });
      const written = pipeline(archive, createWriteStream(temp), { signal });
      for (const file of files) {
        const script = scripts.get(file.relative);
        if (script !== undefined) {
          archive.append(script, { name: file.relative, mode: 0o755 });
        } else {
          archive.file(file.absolute, { name: file.relative, mode: 0o644 });
        }
      }
      await Promise.all([archive.finalize(), written]);
      const { size } = await fs.stat(temp);
      if (size > maxBytes) throw tooLarge(codeDir, size, maxBytes, files);
      await fs.rename(temp, archivePath);
      return { bytes: size, files: files.length };
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      if (error instanceof MaxrecError || isAbortError(error)) throw error;
      throw new MaxrecError(
        ExitCode.data,
        `Could not build the code archive ${archivePath}: ${reasonOf(error)}.`,
        { hint: 'Check that its folder is writable.', cause: error },
      );
    }
  }
}

/** Shell scripts with LF line ends, the entry script's command replaced. */
async function readShellScripts(
  files: CodeFile[],
  trainingCommand: string | undefined,
): Promise<Map<string, string>> {
  const scripts = new Map<string, string>();
  for (const file of files.filter((f) => f.relative.endsWith('.sh'))) {
    let script = (await fs.readFile(file.absolute, 'utf8')).replaceAll(
      '\r\n',
      '\n',
    );
    if (trainingCommand !== undefined && file.relative === ENTRY_SCRIPT) {
      script = replaceTrainingCommand(script, trainingCommand);
    }
    scripts.set(file.relative, script);
  }
  return scripts;
}

async function listCodeFiles(
  codeDir: string,
  signal: AbortSignal | undefined,
  relativeDir = '',
): Promise<CodeFile[]> {
  signal?.throwIfAborted();
  let entries;
  try {
    entries = await fs.readdir(path.join(codeDir, relativeDir), {
      withFileTypes: true,
    });
  } catch (error) {
    throw new MaxrecError(
      ExitCode.data,
      `Cannot read the training code folder ${codeDir}: ${reasonOf(error)}.`,
      { hint: 'Check train.model_source.initial_model_local.path.' },
    );
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const files: CodeFile[] = [];
  for (const entry of entries) {
    const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
    if (isExcludedFromArchive(relative)) continue;
    const absolute = path.join(codeDir, relative);
    // Symbolic links are left out: the backend could not resolve them.
    if (entry.isDirectory()) {
      files.push(...(await listCodeFiles(codeDir, signal, relative)));
    } else if (entry.isFile()) {
      const { size } = await fs.stat(absolute);
      files.push({ absolute, relative, bytes: size });
    }
  }
  return files;
}

function tooLarge(
  codeDir: string,
  size: number,
  maxBytes: number,
  files: CodeFile[],
): MaxrecError {
  const largest = [...files]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3)
    .map((file) => `${file.relative} (${formatBytes(file.bytes)})`);
  return new MaxrecError(
    ExitCode.data,
    `The code archive is ${formatBytes(size)}, over the limit of ${formatBytes(maxBytes)}.`,
    {
      hint: `Remove large files from ${codeDir}; the largest are ${largest.join(', ')}.`,
    },
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
