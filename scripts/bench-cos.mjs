#!/usr/bin/env node
/**
 * Upload and download throughput of the ibm backend's storage against the
 * tests' S3 server (OpenStack Swift's s3api on loopback), beside a
 * reference measured in the same run: the same SDK sending the file in one
 * plain PUT and fetching it in one GET. maxrec's figures include its
 * multipart upload (8 MiB parts, 4 at a time, with progress) and the
 * atomic download; peak memory is sampled from /proc while each runs.
 * Usage: npm run build && node scripts/bench-cos.mjs [--mb 512]
 * Prints a markdown table. Everything stays on this machine.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  INSTALL_HINT,
  startS3Server,
  stopS3Server,
  swiftInstalled,
} from './s3-server/swift-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const mb = Number(args[args.indexOf('--mb') + 1] || 512);
if (!swiftInstalled()) {
  console.error(`No S3 server here: ${INSTALL_HINT}.`);
  process.exit(2);
}
const { CosStorage } = await import(
  pathToFileURL(path.join(root, 'dist/services/ibm/cos-storage.js')).href
);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'maxrec-bench-cos-'));
const file = path.join(work, 'data.bin');
const block = randomBytes(2 ** 20);
const out = fs.openSync(file, 'w');
for (let i = 0; i < mb; i += 1) fs.writeSync(out, block);
fs.closeSync(out);

const rssMiB = () =>
  Number(
    /VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1],
  ) / 1024;
async function timed(run) {
  let peak = rssMiB();
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 50);
  const start = performance.now();
  await run();
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  return { rate: mb / seconds, peak: Math.max(peak, rssMiB()) };
}
const sha = (f) =>
  createHash('sha256').update(fs.readFileSync(f)).digest('hex');

const s3 = await startS3Server({ ownerPid: process.pid });
try {
  const storage = new CosStorage({
    endpoint: s3.endpoint,
    credentials: {
      kind: 'hmac',
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    },
    region: s3.region,
    locationConstraint: s3.location,
  });
  const bucket = 'bench';
  await storage.ensureBucket(bucket);
  const baseline = rssMiB();
  const up = await timed(() => storage.upload(file, bucket, 'maxrec', {}));
  const back = path.join(work, 'back.bin');
  const down = await timed(() =>
    storage.download(bucket, 'maxrec/data.bin', back, {}),
  );
  if (sha(back) !== sha(file)) throw new Error('download differs');

  // The reference: the same SDK, plain: one PUT of the file, one GET
  // streamed to disk; no parts, progress, checks or temp file.
  const S3 = createRequire(import.meta.url)('ibm-cos-sdk/clients/s3.js');
  const raw = new S3({
    endpoint: s3.endpoint,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    region: s3.region,
    signatureVersion: 'v4',
    s3ForcePathStyle: true,
  });
  const plainUp = await timed(() =>
    raw
      .putObject({
        Bucket: bucket,
        Key: 'plain/data.bin',
        Body: fs.createReadStream(file),
        ContentLength: mb * 2 ** 20,
      })
      .promise(),
  );
  const plainDown = await timed(() =>
    pipeline(
      raw
        .getObject({ Bucket: bucket, Key: 'plain/data.bin' })
        .createReadStream(),
      fs.createWriteStream(path.join(work, 'plain.bin')),
    ),
  );

  const mib = (x) => `${x.toFixed(0)} MiB/s`;
  const plus = (x) => `+${(x - baseline).toFixed(0)} MiB`;
  console.log(
    `| ${mb} MiB, loopback Swift s3api | maxrec (CosStorage) | plain SDK call |`,
  );
  console.log('| --- | --- | --- |');
  console.log(
    `| upload | ${mib(up.rate)} (8 MiB parts, 4 at once) | ${mib(plainUp.rate)} (one PUT) |`,
  );
  console.log(
    `| download | ${mib(down.rate)} (temp file, renamed) | ${mib(plainDown.rate)} (one GET) |`,
  );
  console.log(
    `| peak memory over ${baseline.toFixed(0)} MiB, up / down | ${plus(up.peak)} / ${plus(down.peak)} | ${plus(plainUp.peak)} / ${plus(plainDown.peak)} |`,
  );
} finally {
  await stopS3Server(s3);
  fs.rmSync(work, { recursive: true, force: true });
}
