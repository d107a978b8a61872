/**
 * Runs the built CLI (bin/maxrec.js over dist/) as a user would, in a
 * scratch folder with its own MAXREC_HOME and preferences, never the
 * real home.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
export const sharedData = path.resolve(repoRoot, '../shared/data');
export const cliPath = path.join(repoRoot, 'bin', 'maxrec.js');

export interface Workspace {
  dir: string;
  env: NodeJS.ProcessEnv;
  configPath: string;
  dataDir: string;
}

/**
 * A scratch folder with a config for the local backend whose data folder
 * holds the first `lines` lines of the bundled ratings.
 */
export function makeWorkspace(options: { lines?: number } = {}): Workspace {
  const dir = mkdtempSync(path.join(tmpdir(), 'maxrec-e2e-'));
  const dataDir = path.join(dir, 'data-folder');
  mkdirSync(path.join(dataDir, 'data'), { recursive: true });
  const ratings = readFileSync(
    path.join(repoRoot, 'sample_training_data/data/ratings.csv'),
    'utf8',
  ).split('\n');
  const lines = options.lines ?? 6000;
  writeFileSync(
    path.join(dataDir, 'data', 'ratings.csv'),
    ratings.slice(0, lines).join('\n') + '\n',
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CI: 'true',
    NO_COLOR: '1',
    MAXREC_HOME: path.join(dir, 'home'),
    MAXREC_CONFIG_HOME: path.join(dir, 'prefs'),
  };
  return {
    dir,
    env,
    dataDir,
    configPath: path.join(dir, 'max-recommender-training-config.yaml'),
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startCli(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): ChildProcess {
  return spawn(process.execPath, [cliPath, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function runCli(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CliResult> {
  const child = startCli(args, options);
  return collect(child, options.timeoutMs ?? 240_000);
}

export function collect(
  child: ChildProcess,
  timeoutMs = 240_000,
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`CLI timed out.\nstdout:\n${stdout}\nstderr:\n${stderr}`),
      );
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Resolves once the child's stdout contains `text`. */
export function waitForOutput(
  child: ChildProcess,
  text: string | RegExp,
  timeoutMs = 120_000,
): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${text}; saw:\n${seen}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      seen += d.toString();
      const found =
        typeof text === 'string' ? seen.includes(text) : text.test(seen);
      if (found) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(seen);
      }
    };
    child.stdout?.on('data', onData);
  });
}

/** Sets up a workspace's config with `maxrec setup` flags, as a script would. */
export async function setupWorkspace(
  ws: Workspace,
  extra: string[] = [],
): Promise<CliResult> {
  const result = await runCli(
    [
      'setup',
      ws.configPath,
      '--backend',
      'local',
      '--data',
      ws.dataDir,
      '--data-bucket',
      'e2e-data',
      '--results-bucket',
      'e2e-results',
      ...extra,
    ],
    { cwd: ws.dir, env: ws.env },
  );
  if (result.code !== 0) {
    throw new Error(`setup failed: ${result.stdout}\n${result.stderr}`);
  }
  return result;
}
