/**
 * `maxrec ibm hmac-key`: COS HMAC keys for WML, from a new credential or,
 * with --credential, from one the instance already has, written as export
 * lines to a file readable by its owner only. The screen, the config and
 * the debug log never see the secret: only its last 4 characters.
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
import { maskSecret } from '../services/ibm/iam-token.js';
import {
  findCredential,
  type HmacCredential,
  type IbmPlatformClient,
} from '../services/ibm/ibm-platform.js';
import {
  aligned,
  openPlatform,
  type IbmContext,
  type IbmFlags,
} from './ibm.js';

export interface IbmHmacKeyFlags extends IbmFlags {
  cosInstance: string;
  keysFile: string;
  /** An existing credential to read, by name or GUID, instead of a new one. */
  credential?: string;
  name?: string;
  force?: boolean;
}

export async function ibmHmacKeyCommand(
  flags: IbmHmacKeyFlags,
  { output, env = process.env }: IbmContext,
): Promise<number> {
  if (flags.credential !== undefined && flags.name !== undefined) {
    throw new MaxrecError(
      ExitCode.invocation,
      '--name names a new credential, --credential reads an existing one.',
      { hint: 'Pass one of them.' },
    );
  }
  const file = path.resolve(flags.keysFile);
  // Checked before the credential exists, so that a refusal leaves none.
  await checkEnvFile(file, Boolean(flags.force));
  const platform = openPlatform(flags, env);
  const wanted = flags.credential;
  const existing = wanted !== undefined;
  const credential = existing
    ? await readCredential(platform, flags.cosInstance, wanted)
    : await platform.createHmacCredential(
        flags.cosInstance,
        flags.name ?? `maxrec-hmac-${timestamp()}`,
      );
  await writeKeysFile(file, credential, flags, existing);
  const shown = {
    accessKeyId: maskSecret(credential.accessKeyId),
    secretAccessKey: maskSecret(credential.secretAccessKey),
  };
  output.record(
    'hmac-key',
    {
      credentialName: credential.credentialName,
      created: !existing,
      cosInstance: flags.cosInstance,
      keysFile: file,
      ...shown,
      next: `source ${shellQuote(file)}`,
    },
    [
      `${existing ? 'Read' : 'Created'} credential ` +
        `"${credential.credentialName}" on COS instance ${flags.cosInstance}.`,
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

/** The keys of the instance's credential named by --credential. */
async function readCredential(
  platform: IbmPlatformClient,
  cosInstance: string,
  wanted: string,
): Promise<HmacCredential> {
  const credentials = await platform.listCredentials(cosInstance);
  const { guid } = findCredential(credentials, wanted, cosInstance);
  return platform.readHmacCredential(guid);
}

async function writeKeysFile(
  file: string,
  credential: HmacCredential,
  flags: IbmHmacKeyFlags,
  existing: boolean,
): Promise<void> {
  try {
    const text = envFileText(credential, flags.cosInstance);
    await writeSecretFile(file, text, Boolean(flags.force));
  } catch (error) {
    const name = credential.credentialName;
    throw new MaxrecError(
      ExitCode.environment,
      `${existing ? 'Read' : 'Created'} credential "${name}", but could ` +
        `not write ${file}: ${reasonOf(error)}.`,
      {
        hint: existing
          ? 'Give --keys-file a path you can write to, then run this again.'
          : 'Its secret is kept nowhere else: delete the credential in ' +
            "the COS instance's Service credentials tab, then run this again.",
      },
    );
  }
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

/** UTC, to the second: 20260115T093012Z. */
function timestamp(): string {
  return new Date().toISOString().replace(/[-:]|\.\d+/g, '');
}
