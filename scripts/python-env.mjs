#!/usr/bin/env node
/**
 * The Python environment that runs local training: found, or created as
 * `<package root>/.venv` with training_code/requirements.txt installed.
 * Plain JavaScript so that `npm run setup:python` and `npm run test:py` work
 * without a TypeScript build; src/services/python-env.ts wraps it.
 *
 * Usage:
 *   node scripts/python-env.mjs [--dev]      find or create, print its path
 *   node scripts/python-env.mjs --run ARGS   ... then run that python ARGS
 *                                            (dev requirements included)
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const MIN_PYTHON = [3, 11];
export const REQUIRED_MODULES = ['torch', 'onnx', 'onnxruntime', 'pandas'];
const STAMP_FILE = '.maxrec-requirements.json';
const TAIL_LINES = 15;

/** An environment problem; the TypeScript wrapper turns it into exit 2. */
export class PythonEnvError extends Error {
  /**
   * @param {string} message
   * @param {string} hint
   */
  constructor(message, hint) {
    super(message);
    this.name = 'PythonEnvError';
    this.hint = hint;
  }
}

/**
 * The folder holding maxrec's package.json, found upwards from `fromUrl`.
 * @param {string} [fromUrl]
 */
export function findPackageRoot(fromUrl = import.meta.url) {
  let dir = path.dirname(fileURLToPath(fromUrl));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, 'utf8')).name === 'maxrec') {
          return dir;
        }
      } catch {
        // An unreadable package.json is not ours: keep looking upwards.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new PythonEnvError(
        'Could not find the maxrec package folder.',
        'Run maxrec from its installed package or repository.',
      );
    }
    dir = parent;
  }
}

/** @param {string} root */
export function venvPython(root) {
  return process.platform === 'win32'
    ? path.join(root, '.venv', 'Scripts', 'python.exe')
    : path.join(root, '.venv', 'bin', 'python');
}

/**
 * Which python to use, without creating anything: the config's
 * `backend.local.python`, then MAXREC_PYTHON, then the package's .venv.
 * @param {{ configPython?: string, env?: NodeJS.ProcessEnv, root?: string }} [options]
 * @returns {{ python: string | undefined, source: 'config' | 'env' | 'venv' | 'none' }}
 */
export function resolvePython(options = {}) {
  const env = options.env ?? process.env;
  if (options.configPython) {
    return { python: options.configPython, source: 'config' };
  }
  if (env.MAXREC_PYTHON) return { python: env.MAXREC_PYTHON, source: 'env' };
  const venv = venvPython(options.root ?? findPackageRoot());
  if (existsSync(venv)) return { python: venv, source: 'venv' };
  return { python: undefined, source: 'none' };
}

/**
 * Run a command, streaming its output lines, and collect them.
 * @param {string} command
 * @param {string[]} args
 * @param {{ onLine?: (line: string) => void, signal?: AbortSignal, cwd?: string }} [options]
 * @returns {Promise<{ code: number | null, lines: string[] }>}
 */
export function runCollecting(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    /** @type {string[]} */
    const lines = [];
    const child = spawn(command, args, {
      cwd: options.cwd,
      signal: options.signal,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (/** @type {string} */ text) => {
        const parts = (partial + text).split(/\r?\n/);
        partial = parts.pop() ?? '';
        for (const line of parts) emit(line);
      });
      stream.on('end', () => {
        if (partial) emit(partial);
      });
    }
    /** @param {string} line */
    function emit(line) {
      lines.push(line);
      if (lines.length > 2000) lines.splice(0, 1000);
      options.onLine?.(line);
    }
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines }));
  });
}

/**
 * The `X.Y.Z` version of a python, checked against MIN_PYTHON.
 * @param {string} python
 * @param {{ signal?: AbortSignal }} [options]
 */
