import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_RECENT_CONFIGS,
  MAX_RECENT_RUNS,
  openPreferences,
} from '../../src/services/preferences.js';

let home: string;

beforeEach(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-prefs-'));
});

afterEach(async () => {
  await fs.rm(home, { recursive: true, force: true });
});

describe('preferences', () => {
  it('lives in MAXREC_CONFIG_HOME', () => {
    const prefs = openPreferences({ env: { MAXREC_CONFIG_HOME: home } });
    prefs.addRecentConfig('a.yaml');
    expect(path.dirname(prefs.path)).toBe(home);
  });

  it('keeps recent configs, most recent first, without repeats', () => {
    const prefs = openPreferences({ env: { MAXREC_CONFIG_HOME: home } });
    prefs.addRecentConfig('/x/a.yaml');
    prefs.addRecentConfig('/x/b.yaml');
    prefs.addRecentConfig('/x/a.yaml');
    expect(prefs.recentConfigs()).toEqual(['/x/a.yaml', '/x/b.yaml']);
    for (let i = 0; i < 30; i += 1) prefs.addRecentConfig(`/x/${i}.yaml`);
    expect(prefs.recentConfigs()).toHaveLength(MAX_RECENT_CONFIGS);
    expect(prefs.recentConfigs()[0]).toBe('/x/29.yaml');
  });

  it('makes config paths absolute', () => {
    const prefs = openPreferences({ cwd: home });
    prefs.addRecentConfig('rel.yaml');
    expect(prefs.recentConfigs()).toEqual([path.resolve('rel.yaml')]);
  });

  it('keeps recent runs across instances, capped, replacing by id', () => {
    const first = openPreferences({ env: { MAXREC_CONFIG_HOME: home } });
    for (let i = 0; i < MAX_RECENT_RUNS + 5; i += 1) {
      first.addRecentRun({
        id: `run-${i}`,
        backend: 'local',
        configPath: '/x/c.yaml',
        startedAt: i,
      });
    }
    first.addRecentRun({
      id: 'run-10',
      backend: 'ray',
      configPath: '/x/c.yaml',
      startedAt: 100,
    });
    const second = openPreferences({ env: { MAXREC_CONFIG_HOME: home } });
    const runs = second.recentRuns();
    expect(runs).toHaveLength(MAX_RECENT_RUNS);
    expect(runs[0]).toEqual({
      id: 'run-10',
      backend: 'ray',
      configPath: '/x/c.yaml',
      startedAt: 100,
    });
    expect(runs.filter((run) => run.id === 'run-10')).toHaveLength(1);
    expect(second.findRun('run-24')?.startedAt).toBe(24);
    expect(second.findRun('run-0')).toBeUndefined();
  });

  it('survives a damaged preferences file', async () => {
    const prefs = openPreferences({ cwd: home });
    prefs.addRecentConfig('/x/a.yaml');
    await fs.writeFile(prefs.path, '{ not json');
    const reopened = openPreferences({ cwd: home });
    expect(reopened.recentConfigs()).toEqual([]);
    reopened.addRecentConfig('/x/b.yaml');
    expect(reopened.recentConfigs()).toEqual(['/x/b.yaml']);
  });

  it('skips malformed entries', async () => {
    const prefs = openPreferences({ cwd: home });
    await fs.writeFile(
      prefs.path,
      JSON.stringify({
        recentConfigs: ['/ok.yaml', 3],
        recentRuns: [
          { id: 'x' },
          { id: 'y', backend: 'local', configPath: '/c', startedAt: 1 },
        ],
      }),
    );
    const reopened = openPreferences({ cwd: home });
    expect(reopened.recentConfigs()).toEqual(['/ok.yaml']);
    expect(reopened.recentRuns().map((r) => r.id)).toEqual(['y']);
  });
});
