/**
 * The IBM Cloud API key, from the environment only: ML_APIKEY itself, or
 * ML_APIKEY_FILE naming a file that holds it, either as the JSON that
 * `ibmcloud iam api-key-create NAME --file F` and the console's download
 * write (`{"apikey": "..."}`) or as the bare key.
 */
import { readFileSync } from 'node:fs';
import { ExitCode, MaxrecError } from '../../core/errors.js';
import { reasonOf } from '../fs-errors.js';

export interface ApiKeyEnvironment {
  ML_APIKEY?: string;
  ML_APIKEY_FILE?: string;
}

/** The key, or undefined when neither variable is set. */
export function apiKeyFrom(env: ApiKeyEnvironment): string | undefined {
  if (env.ML_APIKEY) return env.ML_APIKEY.trim();
  const file = env.ML_APIKEY_FILE;
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new MaxrecError(
      ExitCode.environment,
      `ML_APIKEY_FILE names ${file}, which cannot be read: ${reasonOf(error)}.`,
      { hint: 'Point it at the API key file, or set ML_APIKEY instead.' },
    );
  }
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const key = (parsed as { apikey?: unknown } | undefined)?.apikey;
    if (typeof key === 'string' && key.trim() !== '') return key.trim();
    throw new MaxrecError(
      ExitCode.environment,
      `${file} (ML_APIKEY_FILE) is JSON without an "apikey" field.`,
      {
        hint:
          'Use the file `ibmcloud iam api-key-create NAME --file F` writes, ' +
          'or a file holding just the key.',
      },
    );
  }
  if (text === '' || /\s/.test(text)) {
    throw new MaxrecError(
      ExitCode.environment,
      `${file} (ML_APIKEY_FILE) does not hold an API key: ` +
        `${text === '' ? 'it is empty' : 'it has more than one word'}.`,
      {
        hint: 'The file should hold the key alone, or the JSON IBM Cloud writes.',
      },
    );
  }
  return text;
}

/** The key; throws (exit 2) saying how to get one when there is none. */
export function requireApiKey(env: ApiKeyEnvironment, who: string): string {
  const key = apiKeyFrom(env);
  if (key) return key;
  throw new MaxrecError(
    ExitCode.environment,
    `ML_APIKEY is not set: ${who} signs in to IBM Cloud with an API key.`,
    {
      hint:
        'Create one with `ibmcloud iam api-key-create maxrec --file key.json` ' +
        '(or in the console under Manage > Access > API keys), then export ' +
        'ML_APIKEY, or ML_APIKEY_FILE=key.json.',
    },
  );
}
