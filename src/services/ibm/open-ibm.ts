/**
 * The ibm backend as a config and the environment describe it. Secrets
 * come from the environment only: ML_APIKEY or ML_APIKEY_FILE (IAM, for
 * WML and, without HMAC keys, for COS), AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY (COS HMAC keys, which WML also needs to read and
 * write the buckets), ML_ENV (the WML URL, as the original read it),
 * MAXREC_IAM_URL (over backend.ibm.iam_url).
 */
import { ExitCode, MaxrecError } from '../../core/errors.js';
import type { Settings } from '../config/schema.js';
import { isSecureUrl } from '../secure-url.js';
import { requireApiKey, type ApiKeyEnvironment } from './api-key.js';
import { CosStorage, type CosCredentials } from './cos-storage.js';
import { IbmBackend } from './ibm-backend.js';
import {
  IamTokenSource,
  iamUrlFrom,
  type IamEnvironment,
} from './iam-token.js';
import {
  WmlClient,
  type HmacConnection,
  type IamConnection,
} from './wml-client.js';

export interface IbmEnvironment extends ApiKeyEnvironment, IamEnvironment {
  ML_ENV?: string;
  AWS_ACCESS_KEY_ID?: string;
  AWS_SECRET_ACCESS_KEY?: string;
  /** Developer setting: ms between two looks at a running training. */
  MAXREC_POLL_MS?: string;
}

export function openIbmBackend(
  settings: Settings,
  env: IbmEnvironment = process.env,
): IbmBackend {
  const { ibm } = settings;
  const apiKey = requireApiKey(env, 'the ibm backend');
  if (!ibm.spaceId && !ibm.projectId) {
    throw new MaxrecError(
      ExitCode.configuration,
      'backend.ibm.space_id is not set: WML runs trainings in a deployment space.',
      {
        hint:
          'Run `maxrec setup CONFIG --backend ibm --space-id ID` with the ' +
          "space's id (its Manage tab shows it), or set backend.ibm.project_id.",
      },
    );
  }
  const endpoint = settings.cosEndpoint;
  if (!endpoint) {
    throw new MaxrecError(
      ExitCode.configuration,
      'data_stores.0.connection.endpoint is not set: the ibm backend needs ' +
        'the Cloud Object Storage endpoint of the buckets.',
      { hint: 'Run `maxrec setup CONFIG --backend ibm --cos-endpoint URL`.' },
    );
  }
  const credentials = cosCredentials(settings, env, apiKey);
  const storage = new CosStorage({
    endpoint,
    credentials,
    locationConstraint: ibm.location || undefined,
    region: ibm.signingRegion || undefined,
  });
  const tokens = new IamTokenSource({ apiKey, iamUrl: ibm.iamUrl, env });
  const wmlUrl = env.ML_ENV || ibm.wmlUrl;
  if (!isSecureUrl(wmlUrl)) {
    throw new MaxrecError(
      ExitCode.configuration,
      `The WML URL ${wmlUrl}${env.ML_ENV ? ' (ML_ENV)' : ''} is not an ` +
        'https:// URL: the bearer token and the COS keys would travel in ' +
        'the clear.',
      {
        hint: 'Use the https:// URL of the region, e.g. https://us-south.ml.cloud.ibm.com.',
      },
    );
  }
  const wml = new WmlClient({
    url: wmlUrl,
    spaceId: ibm.spaceId || undefined,
    projectId: ibm.spaceId ? undefined : ibm.projectId,
    tokens,
  });
  const connection: HmacConnection | IamConnection =
    credentials.kind === 'hmac'
      ? {
          endpoint_url: storage.location,
          access_key_id: credentials.accessKeyId,
          secret_access_key: credentials.secretAccessKey,
        }
      : {
          endpoint_url: storage.location,
          api_key: credentials.apiKey,
          resource_instance_id: credentials.serviceInstanceId,
        };
  const pollMs = Number(env.MAXREC_POLL_MS);
  return new IbmBackend({
    wml,
    storage,
    connection,
    softwareSpec: ibm.softwareSpec || undefined,
    pollMs: Number.isFinite(pollMs) && pollMs > 0 ? pollMs : undefined,
    checkCredentials: (signal) => tokens.token(signal),
    compute: settings.compute,
  });
}

/** HMAC keys when both are set; else the API key with the COS instance. */
function cosCredentials(
  settings: Settings,
  env: IbmEnvironment,
  apiKey: string,
): CosCredentials {
  const { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret } = env;
  if (id && secret) {
    return { kind: 'hmac', accessKeyId: id, secretAccessKey: secret };
  }
  if (id || secret) {
    throw new MaxrecError(
      ExitCode.environment,
      `${id ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'} is not set, ` +
        'but its partner is: COS HMAC keys come in pairs.',
      { hint: 'Export both, from the COS service credential "cos_hmac_keys".' },
    );
  }
  if (!settings.ibm.cosInstance) {
    throw new MaxrecError(
      ExitCode.environment,
      'No Cloud Object Storage credentials: set AWS_ACCESS_KEY_ID and ' +
        'AWS_SECRET_ACCESS_KEY (HMAC keys), or backend.ibm.cos_instance to ' +
        'sign in with ML_APIKEY.',
      {
        hint:
          'HMAC keys are in a COS service credential created with ' +
          '{"HMAC": true}; WML reads the buckets with them.',
      },
    );
  }
  return {
    kind: 'iam',
    apiKey,
    serviceInstanceId: settings.ibm.cosInstance,
    iamUrl: `${iamUrlFrom(env, settings.ibm.iamUrl)}/identity/token`,
  };
}
