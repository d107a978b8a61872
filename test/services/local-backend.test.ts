import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunSnapshot, TrainerEvent } from '../../src/core/types.js';
import {
  DIED_REASON,
  LocalBackend,
} from '../../src/services/local/local-backend.js';
import { readRunRecord } from '../../src/services/local/run-store.js';
import { unpackCode } from '../../src/services/local/unpack-code.js';
import { ZipPackaging } from '../../src/services/packaging.js';
import type { RunRequest } from '../../src/services/types.js';

/**
 * Stands in for the trainer: MODE=ok prints events and packs an archive,
 * MODE=fail reports an error event, MODE=sleep waits on a child `sleep`,
 * MODE=stubborn does too but ignores SIGTERM, MODE=selfkill dies of SIGKILL.
 */
const FAKE_TRAINER = `#!/bin/bash
TRAINING_CMD="true"
echo "data in $DATA_DIR: $(ls "$DATA_DIR")"
echo '{"event":"start","users":3,"items":4,"interactions":9,"train_interactions":6,"evaluated_users":3,"single_interaction_users":0,"duplicates":0,"epochs":2,"hpo":false,"device":"cpu","read_seconds":0.1}'
echo '{"event": broken json'
case "$MODE" in
  fail)
    echo '{"event":"error","code":4,"message":"line 3: the rating is not a number"}'
    echo "Traceback: noise after the event"
    exit 1 ;;
  selfkill)
    echo "about to be killed"
    kill -KILL $$ ;;
  stubborn)
    trap '' TERM
    echo "sleeping"
    sleep 60 &
    wait
    exit 0 ;;
  sleep)
    echo "sleeping"
    sleep 60 &
    wait
    exit 0 ;;
esac
for epoch in 1 2; do
  sleep "\${EPOCH_SECONDS:-0.1}"
  echo "{\\"event\\":\\"epoch\\",\\"epoch\\":$epoch,\\"epochs\\":2,\\"loss\\":0.5,\\"val_hr\\":0.6,\\"val_ndcg\\":0.4,\\"seconds\\":0.1,\\"samples_per_second\\":100}"
done
mkdir -p out/trained_model && echo '{}' > out/trained_model/metrics.json
tar czf "$RESULT_DIR/model_training_output.tar.gz" -C out .
echo '{"event":"end","test_hr":0.7,"test_ndcg":0.5,"val_hr":0.6,"val_ndcg":0.4,"epochs_run":2,"train_seconds":0.2}'
printf 'done without a line break'
`;

let tmp: string;
let root: string;
let archive: string;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-backend-'));
  root = path.join(tmp, 'home');
  const code = path.join(tmp, 'training_code');
  await fs.mkdir(code, { recursive: true });
  await fs.writeFile(path.join(code, 'train-max-model.sh'), FAKE_TRAINER);
  archive = path.join(tmp, 'code.zip');
  await new ZipPackaging().buildCodeArchive(code, archive, {});
  const data = path.join(tmp, 'data');
  await fs.mkdir(data);
  await fs.writeFile(path.join(data, 'ratings.csv'), 'u,i,r\n');
  await new LocalBackend({ root }).storage.upload(data, 'data-bucket', '', {});
});

afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

function request(env: string): RunRequest {
  return {
    codeArchive: archive,
    command: `${env} ./train-max-model.sh`,
    dataBucket: 'data-bucket',
    dataPrefix: '',
    resultsBucket: 'results-bucket',
    name: 'test run',
    compute: 'cpu',
  };
}

async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(50);
  }
}

function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

