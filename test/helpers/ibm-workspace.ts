/**
 * A scratch workspace whose config uses the ibm backend against the tests'
 * S3 server and WML contract server, with the secrets in its environment
 * as a user would export them.
 */
import { updateHyperparameters } from '../../src/services/config/config-file.js';
import { makeWorkspace, setupWorkspace, type Workspace } from './cli.js';
import { uniqueBucketName, type S3TestServer } from './s3-server.js';
import type { WmlContractServer } from './wml-contract-server.js';

export async function makeIbmWorkspace(
  s3: S3TestServer,
  wml: WmlContractServer,
  epochs: number,
): Promise<Workspace> {
  const ws = makeWorkspace({ lines: 4000 });
  Object.assign(ws.env, {
    ML_APIKEY: wml.apiKey,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    MAXREC_POLL_MS: '200',
  });
  await setupWorkspace(ws, [
    '--backend',
    'ibm',
    '--data-bucket',
    uniqueBucketName('data'),
    '--results-bucket',
    uniqueBucketName('results'),
    '--compute',
    'cpu',
    '--cos-endpoint',
    s3.endpoint,
    '--location',
    s3.location,
    '--signing-region',
    s3.region,
    '--wml-url',
    wml.url,
    '--iam-url',
    wml.iamUrl,
    '--space-id',
    wml.spaceId,
  ]);
  await updateHyperparameters(ws.configPath, { epochs });
  return ws;
}

/** The run id a headless command printed. */
export function trainingId(output: string): string {
  const match = /Training id: (\S+)/.exec(output);
  if (!match?.[1]) throw new Error(`no training id in:\n${output}`);
  return match[1];
}
