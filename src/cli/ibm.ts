/**
 * `maxrec ibm instances|spaces|hmac-key`: the IBM Cloud values that setup
 * asks for, found with the API key as the original setup found them: the
 * WML and COS instances, the deployment spaces of a region, and a new COS
 * credential with HMAC keys. The HMAC secret goes to a file readable by
 * its owner only; the screen, the config and the debug log never see it.
 */
import { randomUUID } from 'node:crypto';
import {
  access,
  constants,
  link,
  lstat,
  open,
  rename,
  rm,
} from 'node:fs/promises';
import path from 'node:path';

import { ExitCode, MaxrecError } from '../core/errors.js';
import { reasonOf } from '../services/fs-errors.js';
import { requireApiKey } from '../services/ibm/api-key.js';
import { IamTokenSource, maskSecret } from '../services/ibm/iam-token.js';
import { isSecureUrl } from '../services/secure-url.js';
import {
  DEFAULT_WML_URL,
  IbmPlatformClient,
  type HmacCredential,
  type ServiceInstance,
} from '../services/ibm/ibm-platform.js';
import type { Output } from './output.js';

export interface IbmFlags {
  iamUrl?: string;
  resourceControllerUrl?: string;
  dataPlatformUrl?: string;
  json?: boolean;
}

export interface IbmSpacesFlags extends IbmFlags {
  wmlUrl?: string;
}

export interface IbmHmacKeyFlags extends IbmFlags {
  cosInstance: string;
  keysFile: string;
  name?: string;
  force?: boolean;
}

interface IbmContext {
  output: Output;
  env?: NodeJS.ProcessEnv;
}

const SERVICE_NAMES = { wml: 'WML', cos: 'COS' } as const;

export async function ibmInstancesCommand(
  flags: IbmFlags,
  { output, env = process.env }: IbmContext,
): Promise<number> {
  const platform = openPlatform(flags, env);
  const instances = [
    ...(await platform.listInstances('wml')),
    ...(await platform.listInstances('cos')),
  ];
  if (instances.length === 0) {
    output.info(
      'The API key sees no WML or COS instances. Create them in the IBM ' +
        'Cloud catalog, or check the account the key belongs to.',
    );
    return ExitCode.ok;
  }
  const lines = aligned([
    ['SERVICE', 'NAME', 'REGION', 'STATE', 'GUID'],
    ...instances.map((i: ServiceInstance) => [
      SERVICE_NAMES[i.kind],
      i.name,
      i.region,
      i.state,
      i.guid,
    ]),
  ]);
  output.info(lines[0]!);
  instances.forEach((instance, n) => {
    output.record('instance', { ...instance }, lines[n + 1]!);
  });
  output.info(
    'Next: maxrec ibm hmac-key --cos-instance GUID --keys-file FILE, ' +
      'then maxrec ibm spaces.',
  );
  return ExitCode.ok;
}

export async function ibmSpacesCommand(
  flags: IbmSpacesFlags,
  { output, env = process.env }: IbmContext,
): Promise<number> {
  // ML_ENV names the WML URL for training too; spaces live in its region.
  const wmlUrl = flags.wmlUrl ?? (env['ML_ENV'] || DEFAULT_WML_URL);
  const spaces = await openPlatform(flags, env, wmlUrl).listSpaces();
  if (spaces.length === 0) {
    output.info(
      `No deployment spaces for ${wmlUrl}. Create one in watsonx ` +
        '(Deployments > New deployment space), or pass --wml-url for ' +
        'another region.',
    );
    return ExitCode.ok;
  }
  const lines = aligned([['ID', 'NAME'], ...spaces.map((s) => [s.id, s.name])]);
  output.info(lines[0]!);
  spaces.forEach((space, n) => {
    output.record('space', { ...space }, lines[n + 1]!);
  });
  output.info('Next: maxrec setup CONFIG --backend ibm --space-id ID');
  return ExitCode.ok;
}

