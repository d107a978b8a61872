/**
 * COS credentials (resource keys) with HMAC keys: the ones an instance has,
 * one of them read, or a new one created. Listings carry no secret: only
 * the one credential asked for is read, and only its two keys kept.
 *
 * Protocols, checked against IBM's pages and IBM's own client:
 * - Resource controller,
 *   https://cloud.ibm.com/apidocs/resource-controller/resource-controller
 *   (client: IBM/platform-services-node-sdk, resource-controller/v2.ts).
 *   `GET /v2/resource_instances/{CRN or GUID}/resource_keys?limit=…`
 *   answers `{rows_count, next_url, resources:[{guid, crn, name,
 *   source_crn, role, state, created_at, onetime_credentials,
 *   credentials}]}`, paged as instances are; `GET /v2/resource_keys` has
 *   no filter by instance. `GET /v2/resource_keys/{CRN or GUID}` answers
 *   one key. `POST /v2/resource_keys` with `{name, source (instance GUID or
 *   CRN), role, parameters}` answers the key, with its `credentials`.
 * - Viewing a credential,
 *   https://cloud.ibm.com/docs/account?topic=account-service_credentials:
 *   without enough access `credentials` is `{"REDACTED": "REDACTED"}` (a
 *   service role below the credential's) or `{"REDACTED":
 *   "REDACTED_EXPLICIT"}`; COS asks for the IAM action
 *   `resource-controller.credential.retrieve_all`, which the Administrator
 *   platform role gives. A credential with `onetime_credentials` true
 *   (the default since August 2025) shows its values only on creation.
 * - COS HMAC keys,
 *   https://cloud.ibm.com/docs/cloud-object-storage?topic=cloud-object-storage-uhc-hmac-credentials-main:
 *   parameters `{"HMAC": true}` add `credentials.cos_hmac_keys` with
 *   `access_key_id` and `secret_access_key`.
 */
import { ExitCode, MaxrecError } from '../../core/errors.js';
import { field, list, text, type PlatformHttp } from './ibm-platform-http.js';
import { pickNamed } from './pick-named.js';

