/**
 * Unpacking the code archive for a local run. No zip reader is among the
 * app's packages, so this uses the system's `unzip` when there is one and
 * else Python's zipfile module (the training Python is there anyway). A
 * folder is accepted too and copied as it is.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ExitCode, MaxrecError, isAbortError } from '../../core/errors.js';
import { errorCode, reasonOf } from '../fs-errors.js';

const run = promisify(execFile);

// zipfile refuses absolute paths and `..` by itself (it strips them).
const PYTHON_UNZIP =
  'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])';

/** Unpack `codeArchive` (a zip or a folder) into `destDir`. */
export async function unpackCode(
  codeArchive: string,
  destDir: string,
  python: string,
  signal?: AbortSignal,
): Promise<void> {
  try {
    const stat = await fs.stat(codeArchive);
    await fs.mkdir(destDir, { recursive: true });
    if (stat.isDirectory()) {
      await fs.cp(codeArchive, destDir, { recursive: true });
    } else {
      await unzip(codeArchive, destDir, python, signal);
    }
    await markScriptsExecutable(destDir);
  } catch (error) {
    if (isAbortError(error) || error instanceof MaxrecError) throw error;
    throw new MaxrecError(
      ExitCode.training,
      `Could not unpack the code archive ${codeArchive}: ${reasonOf(error)}.`,
      { hint: 'Build it again (maxrec train CONFIG prepare).', cause: error },
    );
  }
}

async function unzip(
  archive: string,
  destDir: string,
  python: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    await run('unzip', ['-q', '-o', archive, '-d', destDir], { signal });
    return;
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  await run(python, ['-c', PYTHON_UNZIP, archive, destDir], { signal });
}

/** zipfile drops permissions: set the executable bit on shell scripts. */
async function markScriptsExecutable(dir: string): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) await markScriptsExecutable(file);
    else if (entry.isFile() && entry.name.endsWith('.sh')) {
      await fs.chmod(file, 0o755);
    }
  }
}