export async function checkPythonVersion(python, options = {}) {
  const wanted = MIN_PYTHON.join('.');
  let result;
  try {
    result = await runCollecting(python, ['--version'], options);
  } catch (error) {
    if (/** @type {Error} */ (error).name === 'AbortError') throw error;
    throw new PythonEnvError(
      `Could not run ${python}: ${/** @type {Error} */ (error).message}.`,
      `Install Python ${wanted} or newer (python3 on PATH), or set MAXREC_PYTHON to one.`,
    );
  }
  const match = /Python (\d+)\.(\d+)(\.\d+)?/.exec(result.lines.join('\n'));
  if (result.code !== 0 || !match) {
    throw new PythonEnvError(
      `${python} did not report a Python version.`,
      `Install Python ${wanted} or newer, or set MAXREC_PYTHON to one.`,
    );
  }
  const version = [Number(match[1]), Number(match[2])];
  const text = `${match[1]}.${match[2]}${match[3] ?? ''}`;
  const [major = 0, minor = 0] = version;
  const [minMajor = 3, minMinor = 11] = MIN_PYTHON;
  if (major < minMajor || (major === minMajor && minor < minMinor)) {
    throw new PythonEnvError(
      `${python} is Python ${text}; local training needs Python ${wanted} or newer.`,
      `Install Python ${wanted}+ (for example python3.11 from your package manager or python.org), ` +
        'put it on PATH as python3, or set MAXREC_PYTHON to it.',
    );
  }
  return text;
}

/** @param {string} file */
async function hashFile(file) {
  try {
    return createHash('sha256')
      .update(await fs.readFile(file))
      .digest('hex');
  } catch {
    return undefined;
  }
}

/** @param {string[]} lines */
function tail(lines) {
  return lines.slice(-TAIL_LINES).join('\n');
}

/**
 * Find the python for local training, creating `<root>/.venv` when none is
 * configured: `python3 -m venv`, pip install of the requirements and an
 * import check, both again only when a requirements file changed (a stamp
 * in the venv holds their hashes). A configured python is checked for its
 * version and imports on each call.
 * @param {{
 *   configPython?: string,
 *   env?: NodeJS.ProcessEnv,
 *   root?: string,
 *   basePython?: string,
 *   dev?: boolean,
 *   onLine?: (line: string) => void,
 *   signal?: AbortSignal,
 * }} [options]
 * @returns {Promise<{ python: string, source: 'config' | 'env' | 'venv' | 'created', version: string, installed: boolean }>}
 */
export async function ensurePythonEnv(options = {}) {
  const root = options.root ?? findPackageRoot();
  const env = options.env ?? process.env;
  const run = { onLine: options.onLine, signal: options.signal };
  const found = resolvePython({ ...options, root, env });

  if (found.python && found.source !== 'venv') {
    const from =
      found.source === 'config' ? 'backend.local.python' : 'MAXREC_PYTHON';
    if (found.python.includes(path.sep) && !existsSync(found.python)) {
      throw new PythonEnvError(
        `${from} names ${found.python}, which does not exist.`,
        `Correct ${from}, or clear it to let maxrec create its own environment.`,
      );
    }
    const version = await checkPythonVersion(found.python, run);
    await verifyImports(found.python, run);
    return {
      python: found.python,
      source: found.source,
      version,
      installed: false,
    };
  }

  const python = venvPython(root);
  let source = /** @type {'venv' | 'created'} */ ('venv');
  if (!found.python) {
    const base = options.basePython ?? env.MAXREC_BASE_PYTHON ?? 'python3';
    await checkPythonVersion(base, run);
    options.onLine?.(`Creating ${path.join(root, '.venv')} with ${base}`);
    const created = await runCollecting(
      base,
      ['-m', 'venv', path.join(root, '.venv')],
      run,
    );
    if (created.code !== 0 || !existsSync(python)) {
      throw new PythonEnvError(
        `Could not create the virtual environment ${path.join(root, '.venv')}.`,
        `${tail(created.lines)}\nOn Debian or Ubuntu, install python3-venv.`,
      );
    }
    source = 'created';
  }
  const version = await checkPythonVersion(python, run);
  const installed = await installRequirements(python, root, !!options.dev, run);
  return { python, source, version, installed };
}

