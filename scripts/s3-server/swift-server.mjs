/**
 * A real S3 server for the tests: OpenStack Swift 2.30 from Debian with its
 * s3api middleware, on 127.0.0.1, everything in one fresh temp folder.
 * `bash scripts/s3-server/install.sh` installs it; start.mjs is its command
 * line; test/helpers/s3-server.ts uses it from tests.
 *
 * MAXREC_S3_DIR names the folder to create the temp folder in (default the
 * system's); it must keep user xattrs, which a tmpfs /tmp before Linux 6.6
 * does not.
 */
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { healthcheck, listBuckets } from './probes.mjs';
import {
  ACCESS_KEY_ID,
  BUILD_RINGS_PY,
  DEFAULT_LOCATION,
  SECRET_ACCESS_KEY,
  swiftConfigFiles,
} from './swift-config.mjs';
import {
  isRunning,
  reservePorts,
  runCollecting,
  spawnDetached,
  stopProcesses,
  tailOfFile,
} from './processes.mjs';

/** Debian's python3 has the swift package; a pyenv python3 on PATH may not. */
const PYTHON = '/usr/bin/python3';
const SWIFT_SERVERS = /** @type {const} */ (['account', 'container', 'object']);
const REQUIRED_FILES = [
  PYTHON,
  '/usr/bin/memcached',
  '/usr/bin/swift-proxy-server',
  ...SWIFT_SERVERS.map((name) => `/usr/bin/swift-${name}-server`),
];
/**
 * eventlet's green DNS imports dnspython and httpx, half of each server's
 * start-up; every address here is 127.0.0.1, so it has nothing to resolve.
 */
const SWIFT_ENV = { ...process.env, EVENTLET_NO_GREENDNS: 'yes' };
const FOLDER_PREFIX = 'maxrec-s3-';
const STATE_FILE = 'state.json';
// Under vitest.config.ts's 60 s hookTimeout, so this message is the one seen.
const READY_TIMEOUT_MS = 45_000;

export const INSTALL_HINT = 'run `bash scripts/s3-server/install.sh` first';

export class S3ServerError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'S3ServerError';
  }
}

/** Whether the Debian packages that start() runs are installed. */
export function swiftInstalled() {
  return REQUIRED_FILES.every((file) => existsSync(file));
}

/**
 * @typedef {{
 *   endpoint: string, accessKeyId: string, secretAccessKey: string,
 *   region: string, location: string, folder: string,
 *   pids: Record<string, number>,
 * }} S3ServerState
 */

/**
 * Starts memcached and the four Swift servers and resolves once S3 answers.
 * @param {{ port?: number, location?: string, baseDir?: string,
 *           stateFile?: string, ownerPid?: number,
 *           signal?: AbortSignal }} [options]
 * @returns {Promise<S3ServerState>}
 */
