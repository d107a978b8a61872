import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MaxrecError } from '../../src/core/errors.js';
import {
  checkPythonVersion,
  ensurePythonEnv,
  resolvePython,
  torchSeesCuda,
} from '../../src/services/python-env.js';
import { packageRoot } from '../../src/services/package-root.js';

const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);

/**
 * A fake python: reports `version`, makes a venv holding a copy of itself,
 * logs pip installs, and fails pip or imports when a marker file exists in
 * its folder.
 */
function fakePython(version: string): string {
  return `#!/bin/sh
here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"
case "$1" in
  --version) echo "Python ${version}" ;;
  -m)
    case "$2" in
      venv) mkdir -p "$3/bin" && cp "$self" "$3/bin/python" ;;
      pip)
        echo "pip $*" >> "$here/pip.log"
        echo "Collecting torch==2.13.0"
        if [ -e "$here/fail-pip" ]; then
          echo "ERROR: No matching distribution found for torch==2.13.0" >&2
          exit 1
        fi ;;
      *) echo "ran $*" ;;
    esac ;;
  -c)
    if [ -e "$here/fail-import" ]; then
      echo "ModuleNotFoundError: No module named 'onnx'" >&2
      exit 1
    fi ;;
  *) echo "ran $*"; exit 7 ;;
esac
`;
}

let dir: string;
let root: string;

async function writeFake(name: string, version: string): Promise<string> {
  const file = path.join(dir, 'bin', name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, fakePython(version), { mode: 0o755 });
  return file;
}

async function errorOf(promise: Promise<unknown>): Promise<MaxrecError> {
  const error: unknown = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MaxrecError);
  return error as MaxrecError;
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-python-'));
  root = path.join(dir, 'package');
  await fs.mkdir(path.join(root, 'training_code'), { recursive: true });
  await fs.writeFile(
    path.join(root, 'training_code', 'requirements.txt'),
    'torch==2.13.0\nonnx\nonnxruntime\npandas\n',
  );
  await fs.writeFile(
    path.join(root, 'training_code', 'requirements-dev.txt'),
    'pytest\nruff\nmypy\n',
  );
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('resolvePython', () => {
  it('prefers the config, then MAXREC_PYTHON, then the package .venv', async () => {
    const env = { MAXREC_PYTHON: '/env/python' };
    expect(resolvePython({ configPython: '/cfg/python', env, root })).toEqual({
      python: '/cfg/python',
      source: 'config',
    });
    expect(resolvePython({ env, root })).toEqual({
      python: '/env/python',
      source: 'env',
    });
    expect(resolvePython({ env: {}, root })).toEqual({
      python: undefined,
      source: 'none',
    });
    const venv = path.join(root, '.venv', 'bin', 'python');
    await fs.mkdir(path.dirname(venv), { recursive: true });
    await fs.writeFile(venv, '');
    expect(resolvePython({ env: {}, root })).toEqual({
      python: venv,
      source: 'venv',
    });
  });

  it('finds the package root holding maxrec’s package.json', () => {
    expect(packageRoot()).toBe(repoRoot);
  });
});

describe('checkPythonVersion', () => {
  it('accepts 3.11 and newer', async () => {
    expect(await checkPythonVersion(await writeFake('py311', '3.11.7'))).toBe(
      '3.11.7',
    );
    expect(await checkPythonVersion(await writeFake('py313', '3.13.0'))).toBe(
      '3.13.0',
    );
  });

  it('refuses an older python, naming what to install', async () => {
    const error = await errorOf(
      checkPythonVersion(await writeFake('py39', '3.9.18')),
    );
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('3.9.18');
    expect(error.message).toContain('3.11');
    expect(error.hint).toMatch(/Install Python 3\.11/);
  });

  it('reports a python that cannot run', async () => {
    const error = await errorOf(
      checkPythonVersion(path.join(dir, 'no-such-python')),
    );
    expect(error.exitCode).toBe(2);
  });
});

