/**
 * Following a run: its log from the start, then as it grows, and its status,
 * until it ends. Woken by fs.watch when the platform has it, and by a slow
 * poll in any case, so it sleeps between changes instead of spinning.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isFinal } from '../../core/types.js';
import type { RunSnapshot, TrainerEvent } from '../../core/types.js';
import { LogTail, parseTrainerEvent } from './log-tail.js';

const MIN_GAP_MS = 100;

/** Where a run's log and status come from. */
export interface FollowSource {
  log: string;
  /** Folder whose changes wake the follower (the run's). */
  watchDir: string;
  status: () => Promise<RunSnapshot>;
  pollMs: number;
}

/** Callbacks for what follow() sees, as in TrainingBackend.follow. */
export interface FollowHandlers {
  onLogLine?: (line: string) => void;
  onTrainerEvent?: (event: TrainerEvent) => void;
  onStatus?: (snapshot: RunSnapshot) => void;
  /** About the following itself, not the run: a service retried, say. */
  onNotice?: (message: string) => void;
}

/**
 * Resolves with the final snapshot once the log is drained, or with the
 * last snapshot seen when `signal` aborts.
 */
export async function followRun(
  source: FollowSource,
  handlers: FollowHandlers,
  signal?: AbortSignal,
): Promise<RunSnapshot> {
  const tail = new LogTail(source.log);
  const onLine = (line: string) => {
    handlers.onLogLine?.(line);
    const event = parseTrainerEvent(line);
    if (event) handlers.onTrainerEvent?.(event);
  };
  const wake = new Waker(source.watchDir);
  let last: RunSnapshot | undefined;
  try {
    for (;;) {
      const snapshot = await source.status();
      await tail.readNewLines(onLine);
      if (!last || changed(last, snapshot)) handlers.onStatus?.(snapshot);
      last = snapshot;
      if (isFinal(snapshot.status)) {
        tail.flush(onLine);
        return snapshot;
      }
      if (signal?.aborted) return snapshot;
      await wake.next(source.pollMs, signal);
      // A chatty log wakes the watcher often: look at most every 100 ms.
      await sleep(MIN_GAP_MS, undefined, { signal }).catch(() => undefined);
      if (signal?.aborted) return last;
    }
  } finally {
    wake.close();
  }
}

function changed(before: RunSnapshot, after: RunSnapshot): boolean {
  return before.status !== after.status || before.reason !== after.reason;
}

/** Resolves `next()` on a change in the folder, a timeout or an abort. */
class Waker {
  private watcher: FSWatcher | undefined;
  private pending: (() => void) | undefined;
  private dirty = false;

  constructor(dir: string) {
    try {
      this.watcher = watch(dir, () => this.fire());
      this.watcher.on('error', () => this.close());
    } catch {
      // No fs.watch here (or the folder is gone): the poll alone will do.
    }
  }

  next(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.dirty) {
      this.dirty = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.pending = undefined;
        this.dirty = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.pending = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private fire(): void {
    if (this.pending) this.pending();
    else this.dirty = true;
  }
}