export async function startS3Server(options = {}) {
  if (!swiftInstalled()) {
    throw new S3ServerError(`Swift is not installed: ${INSTALL_HINT}.`);
  }
  const location =
    options.location ?? process.env.MAXREC_S3_LOCATION ?? DEFAULT_LOCATION;
  const baseDir = options.baseDir ?? process.env.MAXREC_S3_DIR ?? os.tmpdir();
  const folder = await fs.mkdtemp(path.join(baseDir, FOLDER_PREFIX));
  /** @type {Map<string, import('node:child_process').ChildProcess>} */
  const children = new Map();
  try {
    await fs.mkdir(path.join(folder, 'devices', 'd1'), { recursive: true });
    await fs.mkdir(path.join(folder, 'logs'));
    const wanted = options.port ?? Number(process.env.MAXREC_S3_PORT ?? 0);
    const [proxy, account, container, object, memcached] = (
      await reservePorts(5, wanted).catch((error) => {
        if (error?.code !== 'EADDRINUSE') throw error;
        // Swift would retry binding a taken port for 30 s before failing.
        throw new S3ServerError(
          `Port ${wanted} on 127.0.0.1 is taken; choose another with ` +
            '--port or MAXREC_S3_PORT, or 0 for a free one.',
        );
      })
    ).map(Number);
    const ports = { proxy, account, container, object, memcached };
    const files = swiftConfigFiles({ folder, ports, location });
    for (const [name, text] of Object.entries(files)) {
      await fs.writeFile(path.join(folder, name), text);
    }

    // The storage servers never read the rings, so they start while the
    // rings are built; only the proxy waits for them.
    children.set('memcached', spawnDaemon(folder, 'memcached', ports));
    for (const name of SWIFT_SERVERS) {
      children.set(name, spawnDaemon(folder, name, ports));
    }
    const rings = await runCollecting(
      PYTHON,
      [
        '-c',
        BUILD_RINGS_PY,
        folder,
        ...SWIFT_SERVERS.map((name) => String(ports[name])),
      ],
      SWIFT_ENV,
    );
    if (rings.code !== 0) {
      throw new S3ServerError(
        `The S3 server could not be set up:\n${rings.output}`,
      );
    }
    children.set('proxy', spawnDaemon(folder, 'proxy', ports));

    /** @type {S3ServerState} */
    const state = {
      endpoint: `http://127.0.0.1:${ports.proxy}`,
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      // s3api rejects SigV4 requests signed for any region but its location.
      region: location,
      location,
      folder,
      pids: pidsOf(children),
    };
    // The watchdog reads the state file, and starts before the wait so that
    // an owner killed mid-start leaves nothing running either.
    await writeState(stateFileIn(folder), state);
    if (options.ownerPid) {
      children.set('watchdog', spawnWatchdog(folder, options.ownerPid));
      state.pids = pidsOf(children);
      await writeState(stateFileIn(folder), state);
    }
    await waitUntilReady(state, ports, children, options.signal);
    if (options.stateFile) await writeState(options.stateFile, state);
    return state;
  } catch (error) {
    await stopProcesses([...children.values()].map((child) => child.pid));
    await fs.rm(folder, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Stops what startS3Server started and removes its folder.
 * @param {S3ServerState} state
 */
export async function stopS3Server(state) {
  // A pid is only signalled while its command line names our folder, so a
  // stale state file cannot kill a process that reused the number.
  await stopProcesses(Object.values(state.pids), state.folder);
  if (path.basename(state.folder).startsWith(FOLDER_PREFIX)) {
    await fs.rm(state.folder, { recursive: true, force: true });
  }
}

/**
 * Where startS3Server keeps a copy of the state, inside the server's folder.
 * @param {string} folder
 */
export function stateFileIn(folder) {
  return path.join(folder, STATE_FILE);
}

/**
 * Whether every process of `state` runs and the proxy answers.
 * @param {S3ServerState} state
 */
export async function isS3ServerAlive(state) {
  if (!Object.values(state.pids).every((pid) => isRunning(pid))) return false;
  return (await healthcheck(`${state.endpoint}/healthcheck`)) === 200;
}

/**
 * @param {string} file
 * @returns {S3ServerState}
 */
export function readState(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * @param {string} file
 * @param {S3ServerState} state
 */
async function writeState(file, state) {
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
  await fs.rename(temporary, file);
}

/**
 * One server, logging to logs/NAME.log.
 * @param {string} folder
 * @param {'memcached' | 'proxy' | typeof SWIFT_SERVERS[number]} name
 * @param {{ memcached: number }} ports
 */
function spawnDaemon(folder, name, ports) {
  const [command, args] =
    name === 'memcached'
      ? [
          '/usr/bin/memcached',
          [
            ...['-l', '127.0.0.1', '-p', String(ports.memcached), '-U', '0'],
            ...['-m', '64', '-t', '1'],
            // memcached refuses to run as root unless told which user to be.
            ...(process.getuid?.() === 0 ? ['-u', 'root'] : []),
            // Names the folder on its command line, like the other servers.
            ...['-P', path.join(folder, 'memcached.pid')],
          ],
        ]
      : [
          `/usr/bin/swift-${name}-server`,
          [path.join(folder, `${name}-server.conf`), '--verbose'],
        ];
  return spawnDetached(command, args, {
    logFile: path.join(folder, 'logs', `${name}.log`),
    env: SWIFT_ENV,
  });
}

/**
 * A detached `start.mjs watch` that stops the server if `ownerPid` dies
 * without stopping it, say a test run killed with Ctrl+C.
 * @param {string} folder
 * @param {number} ownerPid
 */
function spawnWatchdog(folder, ownerPid) {
  const script = fileURLToPath(new URL('./start.mjs', import.meta.url));
  return spawnDetached(
    process.execPath,
    [script, 'watch', '--folder', folder, '--owner-pid', String(ownerPid)],
    { logFile: path.join(folder, 'logs', 'watchdog.log'), env: process.env },
  );
}

/** @param {Map<string, import('node:child_process').ChildProcess>} children */
function pidsOf(children) {
  return Object.fromEntries(
    [...children].map(([name, child]) => [name, child.pid ?? 0]),
  );
}

/**
 * Polls every server's /healthcheck, then a signed ListBuckets through the
 * proxy, which needs tempauth, memcached and the account server.
 * @param {S3ServerState} state
 * @param {Record<string, number>} ports
 * @param {Map<string, import('node:child_process').ChildProcess>} children
 * @param {AbortSignal} [signal]
 */
async function waitUntilReady(state, ports, children, signal) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const swiftPorts = ['proxy', ...SWIFT_SERVERS].map((name) => ports[name]);
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    for (const [name, child] of children) {
      if (child.exitCode !== null || child.signalCode !== null || !child.pid) {
        const log = await tailOfFile(
          path.join(state.folder, 'logs', `${name}.log`),
        );
        throw new S3ServerError(
          `The S3 server's ${name} process exited while starting:\n${log}`,
        );
      }
    }
    const statuses = await Promise.all(
      swiftPorts.map((port) =>
        healthcheck(`http://127.0.0.1:${port}/healthcheck`),
      ),
    );
    if (statuses.every((status) => status === 200)) {
      const answer = await listBuckets(state).catch((error) => ({
        status: 0,
        body: String(error),
      }));
      if (answer.status === 200) return;
      lastProblem = `ListBuckets answered ${answer.status}: ${answer.body}`;
    }
    await sleep(100);
  }
  throw new S3ServerError(
    `The S3 server did not get ready in ${READY_TIMEOUT_MS / 1000} s ` +
      `(${lastProblem}); logs are in ${state.folder}/logs.`,
  );
}
