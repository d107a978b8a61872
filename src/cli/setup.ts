/**
 * `maxrec setup CONFIG`: choose the backend, the data and results
 * locations and the compute size. Prompts (the app's setup screen) in a
 * terminal; flags otherwise.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { keptIfPresent } from '../app/data-files.js';
import { createJourneyServices } from '../app/journey-services.js';
import { ExitCode, MaxrecError } from '../core/errors.js';
import { isIn } from '../core/state-path.js';
import type { BackendName } from '../core/types.js';
import { loadConfig, updateSetup } from '../services/config/config-file.js';
import { SETTING_KEYS, type Settings } from '../services/config/schema.js';
import { COMPUTE_SIZES, computeFor } from '../services/config/compute.js';
import type { SetupFlags, CliIo } from './main.js';
import { printNotes } from './journey-printer.js';
import type { Output } from './output.js';
import { isInteractive } from './terminal.js';
import { maskSecret } from '../services/mask-secret.js';

/** The secrets each backend reads from the environment, never from files. */
const SECRETS: Record<BackendName, string[]> = {
  local: [],
  // WML v4 needs no ML_INSTANCE (the space id says where trainings run);
  // ML_ENV, the WML URL, is optional over backend.ibm.wml_url.
  ibm: ['ML_APIKEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
  ray: ['RAY_ADDRESS'],
};

const UPLOAD_WORDS = {
  add: 'local files added',
  replace: 'contents replaced by the local files',
  existing: 'used as it is',
} as const;

export async function setupCommand(
  configPath: string,
  flags: SetupFlags,
  { io, output }: { io: CliIo; output: Output },
): Promise<number> {
  const { json: _json, dataFile, data, ...rest } = flags;
  const given = Object.values({ ...rest, dataFile, data }).some(
    (v) => v !== undefined,
  );

  if (!given) {
    if (!isInteractive(io)) {
      throw new MaxrecError(
        ExitCode.invocation,
        'setup asks its questions in a terminal, and this is not one.',
        {
          hint:
            'Pass the values as flags: --backend local|ibm|ray, --data FOLDER, ' +
            '--data-bucket NAME, --results-bucket NAME, --compute SIZE.',
        },
      );
    }
    return setupScreen(configPath, { io, output });
  }

  const created = !existsSync(configPath);
  let loaded;
  try {
    // A missing file starts from the default; nothing is written before
    // the whole new config is known to be valid, in one atomic write.
    const current = await loadConfig(configPath, { missingAsDefault: true });
    const backend = rest.backend ?? current.settings.backend;
    const configDir = path.dirname(current.path);
    const dataDir = data === undefined ? undefined : path.resolve(data);
    if (dataDir !== undefined) await requireDataPath('--data', dataDir);
    if (dataFile !== undefined) {
      await requireDataPath(
        '--data-file',
        path.resolve(dataDir ?? current.settings.localDataDir, dataFile),
      );
    }
    loaded = await updateSetup(
      configPath,
      {
        backend: rest.backend,
        // Stored relative to the config's folder, where loading resolves it.
        localDataDir:
          dataDir === undefined ? undefined : storedPath(configDir, data!),
        dataBucket: rest.dataBucket,
        dataUpload: rest.dataUpload,
        resultsBucket: rest.resultsBucket,
        compute: computeToWrite(backend, rest.compute, {
          backendChanged: rest.backend !== undefined,
          written: current.config.train.execution.compute_configuration.name,
        }),
        cosEndpoint: rest.cosEndpoint,
        cosLocation: rest.location,
        cosInstance: rest.cosInstance,
        wmlUrl: rest.wmlUrl,
        spaceId: rest.spaceId,
        projectId: rest.projectId,
        iamUrl: rest.iamUrl,
        signingRegion: rest.signingRegion,
      },
      {
        alsoChange: await dataFileChanges(current.settings, dataDir, dataFile),
        sameBucketsHint:
          'Give them different names with --data-bucket and --results-bucket.',
      },
    );
  } catch (error) {
    throw withFlagHint(error);
  }
  const s = loaded.settings;
  output.record(
    'setup',
    {
      config: loaded.path,
      created,
      backend: s.backend,
      dataBucket: s.dataBucket,
      resultsBucket: s.resultsBucket,
      localDataDir: s.localDataDir,
      compute: s.compute,
    },
    [
      `Model training setup completed. ${created ? 'Created' : 'Updated'} ${loaded.path}`,
      `  backend         ${s.backend}`,
      `  local data      ${s.localDataDir}`,
      `  data bucket     ${s.dataBucket ?? '(not set)'} (${UPLOAD_WORDS[s.dataUpload]})`,
      `  results bucket  ${s.resultsBucket ?? '(not set)'}`,
      `  compute         ${s.compute}`,
      ...(s.backend === 'ibm'
        ? [
            `  COS endpoint    ${s.cosEndpoint ?? '(not set)'}`,
            `  bucket location ${s.ibm.location || '(the endpoint default)'}`,
            `  WML             ${process.env['ML_ENV'] || s.ibm.wmlUrl}`,
            s.ibm.spaceId
              ? `  space id        ${s.ibm.spaceId}`
              : `  project id      ${s.ibm.projectId || '(not set)'}`,
          ]
        : []),
    ].join('\n'),
  );
  printNotes(output, loaded.notes);
  const keyFile = process.env['ML_APIKEY_FILE'];
  const isSet = (name: string) =>
    Boolean(process.env[name]) || (name === 'ML_APIKEY' && Boolean(keyFile));
  const missing = SECRETS[s.backend].filter((name) => !isSet(name));
  for (const name of SECRETS[s.backend]) {
    const value = process.env[name];
    const state = value
      ? `set (${maskSecret(value)})`
      : name === 'ML_APIKEY' && keyFile
        ? `from ML_APIKEY_FILE (${keyFile})`
        : 'NOT SET';
    output.info(`  ${name.padEnd(22)} ${state}`);
  }
  if (missing.length > 0) {
    output.info(
      `Set ${missing.join(', ')} in the environment before training; ` +
        'secrets are never written to the config.',
    );
  }
  output.info(
    `Next: maxrec train ${configPath} prepare, then maxrec train ${configPath} package`,
  );
  return ExitCode.ok;
}

/**
 * The app's setup screen, ending once the config is saved or the screen
 * is left: `maxrec setup` is the setup step only; `maxrec` goes on to the
 * data. A missing config is written only when the user saves.
 */
async function setupScreen(
  configPath: string,
  { io, output }: { io: CliIo; output: Output },
): Promise<number> {
  const file = path.resolve(configPath);
  const services = createJourneyServices();
  let saved = false;
  let keysFile: string | undefined;
  let openedSetup = false;
  const { runApp } = await import('../ui/run-app.js');
  const code = await runApp({
    services: {
      ...services,
      saveSetup: async (...args) => {
        await services.saveSetup(...args);
        saved = true;
      },
      writeHmacKeys: async (...args) => {
        const written = await services.writeHmacKeys(...args);
        keysFile = written.file;
        return written;
      },
    },
    configPath: file,
    stdin: io.stdin as NodeJS.ReadStream,
    stdout: io.stdout as NodeJS.WriteStream,
    initialEvents: [{ type: 'NEW_TRAINING', endAfterSetup: true }],
    // Esc on the setup screen goes back home: for this command, the end.
    endWhen: (snapshot) => {
      if (isIn(snapshot, 'setup')) openedSetup = true;
      return openedSetup && isIn(snapshot, 'home');
    },
  });
  if (!saved) {
    if (code === ExitCode.ok) {
      output.info(`Setup left; nothing was saved to ${file}.`);
    }
    return code;
  }
  output.info(`Saved to ${file}.`);
  if (keysFile) {
    output.info(`For \`maxrec train\` in a shell: source ${keysFile}`);
  }
  output.info(
    `Next: maxrec train ${configPath} package, or maxrec for the app.`,
  );
  return code;
}

/**
 * A new data folder brings its own ratings and titles files: keep the old
 * names only where that folder has them.
 */
async function dataFileChanges(
  current: Settings,
  dataDir: string | undefined,
  dataFile: string | undefined,
): Promise<Record<string, string>> {
  if (dataDir === undefined && dataFile === undefined) return {};
  const folder = dataDir ?? current.localDataDir;
  const h = current.hyperparameters;
  return {
    [SETTING_KEYS.dataFile]:
      dataFile ?? (await keptIfPresent(folder, h.dataFile)),
    [SETTING_KEYS.itemTitlesFile]: await keptIfPresent(
      folder,
      h.itemTitlesFile,
    ),
  };
}

/** A path `--data` or `--data-file` names must be there (exit 4). */
async function requireDataPath(flag: string, resolved: string): Promise<void> {
  if (await stat(resolved).catch(() => undefined)) return;
  throw new MaxrecError(
    ExitCode.data,
    `${flag}: ${resolved} does not exist; nothing was written.`,
    {
      hint:
        flag === '--data'
          ? 'Give --data an existing folder (or ratings file), relative to the current folder.'
          : '--data-file is relative to the data folder: give a file ' +
            'that is there, or --data FOLDER.',
    },
  );
}

/** `data` as the config stores it: relative to its folder, or absolute. */
function storedPath(configDir: string, data: string): string {
  if (path.isAbsolute(data)) return data;
  return path.relative(configDir, path.resolve(data)) || '.';
}

/**
 * The compute size to write: --compute, checked against the backend's
 * sizes (exit 1); without it, after --backend, the backend's default when
 * the size written is not one of the backend's.
 */
function computeToWrite(
  backend: BackendName,
  compute: string | undefined,
  current: { backendChanged: boolean; written: string },
): string | undefined {
  const sizes = COMPUTE_SIZES[backend];
  if (compute !== undefined) {
    const size = computeFor(backend, compute);
    if (size !== undefined) return size;
    throw new MaxrecError(
      ExitCode.invocation,
      `--compute ${compute}: the ${backend} backend takes ${sizes.join(', ')}.`,
      { hint: `Pass one of them, e.g. --compute ${sizes[0]!}.` },
    );
  }
  if (!current.backendChanged) return undefined;
  return computeFor(backend, current.written) === undefined
    ? sizes[0]
    : undefined;
}

const FLAG_OF_KEY: Record<string, string> = {
  'backend.name': '--backend',
  'train.data_source.training_data_local.path': '--data',
  'train.hyperparameters.data_file': '--data-file',
  'train.data_source.training_data.bucket': '--data-bucket',
  'train.data_source.training_data.upload': '--data-upload',
  'train.model_training_results.trained_model.bucket': '--results-bucket',
  'train.execution.compute_configuration.name': '--compute',
  'data_stores.0.connection.endpoint': '--cos-endpoint',
  'backend.ibm.location': '--location',
  'backend.ibm.cos_instance': '--cos-instance',
  'backend.ibm.wml_url': '--wml-url',
  'backend.ibm.space_id': '--space-id',
  'backend.ibm.project_id': '--project-id',
  'backend.ibm.iam_url': '--iam-url',
  'backend.ibm.signing_region': '--signing-region',
};

/** A config error caused by a flag's value names the flag to fix. */
function withFlagHint(error: unknown): unknown {
  if (!(error instanceof MaxrecError)) return error;
  const flags = Object.entries(FLAG_OF_KEY)
    .filter(([key]) => error.message.includes(key))
    .map(([, flag]) => flag);
  if (flags.length === 0) return error;
  return new MaxrecError(error.exitCode, error.message, {
    hint: `Fix the value given to ${flags.join(', ')}; nothing was written.`,
    cause: error,
  });
}
