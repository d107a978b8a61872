import { statSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ExitCode, MaxrecError } from '../core/errors.js';
import type {
  IbmCredentialsFlags,
  IbmFlags,
  IbmInstancesFlags,
} from './ibm.js';
import type { IbmHmacKeyFlags } from './ibm-hmac-key.js';
import { createOutput, type Output, type OutputStreams } from './output.js';
import { isInteractive } from './terminal.js';

const TRAIN_MODES = ['clean', 'prepare', 'train', 'package'] as const;
export type TrainMode = (typeof TRAIN_MODES)[number];

export interface CliIo extends OutputStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

const defaultIo = (): CliIo => ({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});

/**
 * Parses the command line and runs the command; resolves with the exit code
 * of product.md. Commands are imported lazily so that `--help` and the
 * headless commands never load React and Ink.
 */
export async function main(
  argv: string[],
  io: CliIo = defaultIo(),
): Promise<number> {
  let exitCode: number = ExitCode.ok;
  let output: Output = createOutput(io, { json: argv.includes('--json') });
  const run =
    <A extends unknown[]>(action: (...args: A) => Promise<number>) =>
    async (...args: A) => {
      exitCode = await action(...args);
    };

  const program = new Command('maxrec')
    .description(
      'Train a recommendation model on your own ratings file, then try and serve it.\n' +
        'Run without a command in a terminal for the full-screen app ' +
        '(`maxrec FILE.yaml` opens that config).',
    )
    .version(await packageVersion(), '-V, --version')
    .option('--json', 'print one JSON object per line instead of text')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(run with --help for usage)')
    .hook('preAction', (command) => {
      output = createOutput(io, { json: Boolean(command.opts()['json']) });
    });

  program
    .argument(
      '[config]',
      'the app: the YAML configuration file to open (default: ' +
        './max-recommender-training-config.yaml; written when setup is saved)',
    )
    .allowExcessArguments()
    .action(
      run(async () => {
        const [configPath, unknown] = program.args;
        if (configPath !== undefined && !isConfigPath(configPath)) {
          throw new MaxrecError(
            ExitCode.invocation,
            `"${configPath}" is not a maxrec command.`,
            {
              hint:
                'Run `maxrec --help` for the commands, or `maxrec FILE.yaml` ' +
                'to open a config in the app.',
            },
          );
        }
        if (unknown !== undefined) {
          throw new MaxrecError(
            ExitCode.invocation,
            `"${unknown}" is not a maxrec command.`,
            { hint: 'Run `maxrec --help` for the commands.' },
          );
        }
        if (!isInteractive(io)) {
          throw new MaxrecError(
            ExitCode.invocation,
            'The full-screen app needs a terminal, and this is not one.',
            {
              hint:
                'Use `maxrec demo` for the bundled sample, or ' +
                '`maxrec train CONFIG package` to train headless.',
            },
          );
        }
        const { runInteractive } = await import('./interactive.js');
        return runInteractive({ io, configPath });
      }),
    );

  program
    .command('setup')
    .description(
      'write the training configuration: backend, data and results ' +
        'locations, compute size (prompts in a terminal, flags otherwise)',
    )
    .argument('<config>', 'the YAML configuration file to create or update')
    .option('--backend <name>', 'local, ibm or ray', backendName)
    .option('--data <folder>', 'the local folder holding the training data')
    .option(
      '--data-file <path>',
      'the ratings file, relative to the data folder',
    )
    .option('--data-bucket <name>', 'the bucket the data is uploaded to')
    .option(
      '--data-upload <mode>',
      'what prepare does with the data bucket: add (the local files), ' +
        'replace (its contents) or existing (use it as it is)',
      dataUpload,
    )
    .option('--results-bucket <name>', 'the bucket the results go to')
    .option(
      '--compute <size>',
      'compute size (local: cpu or cuda; ibm: cpu, XS-XL, K80, V100...)',
    )
    .option('--cos-endpoint <url>', 'ibm: the Cloud Object Storage endpoint')
    .option(
      '--location <code>',
      'ibm: where new buckets go (us-south-standard)',
    )
    .option(
      '--cos-instance <id>',
      'ibm: COS instance id, to sign in with ML_APIKEY',
    )
    .option(
      '--wml-url <url>',
      'ibm: the Watson Machine Learning URL of the region',
    )
    .option(
      '--space-id <id>',
      'ibm: the WML deployment space that runs trainings',
    )
    .option('--project-id <id>', 'ibm: a project instead of a space')
    .option('--iam-url <url>', 'ibm: the IAM token service (rarely changed)')
    .option(
      '--signing-region <name>',
      'ibm: SigV4 region, for S3 stores other than COS',
    )
    .option('--json', 'print JSON lines')
    .action(
      run(async (configPath: string, flags: SetupFlags) => {
        const { setupCommand } = await import('./setup.js');
        return setupCommand(configPath, flags, { io, output });
      }),
    );

  program
    .command('train')
    .description(
      'the original modes: prepare (check, upload, package), ' +
        'train (also run, stop after the log), package (also download and ' +
        'extract the model; with an ID, resume monitoring that run), ' +
        'clean (remove the code archive). Ctrl+C stops watching (the run ' +
        'goes on); without a terminal, a second Ctrl+C within 3 s cancels ' +
        'the run (exit 5)',
    )
    .argument('<config>', 'the YAML configuration file')
    .argument('<mode>', TRAIN_MODES.join('|'), trainMode)
    .argument('[training_id]', 'with package: the run to resume monitoring')
    .option('--json', 'print JSON lines')
    .action(
      run(async (configPath: string, mode: TrainMode, trainingId?: string) => {
        const { trainCommand } = await import('./train.js');
        return trainCommand({ configPath, mode, trainingId, io, output });
      }),
    );

  program
    .command('demo')
    .description(
      'train on the bundled MovieLens sample with the local backend, ' +
        'then print recommendations',
    )
    .option('--epochs <n>', 'training epochs', positiveInteger, 10)
    .option('--user <id>', 'the user to recommend for', '1')
    .option('--json', 'print JSON lines')
    .action(
      run(async (flags: { epochs: number; user: string }) => {
        const { demoCommand } = await import('./demo.js');
        return demoCommand({ ...flags, io, output });
      }),
    );

  program
    .command('recommend')
    .description("a trained model's top items for a user")
    .argument('<user_id>', 'the user, as in the ratings file')
    .option(
      '--model <dir>',
      'the trained model folder',
      'training_output/trained_model',
    )
    .option('-n, --count <n>', 'how many items', positiveInteger, 10)
    .option(
      '--titles <file>',
      'a delimited file of item ids and titles (movies.csv, u.item)',
    )
    .option(
      '--all',
      'also list items the user already has (left out by default; ' +
        "serve's predict keeps them unless exclude_seen=true)",
    )
    .option('--json', 'print JSON lines')
    .action(
      run(
        async (
          userId: string,
          flags: {
            model: string;
            count: number;
            titles?: string;
            all?: boolean;
          },
        ) => {
          const { recommendCommand } = await import('./recommend.js');
          return recommendCommand({ userId, ...flags, output });
        },
      ),
    );

  program
    .command('serve')
    .description(
      'serve the trained model as a REST microservice (POST /model/predict, ' +
        'compatible with the original), with Swagger UI at /docs',
    )
    .argument(
      '[model_dir]',
      'the trained model folder',
      'training_output/trained_model',
    )
    .option('--port <n>', 'port to listen on', port, 5000)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option(
      '--titles <file>',
      'a delimited file of item ids and titles (movies.csv, u.item)',
    )
    .option('--log-requests', 'print one line per request')
    .option('--json', 'print JSON lines')
    .action(
      run(
        async (
          modelDir: string,
          flags: {
            port: number;
            host: string;
            titles?: string;
            logRequests?: boolean;
          },
        ) => {
          const { serveCommand } = await import('../serve/command.js');
          return serveCommand({ modelDir, ...flags, output });
        },
      ),
    );

  const ibm = program
    .command('ibm')
    .description(
      'find what ibm setup asks for with ML_APIKEY: resource groups, WML ' +
        'and COS instances, deployment spaces, and COS HMAC keys, new or ' +
        'from an existing credential',
    );
  // Each takes the service URLs, for tests and private clouds; a flag's
  // environment variable is its default (read in ibm.ts, so that a
  // refusal names where the URL came from).
  const ibmCommand = (name: string, description: string) =>
    ibm
      .command(name)
      .description(description)
      .option(
        '--iam-url <url>',
        'the IAM token service (rarely changed; default: MAXREC_IAM_URL)',
      )
      .option(
        '--resource-controller-url <url>',
        'the resource controller (default: MAXREC_RESOURCE_CONTROLLER_URL)',
      )
      .option(
        '--data-platform-url <url>',
        'the Watson Data API, spaces (default: MAXREC_DATA_PLATFORM_URL)',
      )
      .option('--json', 'print JSON lines');

  ibmCommand('groups', 'list the resource groups the API key sees').action(
    run(async (flags: IbmFlags) => {
      const { ibmGroupsCommand } = await import('./ibm.js');
      return ibmGroupsCommand(flags, { output });
    }),
  );

  ibmCommand('instances', 'list the WML and COS instances the API key sees')
    .option(
      '--resource-group <name>',
      'only those of this resource group, by name or ID (see ibm groups)',
    )
    .action(
      run(async (flags: IbmInstancesFlags) => {
        const { ibmInstancesCommand } = await import('./ibm.js');
        return ibmInstancesCommand(flags, { output });
      }),
    );

  ibmCommand('spaces', "list the deployment spaces of a WML URL's region")
    .option('--wml-url <url>', 'the WML URL of the region (default: ML_ENV)')
    .action(
      run(async (flags: IbmFlags & { wmlUrl?: string }) => {
        const { ibmSpacesCommand } = await import('./ibm.js');
        return ibmSpacesCommand(flags, { output });
      }),
    );

  ibmCommand(
    'credentials',
    'list the credentials of a COS instance: name, whether it holds HMAC ' +
      'keys, when it was created (never their values)',
  )
    .requiredOption('--cos-instance <id>', 'the COS instance GUID or CRN')
    .action(
      run(async (flags: IbmCredentialsFlags) => {
        const { ibmCredentialsCommand } = await import('./ibm.js');
        return ibmCredentialsCommand(flags, { output });
      }),
    );

  ibmCommand(
    'hmac-key',
    'create a COS credential with HMAC keys, or read an existing one with ' +
      '--credential, and write its keys to an env file (mode 600) as ' +
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
  )
    .requiredOption('--cos-instance <id>', 'the COS instance GUID or CRN')
    // Not --env-file: Node 20 takes any later argument of that name as its
    // own option and reads the file itself (nodejs/node#54232).
    .requiredOption('--keys-file <path>', 'the file of export lines to write')
    .option(
      '--credential <name>',
      "read this existing credential's keys, by name or GUID (see ibm " +
        'credentials), instead of creating one',
    )
    .option('--name <name>', 'the new credential name (maxrec-hmac-<time>)')
    .option('--force', 'replace the keys file if it exists')
    .action(
      run(async (flags: IbmHmacKeyFlags) => {
        const { ibmHmacKeyCommand } = await import('./ibm-hmac-key.js');
        return ibmHmacKeyCommand(flags, { output });
      }),
    );

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every usage mistake is an invocation error.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.invocation;
    }
    output.error(error);
    return error instanceof MaxrecError ? error.exitCode : ExitCode.invocation;
  }
  return exitCode;
}