export async function ibmHmacKeyCommand(
  flags: IbmHmacKeyFlags,
  { output, env = process.env }: IbmContext,
): Promise<number> {
  const file = path.resolve(flags.keysFile);
  // Checked before the credential exists, so that a refusal leaves none.
  await checkEnvFile(file, Boolean(flags.force));
  const platform = openPlatform(flags, env);
  const name = flags.name ?? `maxrec-hmac-${timestamp()}`;
  const credential = await platform.createHmacCredential(
    flags.cosInstance,
    name,
  );
  try {
    const text = envFileText(credential, flags.cosInstance);
    await writeSecretFile(file, text, Boolean(flags.force));
  } catch (error) {
    throw new MaxrecError(
      ExitCode.environment,
      `Created credential "${credential.credentialName}", but could not ` +
        `write ${file}: ${reasonOf(error)}.`,
      {
        hint:
          'Its secret is kept nowhere else: delete the credential in the ' +
          "COS instance's Service credentials tab, then run this again.",
      },
    );
  }
  const shown = {
    accessKeyId: maskSecret(credential.accessKeyId),
    secretAccessKey: maskSecret(credential.secretAccessKey),
  };
  output.record(
    'hmac-key',
    {
      credentialName: credential.credentialName,
      cosInstance: flags.cosInstance,
      keysFile: file,
      ...shown,
      next: `source ${shellQuote(file)}`,
    },
    [
      `Created credential "${credential.credentialName}" on COS instance ` +
        `${flags.cosInstance}.`,
      ...aligned([
        ['  AWS_ACCESS_KEY_ID', shown.accessKeyId],
        ['  AWS_SECRET_ACCESS_KEY', shown.secretAccessKey],
      ]),
      `Written to ${file}, readable by you only.`,
      `Next: source ${shellQuote(file)}`,
    ].join('\n'),
  );
  return ExitCode.ok;
}

function openPlatform(
  flags: IbmFlags,
  env: NodeJS.ProcessEnv,
  wmlUrl?: string,
): IbmPlatformClient {
  const apiKey = requireApiKey(env, 'maxrec ibm');
  // The key and the token never go anywhere in the clear.
  for (const [flag, url] of [
    ['--iam-url', flags.iamUrl],
    ['--resource-controller-url', flags.resourceControllerUrl],
    ['--data-platform-url', flags.dataPlatformUrl],
    ['--wml-url (or ML_ENV)', wmlUrl],
  ] as const) {
    if (url !== undefined && !isSecureUrl(url)) {
      throw new MaxrecError(
        ExitCode.invocation,
        `${flag} ${url} is not an https:// URL: the API key or token would ` +
          'travel in the clear.',
        { hint: 'Use https (plain http only to this machine).' },
      );
    }
  }
  return new IbmPlatformClient({
    tokens: new IamTokenSource({ apiKey, iamUrl: flags.iamUrl }),
    resourceControllerUrl: flags.resourceControllerUrl,
    dataPlatformUrl: flags.dataPlatformUrl,
    wmlUrl,
  });
}

async function checkEnvFile(file: string, force: boolean): Promise<void> {
  const existing = await lstat(file).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new MaxrecError(ExitCode.invocation, `${file} is a folder.`, {
      hint: 'Give --keys-file the path of a file to create.',
    });
  }
  if (existing && !force) {
    throw new MaxrecError(ExitCode.invocation, `${file} already exists.`, {
      hint: 'Pass --force to replace it, or choose another --keys-file.',
    });
  }
  const folder = path.dirname(file);
  await access(folder, constants.W_OK).catch((error: unknown) => {
    throw new MaxrecError(
      ExitCode.invocation,
      `Cannot write in ${folder}: ${reasonOf(error)}.`,
      { hint: 'Give --keys-file a path in a folder you can write to.' },
    );
  });
}

/**
 * Writes a temporary file with mode 0600 beside `file`, then links it into
 * place: the file appears whole or not at all, and never readable by
 * others. Without --force a hard link, which fails rather than replace a
 * file created meanwhile; with it a rename, which replaces.
 */
async function writeSecretFile(
  file: string,
  text: string,
  force: boolean,
): Promise<void> {
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomUUID().slice(0, 8)}.tmp`,
  );
  const handle = await open(temp, 'wx', 0o600);
  try {
    // The umask can only narrow the mode; set it exactly all the same.
    await handle.chmod(0o600);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await (force ? rename(temp, file) : link(temp, file));
  } finally {
    await rm(temp, { force: true });
  }
}

function envFileText(credential: HmacCredential, cosInstance: string): string {
  return [
    `# COS HMAC keys of credential "${credential.credentialName}" on ` +
      `instance ${cosInstance},`,
    '# written by maxrec ibm hmac-key. Load them with `source` on this file.',
    `export AWS_ACCESS_KEY_ID=${shellQuote(credential.accessKeyId)}`,
    `export AWS_SECRET_ACCESS_KEY=${shellQuote(credential.secretAccessKey)}`,
    '',
  ].join('\n');
}

/** Single quotes for POSIX shells; a quote inside becomes '\''. */
function shellQuote(value: string): string {
  return /^[\w./:@%+=,-]+$/.test(value)
    ? value
    : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Pads every column but the last to its widest cell. */
function aligned(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]!) : cell))
      .join('  ')
      .trimEnd(),
  );
}

/** UTC, to the second: 20260115T093012Z. */
function timestamp(): string {
  return new Date().toISOString().replace(/[-:]|\.\d+/g, '');
}
