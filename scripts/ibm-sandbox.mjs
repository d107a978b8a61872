#!/usr/bin/env node
/**
 * The ibm backend without an IBM account, for trying it by hand: a real S3
 * server (OpenStack Swift, scripts/s3-server), the tests' WML contract
 * server, whose runner plays the training service on this machine, and
 * the platform contract server with a sample account for the setup
 * screen's IBM Cloud lookups. Prints the environment and the setup command
 * to use, then serves until Ctrl+C.
 *
 *   bash scripts/s3-server/install.sh   # once, as root
 *   npm run setup:python                # the Python that trains
 *   node scripts/ibm-sandbox.mjs
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import {
  INSTALL_HINT,
  startS3Server,
  stopS3Server,
  swiftInstalled,
} from './s3-server/swift-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const python = path.join(root, '.venv/bin/python');
if (!swiftInstalled()) {
  console.error(`No S3 server here: ${INSTALL_HINT}.`);
  process.exit(2);
}
if (!existsSync(python)) {
  console.error(`No ${python}: run npm run setup:python first.`);
  process.exit(2);
}

// The contract server and its runner are TypeScript test helpers: bundle
// them for Node, beside node_modules so that their packages resolve.
const cache = path.join(root, 'node_modules/.cache');
await fs.mkdir(cache, { recursive: true });
const bundleDir = await fs.mkdtemp(path.join(cache, 'maxrec-sandbox-'));
const entry = path.join(bundleDir, 'entry.ts');
await fs.writeFile(
  entry,
  [
    ['startWmlContractServer', 'wml-contract-server.ts'],
    ['s3TrainingRunner', 'wml-s3-runner.ts'],
    ['startSandboxAccount', 'ibm-sandbox-account.ts'],
  ]
    .map(([name, file]) => {
      const from = JSON.stringify(path.join(root, 'test/helpers', file));
      return `export { ${name} } from ${from};`;
    })
    .join('\n'),
);
await build({
  entryPoints: [entry],
  outfile: path.join(bundleDir, 'sandbox.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});
const { startWmlContractServer, s3TrainingRunner, startSandboxAccount } =
  await import(pathToFileURL(path.join(bundleDir, 'sandbox.mjs')).href);

const s3 = await startS3Server({ ownerPid: process.pid });
const wml = await startWmlContractServer({
  runner: s3TrainingRunner({ python, region: s3.region }),
});
const account = await startSandboxAccount(wml, s3);

console.log(`S3 server (Swift s3api): ${s3.endpoint}
WML and IAM contract server:  ${wml.url}
Resource controller and spaces (account lookups): ${account.url}

In another shell:
  export ML_APIKEY=${wml.apiKey}
  export AWS_ACCESS_KEY_ID=${s3.accessKeyId} AWS_SECRET_ACCESS_KEY=${s3.secretAccessKey}
  export MAXREC_POLL_MS=1000
  export MAXREC_IAM_URL=${wml.iamUrl}
  export MAXREC_RESOURCE_CONTROLLER_URL=${account.resourceControllerUrl}
  export MAXREC_DATA_PLATFORM_URL=${account.dataPlatformUrl}
  export ML_ENV=${wml.url}
  maxrec setup sandbox.yaml --backend ibm --data-bucket sandbox-data \\
    --results-bucket sandbox-results --compute cpu \\
    --cos-endpoint ${s3.endpoint} --location ${s3.location} \\
    --signing-region ${s3.region} --wml-url ${wml.url} \\
    --iam-url ${wml.iamUrl} --space-id ${wml.spaceId}
  maxrec train sandbox.yaml package     # or: maxrec, and open sandbox.yaml

In the app's setup, "IBM Cloud" looks up the sample account: group
Default, WML sandbox-wml, space sandbox-space, COS sandbox-cos and its
credential sandbox-credential (the S3 server's keys). MAXREC_IAM_URL signs
in at this IAM; picking sandbox-wml saves its region's real URL as
backend.ibm.wml_url, and ML_ENV sends runs to this WML server instead.
COS keys picked there are used by that session; in another shell, source
the cos-keys.sh it writes or keep the AWS_* exports above.

Ctrl+C here stops the servers.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await wml.close();
  await account.close();
  await stopS3Server(s3);
  await fs.rm(bundleDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
