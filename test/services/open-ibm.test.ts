/**
 * Opening the ibm backend from a config and the environment: where the
 * API key and the COS credentials come from, and what is refused before
 * any request.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaxrecError } from '../../src/core/errors.js';
import {
  loadConfig,
  updateSetup,
} from '../../src/services/config/config-file.js';
import { writeDefaultConfig } from '../../src/services/config/config-file.js';
import type { Settings } from '../../src/services/config/schema.js';
import { apiKeyFrom } from '../../src/services/ibm/api-key.js';
import { openIbmBackend } from '../../src/services/ibm/open-ibm.js';

let dir: string;
let settings: Settings;
const KEY = 'apikey-abcdefghijklmnop-1234';

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-open-ibm-'));
  const file = path.join(dir, 'config.yaml');
  await writeDefaultConfig(file);
  await updateSetup(file, { backend: 'ibm', spaceId: 'space-1' });
  settings = (await loadConfig(file)).settings;
});

afterAll(() => fs.rm(dir, { recursive: true, force: true }));

function refusal(run: () => unknown): MaxrecError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MaxrecError);
    return error as MaxrecError;
  }
  throw new Error('expected a refusal');
}

describe('the API key', () => {
  it('comes from ML_APIKEY, or the file ML_APIKEY_FILE names', async () => {
    expect(apiKeyFrom({ ML_APIKEY: ` ${KEY}\n` })).toBe(KEY);
    const json = path.join(dir, 'key.json');
    await fs.writeFile(json, JSON.stringify({ name: 'maxrec', apikey: KEY }));
    expect(apiKeyFrom({ ML_APIKEY_FILE: json })).toBe(KEY);
    const bare = path.join(dir, 'key.txt');
    await fs.writeFile(bare, `${KEY}\n`);
    expect(apiKeyFrom({ ML_APIKEY_FILE: bare })).toBe(KEY);
    expect(apiKeyFrom({})).toBeUndefined();
  });

  it('refuses a file that is missing or holds no key, without showing it', async () => {
    const missing = refusal(() =>
      apiKeyFrom({ ML_APIKEY_FILE: path.join(dir, 'nope.json') }),
    );
    expect(missing.exitCode).toBe(2);
    expect(missing.message).toMatch(/cannot be read/);
    const other = path.join(dir, 'other.json');
    await fs.writeFile(other, JSON.stringify({ api_key: KEY }));
    const wrong = refusal(() => apiKeyFrom({ ML_APIKEY_FILE: other }));
    expect(wrong.message).toMatch(/without an "apikey" field/);
    expect(`${wrong.message}${wrong.hint}`).not.toContain(KEY);
  });
});

describe('openIbmBackend', () => {
  const hmac = { AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'secret-xyz' };

  it('needs an API key (exit 2)', () => {
    const error = refusal(() => openIbmBackend(settings, hmac));
    expect(error.exitCode).toBe(2);
    expect(error.hint).toMatch(/ML_APIKEY_FILE/);
  });

  it('takes HMAC keys in pairs only', () => {
    const error = refusal(() =>
      openIbmBackend(settings, { ML_APIKEY: KEY, AWS_ACCESS_KEY_ID: 'id' }),
    );
    expect(error.message).toMatch(/AWS_SECRET_ACCESS_KEY is not set/);
  });

  it('without HMAC keys, signs in to COS with the API key when cos_instance is set', () => {
    const none = refusal(() => openIbmBackend(settings, { ML_APIKEY: KEY }));
    expect(none.message).toMatch(/No Cloud Object Storage credentials/);
    const backend = openIbmBackend(
      { ...settings, ibm: { ...settings.ibm, cosInstance: 'crn:v1:cos' } },
      { ML_APIKEY: KEY },
    );
    expect(backend.name).toBe('ibm');
  });

  it('needs a space or project id (exit 3), and an https endpoint', () => {
    const noSpace = refusal(() =>
      openIbmBackend(
        { ...settings, ibm: { ...settings.ibm, spaceId: '' } },
        { ML_APIKEY: KEY, ...hmac },
      ),
    );
    expect(noSpace.exitCode).toBe(3);
    expect(noSpace.message).toMatch(/backend\.ibm\.space_id/);
    const clear = refusal(() =>
      openIbmBackend(
        { ...settings, cosEndpoint: 'http://s3.example.com' },
        { ML_APIKEY: KEY, ...hmac },
      ),
    );
    expect(clear.exitCode).toBe(3);
    expect(clear.message).toMatch(/not an https:\/\/ URL/);
  });

  it('never sends the token or keys in the clear: http only to this machine', async () => {
    const viaEnv = refusal(() =>
      openIbmBackend(settings, {
        ML_APIKEY: KEY,
        ...hmac,
        ML_ENV: 'http://192.0.2.2:8099',
      }),
    );
    expect(viaEnv.exitCode).toBe(3);
    expect(viaEnv.message).toMatch(/\(ML_ENV\) is not an https:\/\/ URL/);
    for (const [flag, key] of [
      ['wml_url', 'wmlUrl'],
      ['iam_url', 'iamUrl'],
    ] as const) {
      const file = path.join(dir, `clear-${flag}.yaml`);
      await writeDefaultConfig(file);
      const error = (await updateSetup(file, {
        [key]: 'http://192.0.2.2:8099',
      }).catch((e: unknown) => e)) as MaxrecError;
      expect(error.exitCode).toBe(3);
      expect(error.message).toContain(`backend.ibm.${flag}`);
      expect(error.message).toMatch(/credentials would travel in the clear/);
      await updateSetup(file, { [key]: 'http://127.0.0.1:8099' });
    }
  });

  it('refuses a compute size WML does not have, in check() and in the config', async () => {
    const backend = openIbmBackend(
      { ...settings, compute: 'banana' },
      { ML_APIKEY: KEY, ...hmac },
    );
    const error = (await backend
      .check()
      .catch((e: unknown) => e)) as MaxrecError;
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/"banana" is not a WML hardware size/);
    const file = path.join(dir, 'compute.yaml');
    await writeDefaultConfig(file);
    await updateSetup(file, { backend: 'ibm' });
    const refused = (await updateSetup(file, { compute: 'banana' }).catch(
      (e: unknown) => e,
    )) as MaxrecError;
    expect(refused.message).toContain(
      'train.execution.compute_configuration.name',
    );
  });
});
