/**
 * The setup screen's IBM Cloud lookups and COS keys (JourneyServices'
 * lookUpIbm and writeHmacKeys), over the IbmPlatformClient that `maxrec
 * ibm` uses, signed in with ML_APIKEY or ML_APIKEY_FILE at the config's IAM
 * URL. MAXREC_RESOURCE_CONTROLLER_URL and MAXREC_DATA_PLATFORM_URL point
 * the lookups elsewhere (a test server, a proxy), as the CLI's flags do.
 * Keys go to a 0600 file beside the config and, for this session only,
 * into the environment the backend opens with; never to the config, the
 * screen or the debug log.
 */
import { access, constants, lstat } from 'node:fs/promises';
import path from 'node:path';

import { ExitCode, MaxrecError } from '../core/errors.js';
import type { IbmAccountItem, IbmQuery } from '../core/ibm-lookup.js';
import type { JourneyServices } from '../core/ports.js';
import { reasonOf } from '../services/fs-errors.js';
import { apiKeyFrom } from '../services/ibm/api-key.js';
import {
  newCredentialName,
  saveHmacKeys,
} from '../services/ibm/hmac-keys-file.js';
import { DEFAULT_IAM_URL, IamTokenSource } from '../services/ibm/iam-token.js';
import {
  dataPlatformUrlFor,
  DEFAULT_WML_URL,
  IbmPlatformClient,
  type HmacCredential,
} from '../services/ibm/ibm-platform.js';
import { requireSecureUrls } from '../services/secure-url.js';

export interface IbmSetupServices extends Pick<
  JourneyServices,
  'lookUpIbm' | 'writeHmacKeys'
> {
  /** The environment with the keys written in this session, if any. */
  sessionEnv(): NodeJS.ProcessEnv;
}

export interface IbmSetupOptions {
  env: NodeJS.ProcessEnv;
  /** The loaded config's backend.ibm.iam_url. */
  iamUrl: () => string | undefined;
}

const KEYS_FILE = 'cos-keys';
/** cos-keys.sh, cos-keys-2.sh, …: a file already there is never replaced. */
const KEYS_FILES_TRIED = 100;

export function createIbmSetupServices({
  env,
  iamUrl,
}: IbmSetupOptions): IbmSetupServices {
  // One token for the whole lookup, while the key and IAM stay the same.
  let signIn:
    { apiKey: string; iamUrl: string; tokens: IamTokenSource } | undefined;
  let sessionKeys: HmacCredential | undefined;

  const platform = (wmlUrl?: string): IbmPlatformClient => {
    const apiKey = apiKeyFrom(env);
    if (!apiKey) throw noApiKey();
    const iam = iamUrl() || DEFAULT_IAM_URL;
    const resourceControllerUrl =
      env['MAXREC_RESOURCE_CONTROLLER_URL'] || undefined;
    const dataPlatformUrl = env['MAXREC_DATA_PLATFORM_URL'] || undefined;
    requireSecureUrls(
      [
        ['backend.ibm.iam_url', iam],
        ['MAXREC_RESOURCE_CONTROLLER_URL', resourceControllerUrl],
        ['MAXREC_DATA_PLATFORM_URL', dataPlatformUrl],
        [env['ML_ENV'] ? 'ML_ENV' : 'The WML URL', wmlUrl],
      ],
      ExitCode.configuration,
    );
    if (signIn?.apiKey !== apiKey || signIn.iamUrl !== iam) {
      const tokens = new IamTokenSource({ apiKey, iamUrl: iam });
      signIn = { apiKey, iamUrl: iam, tokens };
    }
    return new IbmPlatformClient({
      tokens: signIn.tokens,
      resourceControllerUrl,
      dataPlatformUrl,
      wmlUrl,
    });
  };

  return {
    async lookUpIbm(query, signal) {
      return byName(await lookUp(query, platform, env, signal));
    },

    async writeHmacKeys({ configPath, cosInstance, credentialId }, signal) {
      // Found before a credential exists, so that a refusal leaves none.
      const file = await freeKeysFile(path.dirname(path.resolve(configPath)));
      const client = platform();
      const credential = credentialId
        ? await client.readHmacCredential(credentialId, signal)
        : await client.createHmacCredential(
            cosInstance,
            newCredentialName(),
            signal,
          );
      const shown = await saveHmacKeys(file, credential, {
        cosInstance,
        created: !credentialId,
        replace: false,
        writtenBy: 'maxrec setup',
        retryHint:
          "Check that the config's folder is writable, then choose the " +
          'credential again.',
      });
      sessionKeys = credential;
      return {
        credentialName: credential.credentialName,
        created: !credentialId,
        file,
        ...shown,
      };
    },

    sessionEnv: () =>
      sessionKeys
        ? {
            ...env,
            AWS_ACCESS_KEY_ID: sessionKeys.accessKeyId,
            AWS_SECRET_ACCESS_KEY: sessionKeys.secretAccessKey,
          }
        : env,
  };
}

