/**
 * Records as IBM's resource manager and resource controller hold them, for
 * the platform contract server (ibm-platform-contract.ts) and the tests
 * that fill it: resource groups, WML and COS instances, and COS resource
 * keys, in the shapes src/services/ibm/ibm-platform.ts and
 * cos-credentials.ts cite, IBM's own example values where it gives them.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { RESOURCE_IDS } from '../../src/services/ibm/ibm-platform.js';
import { asObject, type Json } from './wml-contract-rules.js';

/** The id of the account's default resource group, as IBM's example has it. */
export const DEFAULT_GROUP_ID = '0be5ad401ae913d8ff665d92680664ed';

/** A resource manager group record, as the service lists one. */
export function contractGroup(
  name: string,
  id = randomBytes(16).toString('hex'),
  isDefault = false,
): Json {
  return {
    id,
    crn: `crn:v1:bluemix:public:resource-controller::a/acct::resource-group:${id}`,
    account_id: 'acct',
    name,
    state: 'ACTIVE',
    default: isDefault,
    quota_id: 'a3d7b8d01e261c24677937c29ab33f3c',
    created_at: '2025-03-01T08:00:00.000Z',
    updated_at: '2025-03-01T08:00:00.000Z',
  };
}

/** A resource controller instance record, as the service lists one. */
export function contractInstance(
  kind: keyof typeof RESOURCE_IDS,
  name: string,
  region = kind === 'cos' ? 'global' : 'us-south',
  groupId = DEFAULT_GROUP_ID,
): Json {
  const guid = randomUUID();
  const service = kind === 'cos' ? 'cloud-object-storage' : 'pm-20';
  return {
    id: `crn:v1:bluemix:public:${service}:${region}:a/acct:${guid}::`,
    guid,
    crn: `crn:v1:bluemix:public:${service}:${region}:a/acct:${guid}::`,
    name,
    region_id: region,
    state: 'active',
    type: 'service_instance',
    resource_id: RESOURCE_IDS[kind],
    resource_group_id: groupId,
  };
}

/**
 * A resource key of a COS instance as the service stores it: with HMAC
 * keys unless `hmac` is false, `credentials` replaced by `{REDACTED:
 * redacted}` when given, and one-time view when `onetime`.
 */
export function contractKey(
  instance: Json,
  name: string,
  options: { hmac?: boolean; redacted?: string; onetime?: boolean } = {},
): Json {
  const guid = randomUUID();
  const crn = String(instance['crn']);
  const credentials: Json = {
    apikey: `service-id-api-key-${guid}`,
    endpoints:
      'https://control.cloud-object-storage.cloud.ibm.com/v2/endpoints',
    iam_role_crn: 'crn:v1:bluemix:public:iam::::serviceRole:Writer',
    resource_instance_id: crn,
    ...(options.hmac === false
      ? {}
      : {
          cos_hmac_keys: {
            access_key_id: randomBytes(16).toString('hex'),
            secret_access_key: randomBytes(24).toString('hex'),
          },
        }),
  };
  return {
    id: `${crn.replace(/::$/, '')}:resource-key:${guid}`,
    guid,
    url: `/v2/resource_keys/${guid}`,
    crn: `${crn.replace(/::$/, '')}:resource-key:${guid}`,
    name,
    source_crn: crn,
    role: 'crn:v1:bluemix:public:iam::::serviceRole:Writer',
    state: 'active',
    account_id: 'acct',
    resource_group_id: instance['resource_group_id'],
    resource_id: instance['resource_id'],
    created_at: '2026-01-15T09:30:12.837979455Z',
    onetime_credentials: options.onetime === true,
    credentials: options.redacted
      ? { REDACTED: options.redacted }
      : credentials,
    iam_compatible: true,
    resource_instance_url: `/v2/resource_instances/${String(instance['guid'])}`,
  };
}

/** The HMAC keys a contract key holds, for a test to compare. */
export function hmacKeysOf(key: Json) {
  const keys = asObject(asObject(key['credentials'])['cos_hmac_keys']);
  return {
    accessKeyId: String(keys['access_key_id']),
    secretAccessKey: String(keys['secret_access_key']),
  };
}
