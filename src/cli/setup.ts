/**
 * `maxrec setup CONFIG`: choose the backend, the data and results
 * locations and the compute size. Prompts (the app's setup screen) in a
 * terminal; flags otherwise.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { keptIfPresent } from '../app/journey-services.js';
import { ExitCode, MaxrecError } from '../core/errors.js';
import type { BackendName } from '../core/types.js';
import {
  updateHyperparameters,
  updateSetup,
  writeDefaultConfig,
} from '../services/config/config-file.js';
import type { SetupFlags, CliIo } from './main.js';
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
  const created = !existsSync(configPath);
  if (created) await writeDefaultConfig(configPath);
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
    const { runInteractive } = await import('./interactive.js');
    return runInteractive({ io, configPath, start: 'setup' });
  }

  if (data !== undefined && !existsSync(data)) {
    if (created) await rm(configPath, { force: true });
    throw new MaxrecError(
      ExitCode.data,
      `The data folder ${data} does not exist.`,
      { hint: 'Give --data an existing folder or ratings file.' },
    );
  }
  let loaded;
  try {
    loaded = await updateSetup(configPath, {
      backend: rest.backend,
      localDataDir: data,
      dataBucket: rest.dataBucket,
      dataUpload: rest.dataUpload,
      resultsBucket: rest.resultsBucket,
      compute: rest.compute,
      cosEndpoint: rest.cosEndpoint,
      cosLocation: rest.location,
      cosInstance: rest.cosInstance,
      wmlUrl: rest.wmlUrl,
      spaceId: rest.spaceId,
      projectId: rest.projectId,
      iamUrl: rest.iamUrl,
      signingRegion: rest.signingRegion,
    });
    if (data !== undefined || dataFile !== undefined) {
      // A new data folder brings its own ratings and titles files: keep
      // the old names only where that folder has them.
      const folder = loaded.settings.localDataDir;
      const h = loaded.settings.hyperparameters;
      loaded = await updateHyperparameters(configPath, {
        dataFile: dataFile ?? (await keptIfPresent(folder, h.dataFile)),
        itemTitlesFile: await keptIfPresent(folder, h.itemTitlesFile),
      });
    }
  } catch (error) {
    // A config this command created is not left half set up.
    if (created) await rm(configPath, { force: true });
    throw withFlagHint(error);
  }
  const s = loaded.settings;
  if (s.dataBucket && s.dataBucket === s.resultsBucket) {
    throw new MaxrecError(
      ExitCode.configuration,
      `The data and results buckets are both "${s.dataBucket}".`,
      {
        hint: 'Give them different names with --data-bucket and --results-bucket.',
      },
    );
  }
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
