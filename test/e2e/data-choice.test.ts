/**
 * The data the journey's services choose, upload and write back: the data
 * screen's folder saved with the hyperparameters, `upload: existing` with
 * the configured file and no local copy, and cuda refused before upload.
 * In-process over the real services and the local backend.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createJourneyServices } from '../../src/app/journey-services.js';
import { DEFAULT_HYPERPARAMETERS } from '../../src/core/types.js';
import {
  loadConfig,
  updateHyperparameters,
  updateSetup,
  writeDefaultConfig,
} from '../../src/services/config/config-file.js';
import { repoRoot } from '../helpers/cli.js';

let dir: string;
let home: string;
const signal = new AbortController().signal;
const options = { onProgress: () => {}, signal };

/** Tab-separated user, item, play count: 30 users with 3 items each. */
function interactions(): string {
  const lines: string[] = [];
  for (let user = 1; user <= 30; user += 1) {
    for (let item = 1; item <= 3; item += 1) {
      lines.push(`${user}\t${(user * 7 + item) % 40}\t${user * item}`);
    }
  }
  return lines.join('\n') + '\n';
}

function folderWith(name: string, files: Record<string, string>): string {
  const folder = path.join(dir, name);
  mkdirSync(folder, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    writeFileSync(path.join(folder, file), text);
  }
  return folder;
}

async function configFor(
  name: string,
  setup: Parameters<typeof updateSetup>[1],
): Promise<string> {
  const file = path.join(dir, name);
  await writeDefaultConfig(file);
  await updateSetup(file, {
    backend: 'local',
    dataBucket: `${name.replace(/\W/g, '-')}-data`,
    resultsBucket: `${name.replace(/\W/g, '-')}-results`,
    compute: 'cpu',
    ...setup,
  });
  await updateHyperparameters(file, { dataFile: '' });
  return file;
}

const bucketDir = (bucket: string) => path.join(home, 'buckets', bucket);

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'maxrec-data-choice-'));
  home = path.join(dir, 'home');
  vi.stubEnv('MAXREC_HOME', home);
  vi.stubEnv('MAXREC_CONFIG_HOME', path.join(dir, 'prefs'));
});

afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('the data screen choice', () => {
  it('is what the config names once the hyperparameters are saved', async () => {
    const catalogue = Array.from(
      { length: 2000 },
      (_, i) => `${i}\tArtist ${i}\thttp://example.com/${i}`,
    );
    const lastfm = folderWith('lastfm', {
      'artists.dat': ['id\tname\turl', ...catalogue].join('\n'),
      'user_artists.dat': interactions(),
    });
    const ml100k = folderWith('ml100k', {
      'u.data': interactions(),
      'u.item': '1|Toy Story (1995)|01-Jan-1995\n',
    });
    const config = await configFor('choice.yaml', { localDataDir: lastfm });
    const services = createJourneyServices();
    const settings = await services.loadSettings(config, signal);
    await services.saveSetup(
      config,
      { ...settings, localDataDir: lastfm },
      signal,
    );

    const inspection = await services.inspectData(ml100k, options);
    expect(inspection.file).toBe(path.join(ml100k, 'u.data'));
    await services.uploadData({
      settings,
      dataPath: ml100k,
      inspection,
      onProgress: () => {},
      signal,
    });
    await services.saveHyperparameters(
      config,
      { ...DEFAULT_HYPERPARAMETERS, epochs: 3, delimiter: '\\t' },
      signal,
    );

    const saved = (await loadConfig(config)).settings;
    expect(saved.localDataDir).toBe(ml100k);
    expect(saved.hyperparameters.dataFile).toBe('u.data');
    expect(saved.hyperparameters.epochs).toBe(3);
    // As a later `maxrec train CONFIG prepare` reads it.
    const again = createJourneyServices();
    await again.loadSettings(config, signal);
    const reread = await again.inspectData(saved.localDataDir, options);
    expect(reread.file).toBe(path.join(ml100k, 'u.data'));
  });
});

describe('a refused setup', () => {
  it('leaves the config as it was, data file included', async () => {
    const first = folderWith('first', { 'plays.tsv': interactions() });
    const second = folderWith('second', { 'u.data': interactions() });
    const config = await configFor('refused.yaml', { localDataDir: first });
    await updateHyperparameters(config, { dataFile: 'plays.tsv' });
    const before = readFileSync(config, 'utf8');
    const services = createJourneyServices();
    const settings = await services.loadSettings(config, signal);
    // Another folder (whose files differ) and one bucket for both.
    await expect(
      services.saveSetup(
        config,
        {
          ...settings,
          localDataDir: second,
          resultsBucket: settings.dataBucket,
        },
        signal,
      ),
    ).rejects.toMatchObject({ exitCode: 3 });
    expect(readFileSync(config, 'utf8')).toBe(before);
  });
});

describe('upload: existing', () => {
  it('looks for the configured file, not data/ratings.csv', async () => {
    const folder = folderWith('d100k', { 'u.data': interactions() });
    const file = path.join(folder, 'u.data');
    const config = await configFor('existing.yaml', {
      localDataDir: file,
      dataUpload: 'existing',
    });
    mkdirSync(bucketDir('existing-yaml-data'), { recursive: true });
    writeFileSync(path.join(bucketDir('existing-yaml-data'), 'u.data'), '');
    const services = createJourneyServices();
    const settings = await services.loadSettings(config, signal);
    const inspection = await services.inspectData(file, options);
    const uploaded = await services.uploadData({
      settings,
      dataPath: file,
      inspection,
      onProgress: () => {},
      signal,
    });
    expect(uploaded.existing).toBe(true);
  });

  it('needs no local copy, and creates no bucket to refuse', async () => {
    const missing = path.join(dir, 'not-here');
    const config = await configFor('no-local.yaml', {
      localDataDir: missing,
      dataUpload: 'existing',
    });
    const services = createJourneyServices();
    const settings = await services.loadSettings(config, signal);
    const inspection = await services.inspectData(missing, options);
    expect(inspection.errors).toEqual([]);
    expect(inspection.warnings[0]?.message).toMatch(/not inspected/);
    const refused = await services
      .uploadData({
        settings,
        dataPath: missing,
        inspection,
        onProgress: () => {},
        signal,
      })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ exitCode: 4 });
    expect(String(refused)).toContain(
      'no-local-yaml-data has no data/ratings.csv',
    );
    expect(existsSync(bucketDir('no-local-yaml-data'))).toBe(false);
  });
});

describe('compute cuda without a CUDA device', () => {
  it('is refused (exit 2) before anything is uploaded', async () => {
    const python = path.join(dir, 'python-without-cuda');
    writeFileSync(
      python,
      '#!/bin/sh\ncase "$*" in *cuda.is_available*) exit 3 ;; esac\n' +
        `exec "${path.join(repoRoot, '.venv', 'bin', 'python')}" "$@"\n`,
    );
    chmodSync(python, 0o755);
    vi.stubEnv('MAXREC_PYTHON', python);
    const folder = folderWith('cuda-data', { 'u.data': interactions() });
    const config = await configFor('cuda.yaml', {
      localDataDir: folder,
      compute: 'cuda',
    });
    const services = createJourneyServices();
    const settings = await services.loadSettings(config, signal);
    const inspection = await services.inspectData(folder, options);
    const refused = await services
      .uploadData({
        settings,
        dataPath: folder,
        inspection,
        onProgress: () => {},
        signal,
      })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ exitCode: 2 });
    expect(String(refused)).toMatch(/no CUDA device is visible to torch/);
    expect(existsSync(bucketDir('cuda-yaml-data'))).toBe(false);
  }, 120_000);
});
