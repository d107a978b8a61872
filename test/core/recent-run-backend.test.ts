/**
 * A recent run is looked up, and followed, on the backend it ran on, even
 * after its config was set to another backend; a run its backend does not
 * know is "not found", not failed.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createJourneyServices } from '../../src/app/journey-services.js';
import { RunNotFoundError } from '../../src/core/journey.js';
import { updateSetup } from '../../src/services/config/config-file.js';
import { openPreferences } from '../../src/services/preferences.js';

const DONE_ID = 'train-20261201-100000-aaaa';
const GONE_ID = 'train-20261201-110000-bbbb';

let dir: string;
let configPath: string;
let env: NodeJS.ProcessEnv;
let localRoot: string;

async function setBackend(backend: 'local' | 'ray') {
  await updateSetup(configPath, {
    backend,
    localDataDir: path.join(dir, 'data'),
    dataBucket: 'data-bucket',
    resultsBucket: 'results-bucket',
    compute: 'cpu',
    localRoot,
  });
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'maxrec-recent-'));
  configPath = path.join(dir, 'max-recommender-training-config.yaml');
  localRoot = path.join(dir, 'home');
  env = { ...process.env, MAXREC_CONFIG_HOME: path.join(dir, 'prefs') };
  mkdirSync(path.join(dir, 'data'));
  const runDir = path.join(localRoot, 'runs', DONE_ID);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(
    path.join(runDir, 'run.json'),
    JSON.stringify({
      id: DONE_ID,
      name: 'train',
      status: 'completed',
      createdAt: 1,
      startedAt: 2,
      endedAt: 3,
      exitCode: 0,
      command: 'true',
      dataDir: 'data',
      resultDir: 'results',
      resultsBucket: 'results-bucket',
      resultsCollected: true,
    }),
  );
  writeFileSync(path.join(runDir, 'training-log.txt'), 'all done\n');
  await setBackend('local');
  const preferences = openPreferences({ env });
  for (const id of [GONE_ID, DONE_ID]) {
    preferences.addRecentRun({
      id,
      backend: 'local',
      configPath,
      startedAt: 1,
    });
  }
});

describe('recent runs after the config changed backend', () => {
  it('are looked up on the backend they ran on', async () => {
    await setBackend('ray');
    const services = createJourneyServices({ env });
    await services.loadSettings(configPath, new AbortController().signal);
    const runs = await services.listRecentRuns(new AbortController().signal);
    expect(runs.map((run) => [run.id, run.status, run.backend])).toEqual([
      [DONE_ID, 'completed', 'local'],
      [GONE_ID, 'not found', 'local'],
    ]);
  }, 60_000);

  it('are followed on the backend they ran on', async () => {
    await setBackend('ray');
    const services = createJourneyServices({ env });
    const signal = new AbortController().signal;
    await services.loadSettings(configPath, signal);
    const lines: string[] = [];
    const handlers = {
      onLogLine: (line: string) => lines.push(line),
      onTrainerEvent: () => undefined,
      onStatus: () => undefined,
    };
    const final = await services.followRun(DONE_ID, handlers, signal);
    expect(final.status).toBe('completed');
    expect(lines).toEqual(['all done']);
    await expect(
      services.followRun(GONE_ID, handlers, signal),
    ).rejects.toBeInstanceOf(RunNotFoundError);
  }, 60_000);
});