export interface HmacCredential {
  credentialName: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** A credential as listed: what it is, never what it holds. */
export interface CosCredential {
  name: string;
  guid: string;
  /** ISO 8601, as the service gives it. */
  createdAt: string;
  /** Whether it holds HMAC keys; `hidden` where IBM withholds its values. */
  hmac: 'yes' | 'no' | 'hidden';
}

export interface ResourceController {
  http: PlatformHttp;
  url: string;
}

const TO_CREATE =
  'Or run `maxrec ibm hmac-key` without --credential: it creates a new ' +
  'credential and writes its keys.';

/**
 * A new credential on a COS instance (GUID or CRN) with HMAC keys and
 * role Writer, the role of IBM's own example: WML reads the data and
 * writes the results with these keys. Not retried once it may have
 * arrived, so that no second key pair is left behind.
 */
export async function createHmacCredential(
  controller: ResourceController,
  cosInstance: string,
  name: string,
  signal?: AbortSignal,
): Promise<HmacCredential> {
  const response = await controller.http.call({
    method: 'POST',
    base: controller.url,
    path: '/v2/resource_keys',
    action: `create credential "${name}" on COS instance ${cosInstance}`,
    signal,
    body: {
      name,
      source: cosInstance,
      role: 'Writer',
      parameters: { HMAC: true },
    },
    idempotent: false,
    refused: {
      exit: ExitCode.invocation,
      hint: 'Check --cos-instance: `maxrec ibm instances` lists them.',
    },
  });
  const keys = hmacKeysOf(response.data);
  if (!keys) {
    throw new MaxrecError(
      ExitCode.environment,
      `Credential "${name}" was created but holds no HMAC keys.`,
      {
        hint:
          'Check that the instance is Cloud Object Storage, and delete ' +
          "the credential in the instance's Service credentials tab.",
      },
    );
  }
  const credentialName = text(field(response.data, 'name')) ?? name;
  return { credentialName, ...keys };
}

/** The credentials of a COS instance (GUID or CRN), all pages. */
export async function listCosCredentials(
  controller: ResourceController,
  cosInstance: string,
  signal?: AbortSignal,
): Promise<CosCredential[]> {
  const rows = await controller.http.allPages(
    {
      method: 'GET',
      base: controller.url,
      path: `/v2/resource_instances/${encodeURIComponent(cosInstance)}/resource_keys`,
      action: `list the credentials of COS instance ${cosInstance}`,
      signal,
      query: { limit: '100' },
      idempotent: true,
      refused: {
        exit: ExitCode.invocation,
        hint: 'Check --cos-instance: `maxrec ibm instances` lists them.',
      },
    },
    (body) => ({
      items: list(field(body, 'resources')),
      next: text(field(body, 'next_url')),
    }),
  );
  return rows.map((row) => ({
    name: text(field(row, 'name')) ?? '',
    guid: text(field(row, 'guid')) ?? '',
    createdAt: text(field(row, 'created_at')) ?? '',
    hmac: hmacKeysOf(row) ? 'yes' : withheld(row) ? 'hidden' : 'no',
  }));
}

/** The credential --credential names, by name or GUID, among `credentials`. */
export function findCredential(
  credentials: CosCredential[],
  wanted: string,
  cosInstance: string,
): CosCredential {
  return pickNamed(credentials, wanted, {
    what: 'credential',
    flag: '--credential',
    lister: `\`maxrec ibm credentials --cos-instance ${cosInstance}\``,
    name: (credential) => credential.name,
    id: (credential) => credential.guid,
    none: `COS instance ${cosInstance} has no credentials. ${TO_CREATE}`,
  });
}

/** The HMAC keys of an existing credential, by GUID or CRN. */
export async function readHmacCredential(
  controller: ResourceController,
  credential: string,
  signal?: AbortSignal,
): Promise<HmacCredential> {
  const { data } = await controller.http.call({
    method: 'GET',
    base: controller.url,
    path: `/v2/resource_keys/${encodeURIComponent(credential)}`,
    action: `read credential ${credential}`,
    signal,
    idempotent: true,
    refused: {
      exit: ExitCode.invocation,
      hint: 'Check --credential: `maxrec ibm credentials` lists them.',
    },
  });
  const credentialName = text(field(data, 'name')) ?? credential;
  const keys = hmacKeysOf(data);
  if (keys) return { credentialName, ...keys };
  throw unreadable(credentialName, data);
}

/** Why a credential read gave no keys, and what to do instead. */
function unreadable(name: string, key: unknown): MaxrecError {
  if (field(key, 'onetime_credentials') === true) {
    return new MaxrecError(
      ExitCode.invocation,
      `Credential "${name}" is one-time view: IBM showed its values only ` +
        'when it was created.',
      { hint: TO_CREATE },
    );
  }
  const redacted = text(field(field(key, 'credentials'), 'REDACTED'));
  if (redacted) {
    return new MaxrecError(
      ExitCode.environment,
      `IBM withholds the values of credential "${name}" from this API key ` +
        `(${redacted}).`,
      {
        hint:
          'Reading a COS credential takes the Administrator platform role ' +
          'on the instance (IAM action ' +
          `resource-controller.credential.retrieve_all). ${TO_CREATE}`,
      },
    );
  }
  return new MaxrecError(
    ExitCode.invocation,
    `Credential "${name}" holds no HMAC keys.`,
    {
      hint:
        'Choose one with HMAC "yes" in `maxrec ibm credentials`. ' + TO_CREATE,
    },
  );
}

function hmacKeysOf(key: unknown) {
  const keys = field(field(key, 'credentials'), 'cos_hmac_keys');
  const accessKeyId = text(field(keys, 'access_key_id'));
  const secretAccessKey = text(field(keys, 'secret_access_key'));
  return accessKeyId && secretAccessKey
    ? { accessKeyId, secretAccessKey }
    : undefined;
}

/** Redacted, or left out as a one-time credential's values are. */
function withheld(key: unknown): boolean {
  const credentials = field(key, 'credentials');
  return (
    credentials === undefined ||
    credentials === null ||
    field(credentials, 'REDACTED') !== undefined
  );
}
