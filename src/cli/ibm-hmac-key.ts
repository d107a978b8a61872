/**
 * `maxrec ibm hmac-key`: COS HMAC keys for WML, from a new credential or,
 * with --credential, from one the instance already has, written as export
 * lines to a file readable by its owner only. The screen, the config and
 * the debug log never see the secret: only its last 4 characters.
 */
import { access, constants, lstat } from 'node:fs/promises';
import path from 'node:path';

import { aligned } from '../core/columns.js';
import { ExitCode, MaxrecError } from '../core/errors.js';
import { reasonOf } from '../services/fs-errors.js';
import {
  newCredentialName,
  saveHmacKeys,
  shellQuote,
} from '../services/ibm/hmac-keys-file.js';
import {
  findCredential,
  type HmacCredential,
  type IbmPlatformClient,
} from '../services/ibm/ibm-platform.js';
import { openPlatform, type IbmContext, type IbmFlags } from './ibm.js';

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
        flags.name ?? newCredentialName(),
      );
  const shown = await saveHmacKeys(file, credential, {
    cosInstance: flags.cosInstance,
    created: !existing,
    replace: Boolean(flags.force),
    writtenBy: 'maxrec ibm hmac-key',
    retryHint: 'Give --keys-file a path you can write to, then run this again.',
  });
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