/**
 * @param {string} python
 * @param {string} root
 * @param {boolean} dev
 * @param {{ onLine?: (line: string) => void, signal?: AbortSignal }} run
 */
async function installRequirements(python, root, dev, run) {
  const requirements = path.join(root, 'training_code', 'requirements.txt');
  const devRequirements = path.join(
    root,
    'training_code',
    'requirements-dev.txt',
  );
  const wanted = {
    requirements: await hashFile(requirements),
    dev: dev ? await hashFile(devRequirements) : undefined,
  };
  if (!wanted.requirements) {
    throw new PythonEnvError(
      `${requirements} is missing.`,
      'Reinstall maxrec, or restore training_code/ from the repository.',
    );
  }
  const stampFile = path.join(root, '.venv', STAMP_FILE);
  let stamp = {};
  try {
    stamp = JSON.parse(await fs.readFile(stampFile, 'utf8'));
  } catch {
    // No stamp yet: install everything.
  }
  const files = [];
  if (stamp.requirements !== wanted.requirements) files.push(requirements);
  if (wanted.dev && stamp.dev !== wanted.dev) files.push(devRequirements);
  if (files.length === 0) return false;

  const args = ['-m', 'pip', 'install', '--disable-pip-version-check'];
  for (const file of files) args.push('-r', file);
  run.onLine?.(`Installing ${files.map((f) => path.basename(f)).join(', ')}`);
  const result = await runCollecting(python, args, run);
  if (result.code !== 0) {
    throw new PythonEnvError(
      `pip could not install ${files.map((f) => path.relative(root, f)).join(' and ')}.`,
      tail(result.lines),
    );
  }
  // Checked once per install, not per call: importing torch takes seconds.
  await verifyImports(python, run);
  const written = {
    requirements: wanted.requirements,
    dev: wanted.dev ?? stamp.dev,
  };
  await fs.writeFile(stampFile, `${JSON.stringify(written)}\n`);
  return true;
}

/**
 * @param {string} python
 * @param {{ onLine?: (line: string) => void, signal?: AbortSignal }} run
 */
async function verifyImports(python, run) {
  const modules = REQUIRED_MODULES.join(', ');
  const result = await runCollecting(python, ['-c', `import ${modules}`], {
    signal: run.signal,
  });
  if (result.code !== 0) {
    throw new PythonEnvError(
      `${python} cannot import ${modules}, which training needs.`,
      `${tail(result.lines)}\nRun \`npm run setup:python\`, or install training_code/requirements.txt into that python.`,
    );
  }
}

/** @param {string[]} argv */
async function main(argv) {
  const runAt = argv.indexOf('--run');
  const runArgs = runAt >= 0 ? argv.slice(runAt + 1) : undefined;
  const flags = runAt >= 0 ? argv.slice(0, runAt) : argv;
  const dev = flags.includes('--dev') || runArgs !== undefined;
  const quiet = runArgs !== undefined;
  try {
    const env = await ensurePythonEnv({
      dev,
      onLine: (line) =>
        (quiet ? process.stderr : process.stdout).write(`${line}\n`),
    });
    if (!runArgs) {
      console.log(env.python);
      return 0;
    }
    const child = spawn(env.python, runArgs, { stdio: 'inherit' });
    return await new Promise((resolve) => {
      child.on('error', (error) => {
        console.error(error.message);
        resolve(2);
      });
      child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } catch (error) {
    const e = /** @type {Error & { hint?: string }} */ (error);
    console.error(e.message);
    if (e.hint) console.error(e.hint);
    return 2;
  }
}

if (
  process.argv[1] &&
  import.meta.url === pathToFileURL(process.argv[1]).href
) {
  process.exitCode = await main(process.argv.slice(2));
}