describe('LocalBackend', () => {
  it('checks for Python and bash', async () => {
    await expect(new LocalBackend({ root }).check()).resolves.toBeUndefined();
    await expect(
      new LocalBackend({ root, python: '/nonexistent/bin/python' }).check(),
    ).rejects.toMatchObject({ exitCode: 2 });
  });

  it('runs to completion, following the log and events', async () => {
    const backend = new LocalBackend({ root });
    const started = await backend.start(request('MODE=ok'));
    expect(started.id).toMatch(/^train-\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(started.status).toBe('running');

    const lines: string[] = [];
    const events: TrainerEvent[] = [];
    const statuses: RunSnapshot[] = [];
    const final = await backend.follow(started.id, {
      onLogLine: (line) => lines.push(line),
      onTrainerEvent: (event) => events.push(event),
      onStatus: (snapshot) => statuses.push(snapshot),
    });
    expect(final).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(final.endedAt).toBeGreaterThanOrEqual(final.startedAt ?? 0);
    expect(events.map((e) => e.event)).toEqual([
      'start',
      'epoch',
      'epoch',
      'end',
    ]);
    expect(lines[0]).toBe(
      'data in ' + path.join(root, 'buckets', 'data-bucket') + ': ratings.csv',
    );
    expect(lines.at(-1)).toBe('done without a line break');
    // Each change is reported once; a slow machine may miss 'running'.
    expect(statuses.map((s) => s.status).join(' ')).toMatch(
      /^(running )?completed$/,
    );

    const results = await backend.results(started.id);
    expect(results).toEqual({
      bucket: 'results-bucket',
      logKey: `${started.id}/training-log.txt`,
      archiveKey: `${started.id}/model_training_output.tar.gz`,
    });
    const keys = (await backend.storage.listObjects('results-bucket')).map(
      (o) => o.key,
    );
    expect(keys.sort()).toEqual([results.archiveKey, results.logKey].sort());
    const runs = await backend.listRuns();
    expect(runs.map((r) => r.id)).toEqual([started.id]);
    expect(runs[0]).toMatchObject({ status: 'completed', name: 'test run' });
  });

  it('reports a failing run with the reason from its error event', async () => {
    const backend = new LocalBackend({ root });
    const { id } = await backend.start(request('MODE=fail'));
    const final = await backend.follow(id, {});
    expect(final).toMatchObject({
      status: 'failed',
      exitCode: 1,
      reason: 'line 3: the rating is not a number',
    });
    const results = await backend.results(id);
    expect(
      (await backend.storage.listObjects('results-bucket')).map((o) => o.key),
    ).toEqual([results.logKey]);
  });

  it('cancels the whole process group', async () => {
    const backend = new LocalBackend({ root, cancelGraceMs: 1000 });
    const { id } = await backend.start(request('MODE=sleep'));
    const log = path.join(root, 'runs', id, 'training-log.txt');
    await waitFor(async () =>
      (await fs.readFile(log, 'utf8')).includes('sleeping') ? true : undefined,
    );
    const { pgid } = await readRunRecord(root, id);
    expect(pgid).toBeGreaterThan(0);
    const started = Date.now();
    await backend.cancel(id);
    // SIGTERM was enough: no wait for the SIGKILL grace period.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await backend.status(id)).toMatchObject({ status: 'cancelled' });
    // Orphaned zombies may linger until init reaps them.
    await waitFor(async () => (groupGone(pgid as number) ? true : undefined));
    await backend.cancel(id);
    expect(await backend.status(id)).toMatchObject({ status: 'cancelled' });
  });

  it('kills a group that ignores SIGTERM after the grace period', async () => {
    const backend = new LocalBackend({ root, cancelGraceMs: 300 });
    const { id } = await backend.start(request('MODE=stubborn'));
    const log = path.join(root, 'runs', id, 'training-log.txt');
    await waitFor(async () =>
      (await fs.readFile(log, 'utf8')).includes('sleeping') ? true : undefined,
    );
    const { pgid } = await readRunRecord(root, id);
    await backend.cancel(id);
    expect(await backend.status(id)).toMatchObject({ status: 'cancelled' });
    await waitFor(async () => (groupGone(pgid as number) ? true : undefined));
  });

  it('reports a run killed from outside as failed, not running', async () => {
    const backend = new LocalBackend({ root });
    const { id } = await backend.start(request('MODE=sleep'));
    const { pgid } = await readRunRecord(root, id);
    process.kill(-(pgid as number), 'SIGKILL');
    const final = await waitFor(async () => {
      const snapshot = await backend.status(id);
      return snapshot.status === 'running' ? undefined : snapshot;
    });
    expect(final).toMatchObject({ status: 'failed', reason: DIED_REASON });
  });

  it('says which signal killed a training process, not its exit code', async () => {
    const backend = new LocalBackend({ root });
    const { id } = await backend.start(request('MODE=selfkill'));
    const final = await backend.follow(id, {});
    expect(final).toMatchObject({
      status: 'failed',
      exitCode: 137,
      reason: 'the training process was killed (signal 9, SIGKILL)',
    });
  });

  it('resumes following a run from a new instance on the same root', async () => {
    const first = new LocalBackend({ root });
    const { id } = await first.start(request('MODE=ok EPOCH_SECONDS=0.5'));
    const watching = new AbortController();
    const seen: string[] = [];
    const stopped = await first.follow(
      id,
      {
        onTrainerEvent: (event) => {
          seen.push(event.event);
          watching.abort();
        },
      },
      watching.signal,
    );
    expect(stopped.status).toBe('running');
    expect(seen).toEqual(['start']);

    const second = new LocalBackend({ root });
    const events: string[] = [];
    const final = await second.follow(id, {
      onTrainerEvent: (event) => events.push(event.event),
    });
    expect(final.status).toBe('completed');
    expect(events).toEqual(['start', 'epoch', 'epoch', 'end']);
  });

  it('says unknown training id for an id it does not have (exit 1)', async () => {
    const backend = new LocalBackend({ root });
    for (const id of ['train-20200101-000000-abcd', '../../etc']) {
      await expect(backend.status(id)).rejects.toMatchObject({
        exitCode: 1,
        message: expect.stringContaining('unknown training id') as string,
        hint: expect.stringContaining(path.join(root, 'runs')) as string,
      });
    }
    await expect(backend.follow('nope', {})).rejects.toMatchObject({
      exitCode: 1,
    });
  });

  it('refuses to start without uploaded data (exit 4)', async () => {
    const backend = new LocalBackend({ root });
    await expect(
      backend.start({ ...request('MODE=ok'), dataBucket: 'empty-bucket' }),
    ).rejects.toMatchObject({ exitCode: 4 });
  });

  it('unpacks with Python when there is no unzip command', async () => {
    const python = execFileSync(
      'python3',
      ['-c', 'import sys; print(sys.executable)'],
      { encoding: 'utf8' },
    ).trim();
    const savedPath = process.env.PATH;
    process.env.PATH = path.join(tmp, 'no-tools-here');
    try {
      const dest = path.join(tmp, 'unpacked');
      await unpackCode(archive, dest, python);
      const stat = await fs.stat(path.join(dest, 'train-max-model.sh'));
      expect(stat.mode & 0o111).not.toBe(0);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
