/**
 * Process plumbing for swift-server.mjs: free ports, servers that outlive
 * the script that starts them, and stopping those for certain.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';

const GRACE_MS = 5000;

/**
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Promise<{ code: number | null, output: string }>}
 */
export function runCollecting(command, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * Ports the kernel has just handed out, released for the servers to bind;
 * the first is `wanted` unless that is 0. Another process could take one in
 * between; on loopback in a test run that is rare enough to accept. Rejects
 * with EADDRINUSE when `wanted` is taken.
 * @param {number} count
 * @param {number} [wanted]
 */
export async function reservePorts(count, wanted = 0) {
  const servers = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      listen(index === 0 ? wanted : 0),
    ),
  );
  const ports = servers.map(
    (server) => /** @type {net.AddressInfo} */ (server.address()).port,
  );
  await Promise.all(
    servers.map((server) => new Promise((done) => server.close(done))),
  );
  return ports;
}

/**
 * @param {number} port
 * @returns {Promise<net.Server>}
 */
function listen(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * A server in its own process group (so a signal to the group reaches
 * anything it forks), writing to `logFile`, and not holding this process
 * open: the CLI exits while the servers run on.
 * @param {string} command
 * @param {string[]} args
 * @param {{ logFile: string, env: NodeJS.ProcessEnv }} options
 */
export function spawnDetached(command, args, { logFile, env }) {
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, {
    env,
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.on('error', () => {
    // A command that cannot start shows as a child without a pid or with an
    // exit code, which the caller checks.
  });
  child.unref();
  return child;
}

/**
 * Whether `pid` is a live process. A zombie (exited, not yet reaped by its
 * parent) counts as gone: it holds no port and no file.
 * @param {number} pid
 */
export function isRunning(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    // No /proc (not Linux), or it has just gone.
    return true;
  }
}

/**
 * Whether `pid`'s command line contains `marker`; true where /proc cannot
 * tell, so that stopping still works off Linux.
 * @param {number} pid
 * @param {string} marker
 */
function commandLineHas(pid, marker) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return true;
  }
}

/**
 * @param {number} pid
 * @param {NodeJS.Signals} signal
 */
function signalGroup(pid, signal) {
  // Each server leads its own process group (spawned detached); signalling
  // the group also reaches anything it forked.
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
      return;
    } catch {
      // Not a group leader any more, or already gone: try the pid alone.
    }
  }
}

/**
 * SIGTERM, then SIGKILL for whatever is still running after a grace
 * period. Resolves when none of `pids` runs. With `marker`, only processes
 * whose command line contains it are touched.
 * @param {(number | undefined)[]} pids
 * @param {string} [marker]
 */
export async function stopProcesses(pids, marker) {
  const mine = pids.filter(
    /** @returns {pid is number} */
    (pid) =>
      !!pid &&
      pid !== process.pid &&
      isRunning(pid) &&
      (marker === undefined || commandLineHas(pid, marker)),
  );
  for (const pid of mine) signalGroup(pid, 'SIGTERM');
  if (await waitForExit(mine, GRACE_MS)) return;
  for (const pid of mine) if (isRunning(pid)) signalGroup(pid, 'SIGKILL');
  await waitForExit(mine, GRACE_MS);
}

/**
 * @param {number[]} pids
 * @param {number} timeoutMs
 */
async function waitForExit(pids, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isRunning)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * The last lines of a log file, for error messages.
 * @param {string} file
 */
export async function tailOfFile(file, lines = 20) {
  try {
    const text = await fs.readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
