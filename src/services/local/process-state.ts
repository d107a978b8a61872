/**
 * Is a training process still there? Answered from the pid alone, so that
 * any later app instance can tell, with a guard against a reused pid.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode } from '../fs-errors.js';

interface ProcStat {
  state: string;
  pgid: string;
  startTime: string;
}

/**
 * State and start time (clock ticks since boot) of a process from
 * /proc/<pid>/stat; undefined when there is no /proc (not Linux) or no
 * such process.
 */
function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, , pgid] = fields;
  const startTime = fields[19];
  if (!state || !pgid || !startTime) return undefined;
  return { state, pgid, startTime };
}

/** The start time to record at spawn, on Linux. */
export function processStartTime(pid: number): string | undefined {
  return readProcStat(pid)?.startTime;
}

/**
 * Whether `pid` is alive and is the process started then: not a zombie,
 * and with the recorded start time when there is one.
 */
export function isProcessAlive(pid: number, startTime?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (errorCode(error) !== 'EPERM') return false;
  }
  const stat = readProcStat(pid);
  if (stat === undefined) return process.platform !== 'linux';
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return startTime === undefined || stat.startTime === startTime;
}

/**
 * Whether any live process of the group `pgid` is left. Zombies do not
 * count: an orphan's zombie lingers until init reaps it, which some
 * container inits do slowly.
 */
export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true;
  }
  return pids.some((pid) => {
    const stat = readProcStat(Number(pid));
    return stat?.pgid === String(pgid) && !['Z', 'X'].includes(stat.state);
  });
}

/** Send a signal to a whole process group; a group already gone is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if (errorCode(error) !== 'ESRCH') throw error;
  }
}

/** Waits until the group is gone or `ms` pass; says whether it is gone. */
export async function waitForGroupExit(
  pgid: number,
  ms: number,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isGroupAlive(pgid)) return true;
    await sleep(50);
  }
  return !isGroupAlive(pgid);
}