describe('ensurePythonEnv', () => {
  it('creates .venv, installs requirements once, reinstalls on change', async () => {
    const base = await writeFake('python3', '3.12.1');
    const lines: string[] = [];
    const first = await ensurePythonEnv({
      root,
      env: {},
      basePython: base,
      onLine: (line) => lines.push(line),
    });
    const venv = path.join(root, '.venv', 'bin', 'python');
    expect(first).toMatchObject({
      python: venv,
      source: 'created',
      installed: true,
    });
    expect(lines.join('\n')).toContain('Collecting torch==2.13.0');
    const pipLog = path.join(root, '.venv', 'bin', 'pip.log');
    expect(await fs.readFile(pipLog, 'utf8')).toMatch(
      /-m pip install .*-r .*requirements\.txt/,
    );

    const second = await ensurePythonEnv({ root, env: {}, basePython: base });
    expect(second).toMatchObject({ source: 'venv', installed: false });
    expect((await fs.readFile(pipLog, 'utf8')).trim().split('\n')).toHaveLength(
      1,
    );

    await fs.appendFile(
      path.join(root, 'training_code', 'requirements.txt'),
      'numpy\n',
    );
    const third = await ensurePythonEnv({ root, env: {}, dev: true });
    expect(third.installed).toBe(true);
    const log = (await fs.readFile(pipLog, 'utf8')).trim().split('\n');
    expect(log).toHaveLength(2);
    expect(log[1]).toMatch(/requirements\.txt.*requirements-dev\.txt/);
  });

  it('refuses to create the venv with an old python', async () => {
    const base = await writeFake('python3', '3.10.2');
    const error = await errorOf(
      ensurePythonEnv({ root, env: {}, basePython: base }),
    );
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('3.10.2');
    await expect(fs.stat(path.join(root, '.venv'))).rejects.toThrow();
  });

  it('puts pip’s last lines in the hint when the install fails', async () => {
    const base = await writeFake('python3', '3.11.7');
    await fs.mkdir(path.join(root, '.venv', 'bin'), { recursive: true });
    await fs.copyFile(base, path.join(root, '.venv', 'bin', 'python'));
    await fs.writeFile(path.join(root, '.venv', 'bin', 'fail-pip'), '');
    const error = await errorOf(ensurePythonEnv({ root, env: {} }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/pip could not install/);
    expect(error.hint).toContain('No matching distribution found');
  });

  it('installs again after an import check failed', async () => {
    const base = await writeFake('python3', '3.11.7');
    const bin = path.join(root, '.venv', 'bin');
    await fs.mkdir(bin, { recursive: true });
    await fs.copyFile(base, path.join(bin, 'python'));
    await fs.writeFile(path.join(bin, 'fail-import'), '');
    const error = await errorOf(ensurePythonEnv({ root, env: {} }));
    expect(error.hint).toContain("No module named 'onnx'");
    await fs.rm(path.join(bin, 'fail-import'));
    const retry = await ensurePythonEnv({ root, env: {} });
    expect(retry.installed).toBe(true);
  });

  it('checks that a configured python can import the trainer’s modules', async () => {
    const python = await writeFake('mypython', '3.11.7');
    await expect(
      ensurePythonEnv({ root, env: {}, configPython: python }),
    ).resolves.toMatchObject({ python, source: 'config', installed: false });
    await fs.writeFile(path.join(dir, 'bin', 'fail-import'), '');
    const error = await errorOf(
      ensurePythonEnv({ root, env: {}, configPython: python }),
    );
    expect(error.exitCode).toBe(2);
    expect(error.hint).toContain("No module named 'onnx'");
  });

  it('names backend.local.python when it does not exist', async () => {
    const error = await errorOf(
      ensurePythonEnv({ root, env: {}, configPython: '/nope/python' }),
    );
    expect(error.message).toContain('backend.local.python');
  });
});

describe('torchSeesCuda', () => {
  /** A python whose `-c` probe exits `code`, saying `stderr`. */
  async function probePython(code: number, stderr = ''): Promise<string> {
    const file = path.join(dir, 'bin', `probe-${code}`);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(
      file,
      `#!/bin/sh\necho "$2" > "$0.probe"\necho "${stderr}" >&2\nexit ${code}\n`,
      { mode: 0o755 },
    );
    return file;
  }

  it('asks torch.cuda.is_available() and answers yes or no', async () => {
    const yes = await probePython(0);
    expect(await torchSeesCuda(yes)).toBe(true);
    expect(await fs.readFile(`${yes}.probe`, 'utf8')).toContain(
      'torch.cuda.is_available()',
    );
    expect(await torchSeesCuda(await probePython(3))).toBe(false);
  });

  it('is an environment error (exit 2) when torch does not import', async () => {
    const python = await probePython(
      1,
      "ModuleNotFoundError: No module named 'torch'",
    );
    const error = await errorOf(torchSeesCuda(python));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain("No module named 'torch'");
  });
});

describe('scripts/python-env.mjs', () => {
  it('--run runs the found python with the arguments and its exit code', async () => {
    const python = await writeFake('envpython', '3.11.7');
    const result = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'scripts/python-env.mjs'), '--run', 'x.py', 'a'],
      { env: { ...process.env, MAXREC_PYTHON: python }, encoding: 'utf8' },
    );
    expect(result.stdout).toContain('ran x.py a');
    expect(result.status).toBe(7);
  });

  it('exits 2 with the message and hint on an environment problem', async () => {
    const python = await writeFake('oldpython', '3.8.0');
    const result = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'scripts/python-env.mjs')],
      { env: { ...process.env, MAXREC_PYTHON: python }, encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('3.8.0');
    expect(result.stderr).toContain('Install Python 3.11');
  });
});
