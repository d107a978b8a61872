/**
 * A real S3 server for tests that talk to COS: OpenStack Swift with its
 * s3api middleware (scripts/s3-server). The run-wide one that
 * s3-global-setup.ts starts is shared; without it each test file that asks
 * starts its own, a few seconds' work.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { inject } from 'vitest';
import {
  INSTALL_HINT,
  isS3ServerAlive,
  readState,
  startS3Server,
  stopS3Server,
  swiftInstalled,
  type S3ServerState,
} from '../../scripts/s3-server/swift-server.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The state file of the run-wide S3 server, when there is one. */
    maxrecTestS3: string | undefined;
  }
}

export interface S3TestServer {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Sign for this region: s3api rejects any other. */
  region: string;
  /** The one LocationConstraint CreateBucket accepts (`us-south-standard`). */
  location: string;
  /** Stops a server this file started; does nothing to a shared one. */
  stop(): Promise<void>;
}

/**
 * The run-wide server named by MAXREC_TEST_S3 (a state file) when it is
 * alive, else a new one for this test file; call `stop()` in afterAll.
 */
export async function s3Server(): Promise<S3TestServer> {
  const sharedFile = inject('maxrecTestS3') ?? process.env.MAXREC_TEST_S3;
  if (sharedFile && existsSync(sharedFile)) {
    const shared = readState(sharedFile);
    if (await isS3ServerAlive(shared)) {
      return testServer(shared, async () => {});
    }
  }
  if (!swiftInstalled()) {
    throw new Error(
      `These tests need a local S3 server (OpenStack Swift): ${INSTALL_HINT}.`,
    );
  }
  const own = await startS3Server({ ownerPid: process.pid });
  return testServer(own, () => stopS3Server(own));
}

/**
 * A bucket name no other test file will pick, since a shared server keeps
 * every file's buckets: lower case, at most 63 characters, as S3 requires.
 */
export function uniqueBucketName(prefix: string): string {
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  return `${prefix.toLowerCase().slice(0, 40)}-${suffix}`;
}

function testServer(
  state: S3ServerState,
  stop: () => Promise<void>,
): S3TestServer {
  const { endpoint, accessKeyId, secretAccessKey, region, location } = state;
  return { endpoint, accessKeyId, secretAccessKey, region, location, stop };
}
