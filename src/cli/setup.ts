/**
 * `maxrec setup CONFIG`: choose the backend, the data and results
 * locations and the compute size. Prompts (the app's setup screen) in a
 * terminal; flags otherwise.
 */
import { existsSync } from 'node:fs';
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

/** The secrets each backend reads from the environment, never from files. */
const SECRETS: Record<BackendName, string[]> = {
  local: [],
  ibm: [
    'ML_APIKEY',
    'ML_INSTANCE',
    'ML_ENV',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
  ],
  ray: ['RAY_ADDRESS'],
};

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

  const loaded = await updateSetup(configPath, {
    backend: rest.backend,
    localDataDir: data,
    dataBucket: rest.dataBucket,
    resultsBucket: rest.resultsBucket,
    compute: rest.compute,
  });
  if (dataFile) await updateHyperparameters(configPath, { dataFile });
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
      `  data bucket     ${s.dataBucket ?? '(not set)'}`,
      `  results bucket  ${s.resultsBucket ?? '(not set)'}`,
      `  compute         ${s.compute}`,
    ].join('\n'),
  );
  const missing = SECRETS[s.backend].filter((name) => !process.env[name]);
  for (const name of SECRETS[s.backend]) {
    const value = process.env[name];
    output.info(
      `  ${name.padEnd(22)} ${value ? `set (…${value.slice(-4)})` : 'NOT SET'}`,
    );
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
