import fsCallbacks from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MaxrecError } from '../../src/core/errors.js';
import {
  loadConfig,
  saveConfig,
  updateHyperparameters,
  updateSetup,
  writeDefaultConfig,
} from '../../src/services/config/config-file.js';

const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const defaultConfig = path.join(
  repoRoot,
  'max-recommender-training-config.yaml',
);

/** A file as the original setup_max_model_training.py left it (§4). */
const ORIGINAL_CONFIG = `name: MAX Recommender            # req
model_identifier: max-recommender  # req
description: Generate personalized recommendations
author: {name: IBM CODAIT}       # req
framework: {name: tensorflow, version: "1.15", runtimes: {name: python, version: 3.6}}
train:
  model_source:
    initial_model: {data_store: cloud_training_datastore, bucket: , path: }
    initial_model_local: {path: training_code/}
  model_training_results:
    trained_model: {data_store: cloud_training_datastore, bucket: }
    trained_model_local: {path: ../custom_assets/}
  data_source:
    training_data: {data_store: cloud_training_datastore, bucket: , path: }
    training_data_local: {path: sample_training_data/}
  mount_type: mount_cos
  execution:
    command: chmod +x *.sh && ./train-max-model.sh
    compute_configuration: {name: k80}
process:
  - name: training_process
    params: {staging_dir: training_output/, trained_model_path: trained_model/tensorflow/checkpoint/}
data_stores:
  - {name: cloud_training_datastore, type: s3, connection: {endpoint: https://s3.us.cloud-object-storage.appdomain.cloud}}
`;

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-config-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function writeConfig(text: string): Promise<string> {
  const file = path.join(dir, 'config.yaml');
  await fs.writeFile(file, text);
  return file;
}

async function loadError(file: string): Promise<MaxrecError> {
  const error: unknown = await loadConfig(file).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MaxrecError);
  return error as MaxrecError;
}

async function defaultWith(
  replace: [string | RegExp, string][],
): Promise<string> {
  let text = await fs.readFile(defaultConfig, 'utf8');
  for (const [from, to] of replace) {
    const next = text.replace(from, to);
    expect(next, `pattern ${String(from)} applies`).not.toBe(text);
    text = next;
  }
  return writeConfig(text);
}