async function lookUp(
  query: IbmQuery,
  platform: (wmlUrl?: string) => IbmPlatformClient,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<IbmAccountItem[]> {
  switch (query.step) {
    case 'group':
      return (await platform().listResourceGroups(signal)).map((group) => ({
        id: group.id,
        name: group.name,
        state: group.state,
        isDefault: group.default,
      }));
    case 'wml':
    case 'cos': {
      const filter = { resourceGroupId: query.resourceGroupId };
      const instances = await platform().listInstances(
        query.step,
        filter,
        signal,
      );
      return instances.map((instance) => ({
        id: instance.guid,
        name: instance.name,
        region: instance.region,
        state: instance.state,
      }));
    }
    case 'space': {
      // Trainings go to ML_ENV when it is set: list that region's spaces.
      const wmlUrl = env['ML_ENV'] || query.wmlUrl || DEFAULT_WML_URL;
      if (!env['MAXREC_DATA_PLATFORM_URL']) spacesServedFor(wmlUrl);
      return platform(wmlUrl).listSpaces(signal);
    }
    case 'credential': {
      const credentials = await platform().listCredentials(
        query.cosInstance,
        signal,
      );
      return credentials.map((credential) => ({
        id: credential.guid,
        name: credential.name,
        hmac: credential.hmac,
        createdAt: credential.createdAt,
      }));
    }
  }
}

/** Refuses a WML URL whose region's spaces maxrec cannot tell where to find. */
function spacesServedFor(wmlUrl: string): void {
  try {
    dataPlatformUrlFor(wmlUrl);
  } catch (error) {
    if (!(error instanceof MaxrecError)) throw error;
    throw new MaxrecError(error.exitCode, error.message, {
      hint:
        'Choose a WML instance of an IBM Cloud region, or type the space ' +
        'id by hand (MAXREC_DATA_PLATFORM_URL names another spaces API).',
    });
  }
}

function byName(items: IbmAccountItem[]): IbmAccountItem[] {
  return [...items].sort((a, b) => a.name.localeCompare(b.name));
}

function noApiKey(): MaxrecError {
  return new MaxrecError(
    ExitCode.environment,
    'ML_APIKEY is not set, so maxrec cannot look up your IBM Cloud account.',
    {
      hint:
        'Type the values in the fields instead; or quit, export ML_APIKEY ' +
        '(or ML_APIKEY_FILE=key.json, from `ibmcloud iam api-key-create ' +
        'maxrec --file key.json`) and start maxrec again.',
    },
  );
}

/** The first of cos-keys.sh, cos-keys-2.sh, … not there yet in `folder`. */
async function freeKeysFile(folder: string): Promise<string> {
  await access(folder, constants.W_OK).catch((error: unknown) => {
    throw new MaxrecError(
      ExitCode.environment,
      `Cannot write the keys file in ${folder}: ${reasonOf(error)}.`,
      { hint: 'Keep the config in a folder you can write to.' },
    );
  });
  for (let n = 1; n <= KEYS_FILES_TRIED; n += 1) {
    const file = path.join(
      folder,
      n === 1 ? `${KEYS_FILE}.sh` : `${KEYS_FILE}-${n}.sh`,
    );
    if (!(await lstat(file).catch(() => undefined))) return file;
  }
  throw new MaxrecError(
    ExitCode.environment,
    `${folder} already holds ${KEYS_FILES_TRIED} ${KEYS_FILE} files.`,
    { hint: 'Delete the ones no longer used, then try again.' },
  );
}