export interface SetupFlags {
  backend?: 'local' | 'ibm' | 'ray';
  data?: string;
  dataFile?: string;
  dataBucket?: string;
  dataUpload?: 'add' | 'replace' | 'existing';
  resultsBucket?: string;
  compute?: string;
  cosEndpoint?: string;
  location?: string;
  cosInstance?: string;
  wmlUrl?: string;
  spaceId?: string;
  projectId?: string;
  iamUrl?: string;
  signingRegion?: string;
  json?: boolean;
}

/** A word the app opens as its config: a .yaml or .yml path, or a file. */
function isConfigPath(word: string): boolean {
  if (/\.ya?ml$/i.test(word)) return true;
  return statSync(word, { throwIfNoEntry: false })?.isFile() ?? false;
}

function trainMode(value: string): TrainMode {
  if ((TRAIN_MODES as readonly string[]).includes(value)) {
    return value as TrainMode;
  }
  throw new InvalidArgumentError(`Choose one of ${TRAIN_MODES.join(', ')}.`);
}

function dataUpload(value: string): 'add' | 'replace' | 'existing' {
  if (value === 'add' || value === 'replace' || value === 'existing') {
    return value;
  }
  throw new InvalidArgumentError('Choose one of add, replace, existing.');
}

function backendName(value: string): 'local' | 'ibm' | 'ray' {
  if (value === 'local' || value === 'ibm' || value === 'ray') return value;
  throw new InvalidArgumentError('Choose one of local, ibm, ray.');
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError('Expected a port number from 0 to 65535.');
  }
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError('Expected a whole number of 1 or more.');
  }
  return n;
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const { packageRoot } = await import('../services/package-root.js');
  const pkg = JSON.parse(
    await readFile(`${packageRoot()}/package.json`, 'utf8'),
  ) as { version: string };
  return pkg.version;
}
