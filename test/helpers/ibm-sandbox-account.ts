/**
 * The IBM Cloud account `npm run sandbox:ibm` shows the setup screen's
 * lookups: the platform contract server filled with a resource group, a
 * WML instance, the WML contract server's space, a COS instance and a
 * credential whose HMAC keys are the S3 server's. Its tokens are the WML
 * server's, since the config's IAM URL points there.
 */
import {
  contractInstance,
  contractKey,
  startIbmPlatformContract,
  type IbmPlatformContractServer,
} from './ibm-platform-contract.js';
import type { Json } from './wml-contract-rules.js';
import type { WmlContractServer } from './wml-contract-server.js';

export interface SandboxKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

export async function startSandboxAccount(
  wml: Pick<WmlContractServer, 'hasToken' | 'spaceId'>,
  keys: SandboxKeys,
): Promise<IbmPlatformContractServer> {
  const platform = await startIbmPlatformContract();
  platform.acceptToken = (token) => wml.hasToken(token);
  const cos = contractInstance('cos', 'sandbox-cos');
  platform.instances = [
    contractInstance('wml', 'sandbox-wml', 'us-south'),
    cos,
  ];
  platform.spaces = [{ id: wml.spaceId, name: 'sandbox-space' }];
  const credential = contractKey(cos, 'sandbox-credential');
  const credentials = credential['credentials'] as Json;
  credentials['cos_hmac_keys'] = {
    access_key_id: keys.accessKeyId,
    secret_access_key: keys.secretAccessKey,
  };
  platform.resourceKeys = [credential];
  return platform;
}
