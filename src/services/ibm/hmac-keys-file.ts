/**
 * COS HMAC keys written as two `export` lines to a file only its owner can
 * read, for `source`: the one place a secret of maxrec's goes. The screen,
 * the config and the debug log get the last 4 characters at most. Used by
 * `maxrec ibm hmac-key` and by the setup screen's lookup.
 */
import { randomUUID } from 'node:crypto';
import { link, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { ExitCode, MaxrecError } from '../../core/errors.js';
import { reasonOf } from '../fs-errors.js';
import { maskSecret } from '../mask-secret.js';
import type { HmacCredential } from './cos-credentials.js';

export interface HmacKeysFileOptions {
  cosInstance: string;
  /** The credential was created just now (its secret is nowhere else). */
  created: boolean;
  /** Replace a file already there; without it, one there is an error. */
  replace: boolean;
  /** Named in the file's comment: "maxrec ibm hmac-key". */
  writtenBy: string;
  /** What to do when an existing credential's keys cannot be written. */
  retryHint: string;
}

/** The keys as the screen may show them. */
export interface MaskedHmacKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Writes the credential's keys to `file`. Throws MaxrecError (exit 2)
 * saying what became of the credential when the file cannot be written.
 */
export async function saveHmacKeys(
  file: string,
  credential: HmacCredential,
  options: HmacKeysFileOptions,
): Promise<MaskedHmacKeys> {
  try {
    await writeSecretFile(
      file,
      keysFileText(credential, options),
      options.replace,
    );
  } catch (error) {
    const name = credential.credentialName;
    throw new MaxrecError(
      ExitCode.environment,
      `${options.created ? 'Created' : 'Read'} credential "${name}", but ` +
        `could not write ${file}: ${reasonOf(error)}.`,
      {
        hint: options.created
          ? 'Its secret is kept nowhere else: delete the credential in ' +
            "the COS instance's Service credentials tab, then try again."
          : options.retryHint,
      },
    );
  }
  return {
    accessKeyId: maskSecret(credential.accessKeyId),
    secretAccessKey: maskSecret(credential.secretAccessKey),
  };
}

/** A new credential's name, by the time in UTC: maxrec-hmac-20260115T093012Z. */
export function newCredentialName(now = new Date()): string {
  return `maxrec-hmac-${now.toISOString().replace(/[-:]|\.\d+/g, '')}`;
}

/** Single quotes for POSIX shells; a quote inside becomes '\''. */
export function shellQuote(value: string): string {
  return /^[\w./:@%+=,-]+$/.test(value)
    ? value
    : `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Writes a temporary file with mode 0600 beside `file`, then links it into
 * place: the file appears whole or not at all, and never readable by
 * others. Without `replace` a hard link, which fails rather than replace a
 * file created meanwhile; with it a rename, which replaces.
 */
async function writeSecretFile(
  file: string,
  text: string,
  replace: boolean,
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
    await (replace ? rename(temp, file) : link(temp, file));
  } finally {
    await rm(temp, { force: true });
  }
}

function keysFileText(
  credential: HmacCredential,
  { cosInstance, writtenBy }: HmacKeysFileOptions,
): string {
  return [
    `# COS HMAC keys of credential "${credential.credentialName}" on ` +
      `instance ${cosInstance},`,
    `# written by ${writtenBy}. Load them with \`source\` on this file.`,
    `export AWS_ACCESS_KEY_ID=${shellQuote(credential.accessKeyId)}`,
    `export AWS_SECRET_ACCESS_KEY=${shellQuote(credential.secretAccessKey)}`,
    '',
  ].join('\n');
}