describe('loadConfig', () => {
  it('loads the bundled default config', async () => {
    const { settings, notes } = await loadConfig(defaultConfig);
    expect(notes).toEqual([]);
    expect(settings).toMatchObject({
      backend: 'local',
      dataBucket: 'maxrec-data',
      dataPrefix: '',
      resultsBucket: 'maxrec-results',
      localDataDir: path.join(repoRoot, 'sample_training_data'),
      codeDir: path.join(repoRoot, 'training_code'),
      stagingDir: path.join(repoRoot, 'training_output'),
      trainedModelPath: 'trained_model/',
      trainedModelCopyDir: path.join(repoRoot, 'custom_assets'),
      compute: 'cpu',
      command: 'chmod +x *.sh && ./train-max-model.sh',
      localRoot: undefined,
      python: undefined,
      hyperparameters: {
        epochs: 20,
        batchSize: 128,
        factors: 8,
        learningRate: 0.005,
        delimiter: ',',
        hpo: false,
        dataFile: 'data/ratings.csv',
        itemTitlesFile: 'data/movies.csv',
      },
    });
  });

  it('loads a file written by the original tool, with defaults', async () => {
    const file = await writeConfig(ORIGINAL_CONFIG);
    const { settings, notes, config } = await loadConfig(file);
    expect(settings).toMatchObject({
      backend: 'local',
      dataBucket: undefined,
      resultsBucket: undefined,
      dataPrefix: '',
      // A WML size of the original's; the local backend trains on cpu.
      compute: 'cpu',
      trainedModelPath: 'trained_model/',
      trainedModelCopyDir: path.resolve(dir, '../custom_assets'),
      localDataDir: path.join(dir, 'sample_training_data'),
      cosEndpoint: 'https://s3.us.cloud-object-storage.appdomain.cloud',
      hyperparameters: {
        epochs: 20,
        batchSize: 128,
        factors: 8,
        learningRate: 0.005,
        delimiter: ',',
        hpo: false,
        dataFile: undefined,
        itemTitlesFile: undefined,
      },
    });
    expect(notes).toHaveLength(2);
    expect(notes.join('\n')).toContain('process.0.params.trained_model_path');
    expect(notes.join('\n')).toContain('"k80" is read as "cpu"');
    // Every key the original wrote is known, and kept.
    expect(config.train).toHaveProperty('mount_type', 'mount_cos');
    expect(config.train.data_source.training_data).toHaveProperty(
      'data_store',
      'cloud_training_datastore',
    );
    expect(config.train.execution.compute_configuration.name).toBe('k80');
  });

  it.each([
    [
      [/batch_size: 128/, 'batch_size: abc'],
      'train.hyperparameters.batch_size: expected a positive integer, got "abc"',
    ],
    [[/epochs: 20/, 'epochs: 0'], 'train.hyperparameters.epochs'],
    [[/factors: 8/, 'factors: 2.5'], 'train.hyperparameters.factors'],
    [
      [/learning_rate: 0.005/, 'learning_rate: 1.5'],
      'train.hyperparameters.learning_rate: expected a number between 0 and 1, got 1.5',
    ],
    [[/delimiter: ","/, 'delimiter: "#"'], 'train.hyperparameters.delimiter'],
    [[/hpo: false/, 'hpo: maybe'], 'train.hyperparameters.hpo'],
    [[/name: local/, 'name: azure'], 'backend.name'],
    [
      [/bucket: maxrec-data/, 'bucket: My_Bucket'],
      'train.data_source.training_data.bucket',
    ],
    [
      [/bucket: maxrec-results/, 'bucket: ab'],
      'train.model_training_results.trained_model.bucket',
    ],
    [[/name: cpu/, 'name: ""'], 'train.execution.compute_configuration.name'],
    [[/ {4}command: .*\n/, ''], 'train.execution.command: missing'],
    [[/^model_identifier: .*\n/m, ''], 'model_identifier: missing'],
    [
      [/endpoint: .*/, 'endpoint: not a url'],
      'data_stores.0.connection.endpoint',
    ],
  ] as [[RegExp, string], string][])(
    'names the dotted path of a wrong key (%j)',
    async (replacement, expected) => {
      const file = await defaultWith([replacement]);
      const error = await loadError(file);
      expect(error.exitCode).toBe(3);
      expect(error.message).toContain(expected);
      expect(error.message).toContain(file);
      expect(error.hint).toBeTruthy();
    },
  );

  it('refuses a misspelt key, naming its dotted path and the key meant', async () => {
    const file = await defaultWith([
      [/epochs: 20/, 'epocs: 2'],
      [/ {4}hpo: false/, '    hpo: false\n    batchsize: 64\n    colour: blue'],
      [/^model_identifier:/m, 'Name: x\nmodel_identifier:'],
      [/ {2}mount_type: mount_cos/, '  mount_typ: mount_cos'],
      [/ {6}endpoint: /, '      api_key: hunter2\n      endpoint: '],
    ]);
    const error = await loadError(file);
    expect(error.exitCode).toBe(3);
    const lines = error.message.split('\n').slice(1);
    expect(lines).toEqual([
      '  train.hyperparameters.epocs: unknown key; did you mean epochs?',
      '  train.hyperparameters.batchsize: unknown key; did you mean batch_size?',
      '  train.hyperparameters.colour: unknown key',
      '  train.mount_typ: unknown key; did you mean mount_type?',
      '  data_stores.0.connection.api_key: unknown key',
      '  Name: unknown key; did you mean name?',
    ]);
    // The value of an unknown key is never shown: it may be a secret.
    expect(error.message).not.toContain('hunter2');
  });

  it.each([
    ['local', 'cuda', 'cuda'],
    ['local', 'gpu', 'cuda'],
    ['ray', 'gpu', 'cuda'],
    ['ibm', 'k80', 'k80'],
    ['ibm', 'cpu', 'cpu'],
    // A WML size reads as cpu whether `backend: local` is written or not.
    ['local', 'k80', 'cpu'],
    ['ray', 'v100', 'cpu'],
  ])('on %s, reads the compute size %s as %s', async (backend, size, read) => {
    const file = await defaultWith([
      [/name: cpu/, `name: ${size} # compute`],
      [/name: local/, `name: ${backend} # backend`],
    ]);
    expect((await loadConfig(file)).settings.compute).toBe(read);
  });

  it.each([
    ['local', 'huge', 'use one of cpu, cuda'],
    ['ray', 'huge', 'use one of cpu, cuda'],
    ['ibm', 'cuda', 'is not a WML hardware size'],
  ])('on %s, refuses the compute size %s', async (backend, size, expected) => {
    const file = await defaultWith([
      [/name: cpu/, `name: ${size} # compute`],
      [/name: local/, `name: ${backend} # backend`],
    ]);
    const error = await loadError(file);
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain(
      `train.execution.compute_configuration.name: "${size}"`,
    );
    expect(error.message).toContain(expected);
  });

  it('reads an original k80 the same with and without `backend: local`, saying why', async () => {
    const written = await writeConfig(
      `${ORIGINAL_CONFIG}backend:\n  name: local\n`,
    );
    const implied = path.join(dir, 'implied.yaml');
    await fs.writeFile(implied, ORIGINAL_CONFIG);
    for (const file of [written, implied]) {
      const { settings, notes } = await loadConfig(file);
      expect(settings.compute).toBe('cpu');
      const note = notes.find((n) => n.includes('"k80"'));
      expect(note).toContain('WML hardware size');
      expect(note).toContain('write one of those to choose');
    }
  });

  it('reads a missing file as the default when asked, writing nothing', async () => {
    const file = path.join(dir, 'absent', 'new.yaml');
    const { settings, path: read } = await loadConfig(file, {
      missingAsDefault: true,
    });
    expect(read).toBe(file);
    expect(settings.codeDir).toBe(path.join(repoRoot, 'training_code'));
    expect(settings.dataBucket).toBe('maxrec-data');
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('lists every wrong key at once', async () => {
    const file = await defaultWith([
      [/epochs: 20/, 'epochs: -1'],
      [/factors: 8/, 'factors: many'],
    ]);
    const error = await loadError(file);
    expect(error.message).toContain('2 wrong settings');
    expect(error.message).toContain('train.hyperparameters.epochs');
    expect(error.message).toContain('train.hyperparameters.factors');
  });

  it.each([
    ['\\t', '\\t'],
    ['tab', '\\t'],
    ['"\\t"', '\\t'],
    ['"::"', '::'],
    ['"|"', '|'],
    ['" "', ' '],
  ])('accepts the delimiter %s', async (written, expected) => {
    const file = await defaultWith([
      [/delimiter: ","/, `delimiter: ${written}`],
    ]);
    const { settings } = await loadConfig(file);
    expect(settings.hyperparameters.delimiter).toBe(expected);
  });

  it('reports a missing file with exit 3', async () => {
    const error = await loadError(path.join(dir, 'nope.yaml'));
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain('does not exist');
  });

  it('reports an unreadable file with exit 3', async () => {
    const error = await loadError(dir);
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain('Could not read');
  });

  it('reports a YAML syntax error with its line and column', async () => {
    const file = await writeConfig('name: a\ntrain: [unclosed\nx: 1\n');
    const error = await loadError(file);
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/line \d+, column \d+/);
    expect(error.message.match(/at line/g)).toHaveLength(1);
  });

  it('reports a file that is not a mapping', async () => {
    const error = await loadError(await writeConfig('- just\n- a list\n'));
    expect(error.exitCode).toBe(3);
  });
});

describe('saveConfig', () => {
  it('keeps comments and key order', async () => {
    const file = await writeConfig(await fs.readFile(defaultConfig, 'utf8'));
    const before = await fs.readFile(file, 'utf8');
    await saveConfig(file, { 'train.hyperparameters.epochs': 7 });
    const after = await fs.readFile(file, 'utf8');
    expect(after).toBe(before.replace('epochs: 20', 'epochs: 7'));
  });

  it('fills in an original file, keeping its flow style', async () => {
    const file = await writeConfig(ORIGINAL_CONFIG);
    const { settings } = await updateSetup(file, {
      backend: 'local',
      dataBucket: 'my-data',
      resultsBucket: 'my-results',
      localDataDir: 'data-folder/',
      compute: 'cpu',
    });
    expect(settings).toMatchObject({
      dataBucket: 'my-data',
      resultsBucket: 'my-results',
      compute: 'cpu',
      localDataDir: path.join(dir, 'data-folder'),
    });
    const text = await fs.readFile(file, 'utf8');
    // Comments survive (their column alignment does not).
    expect(text).toContain('name: MAX Recommender # req');
    expect(text).toContain('author: { name: IBM CODAIT } # req');
    await loadConfig(file);
    expect(text).toMatch(/training_data: \{.*bucket: my-data/);
    expect(text.trimEnd().split('\n').at(-2)).toBe('backend:');
  });

  it('refuses a setup naming one bucket for both, writing nothing', async () => {
    const file = await writeConfig(await fs.readFile(defaultConfig, 'utf8'));
    const before = await fs.readFile(file, 'utf8');
    const error = (await updateSetup(file, {
      dataBucket: 'same',
      resultsBucket: 'same',
    }).catch((e: unknown) => e)) as MaxrecError;
    expect(error).toBeInstanceOf(MaxrecError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/both "same".*Nothing was written/);
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    // Nor is a missing file created.
    const absent = path.join(dir, 'absent.yaml');
    await expect(
      updateSetup(absent, { dataBucket: 'same', resultsBucket: 'same' }),
    ).rejects.toThrow(/both "same"/);
    await expect(fs.stat(absent)).rejects.toThrow();
  });

  it('lets a setup fix a config whose buckets are the same', async () => {
    const file = await defaultWith([
      [/bucket: maxrec-results/, 'bucket: maxrec-data'],
    ]);
    await expect(updateSetup(file, { backend: 'ray' })).rejects.toThrow(
      /both "maxrec-data"/,
    );
    const { settings } = await updateSetup(file, { resultsBucket: 'other' });
    expect(settings.resultsBucket).toBe('other');
  });

  it('writes hyperparameters, creating the section when absent', async () => {
    const file = await writeConfig(ORIGINAL_CONFIG);
    const { settings } = await updateHyperparameters(file, {
      epochs: 3,
      learningRate: 0.01,
      delimiter: '\t',
      hpo: true,
    });
    expect(settings.hyperparameters).toMatchObject({
      epochs: 3,
      batchSize: 128,
      learningRate: 0.01,
      delimiter: '\\t',
      hpo: true,
    });
    const reloaded = await loadConfig(file);
    expect(reloaded.settings.hyperparameters.epochs).toBe(3);
  });

  it('refuses an invalid value and leaves the file as it was', async () => {
    const file = await writeConfig(await fs.readFile(defaultConfig, 'utf8'));
    const before = await fs.readFile(file, 'utf8');
    const error: unknown = await saveConfig(file, {
      'train.hyperparameters.batch_size': 0,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaxrecError);
    expect((error as MaxrecError).message).toContain(
      'train.hyperparameters.batch_size',
    );
    expect(await fs.readFile(file, 'utf8')).toBe(before);
  });

  it.each(['backend.ibm.apikey', 'backend.ray.token', 'x.password'])(
    'refuses to write the secret-looking key %s',
    async (key) => {
      const file = await writeConfig(await fs.readFile(defaultConfig, 'utf8'));
      const before = await fs.readFile(file, 'utf8');
      await expect(saveConfig(file, { [key]: 'hunter2' })).rejects.toThrow(
        /secret/,
      );
      await expect(
        saveConfig(file, { 'backend.ibm': { api_key: 'x' } }),
      ).rejects.toThrow(/secret/);
      expect(await fs.readFile(file, 'utf8')).toBe(before);
    },
  );

  it('creates a missing file from the default, pointed at the bundled code', async () => {
    const file = path.join(dir, 'sub', 'new.yaml');
    await saveConfig(file, { 'train.hyperparameters.epochs': 4 });
    const { settings } = await loadConfig(file);
    expect(settings.hyperparameters.epochs).toBe(4);
    expect(settings.codeDir).toBe(path.join(repoRoot, 'training_code'));
  });

  it('writes nothing when the check refuses the whole new config', async () => {
    const file = await writeConfig(await fs.readFile(defaultConfig, 'utf8'));
    const before = await fs.readFile(file, 'utf8');
    const refused = new Error('no');
    await expect(
      saveConfig(
        file,
        { 'train.hyperparameters.epochs': 4 },
        {
          check: ({ settings }) => {
            expect(settings.hyperparameters.epochs).toBe(4);
            throw refused;
          },
        },
      ),
    ).rejects.toBe(refused);
    expect(await fs.readFile(file, 'utf8')).toBe(before);
  });

  it('replaces the file atomically, leaving no temporary file', async () => {
    const file = await writeConfig(await fs.readFile(defaultConfig, 'utf8'));
    await saveConfig(file, { 'train.hyperparameters.factors': 16 });
    expect(await fs.readdir(dir)).toEqual(['config.yaml']);
  });

  it('leaves the old file intact when the write fails', async () => {
    const file = await writeConfig(await fs.readFile(defaultConfig, 'utf8'));
    const before = await fs.readFile(file, 'utf8');
    // write-file-atomic renames its temporary file over the old one: make
    // that step fail as a full disk would.
    const spy = vi
      .spyOn(fsCallbacks, 'rename')
      .mockImplementation((_from, _to, callback) =>
        callback(Object.assign(new Error('disk full'), { code: 'ENOSPC' })),
      );
    try {
      const error: unknown = await saveConfig(file, {
        'train.hyperparameters.factors': 16,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MaxrecError);
      expect((error as MaxrecError).exitCode).toBe(3);
      expect((error as MaxrecError).message).toContain('left as it was');
    } finally {
      spy.mockRestore();
    }
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    expect(await fs.readdir(dir)).toEqual(['config.yaml']);
  });
});

describe('writeDefaultConfig', () => {
  it('copies the bundled default, and refuses to overwrite', async () => {
    const file = path.join(dir, 'sub', 'max-recommender-training-config.yaml');
    await writeDefaultConfig(file);
    const written = await fs.readFile(file, 'utf8');
    const bundled = await fs.readFile(defaultConfig, 'utf8');
    // Comments and keys survive; only the two folder paths change.
    const differing = written
      .split('\n')
      .filter((line, i) => line !== bundled.split('\n')[i]);
    expect(differing).toHaveLength(2);
    await expect(writeDefaultConfig(file)).rejects.toMatchObject({
      exitCode: 3,
    });
    await writeDefaultConfig(file, { overwrite: true });
    await loadConfig(file);
  });

  it('points a config written elsewhere at the bundled code and sample', async () => {
    const file = path.join(dir, 'elsewhere', 'config.yaml');
    await writeDefaultConfig(file);
    const { settings } = await loadConfig(file);
    const root = path.dirname(defaultConfig);
    expect(settings.codeDir).toBe(path.join(root, 'training_code'));
    expect(settings.localDataDir).toBe(path.join(root, 'sample_training_data'));
  });
});
