/**
 * vitest globalSetup: one S3 server (scripts/s3-server) for the whole run,
 * handed to the workers as a state file through `provide` and
 * MAXREC_TEST_S3, so that test files share it instead of each starting
 * their own. Without Swift installed it starts nothing; the tests that need
 * S3 then fail saying how to install it.
 */
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import {
  isS3ServerAlive,
  readState,
  startS3Server,
  stateFileIn,
  stopS3Server,
  swiftInstalled,
} from '../../scripts/s3-server/swift-server.mjs';
// For the ProvidedContext key that s3-server.ts declares.
import type {} from './s3-server.js';

export default async function setup(project: TestProject) {
  // A server started by hand (start.mjs --state FILE) is used as it is.
  const given = process.env.MAXREC_TEST_S3;
  if (given && existsSync(given) && (await isS3ServerAlive(readState(given)))) {
    project.provide('maxrecTestS3', given);
    return;
  }
  if (!swiftInstalled()) return;

  // ownerPid: the server goes too if this run is killed before teardown.
  const state = await startS3Server({ ownerPid: process.pid });
  const stateFile = stateFileIn(state.folder);
  process.env.MAXREC_TEST_S3 = stateFile;
  project.provide('maxrecTestS3', stateFile);
  return async () => {
    await stopS3Server(state);
    delete process.env.MAXREC_TEST_S3;
  };
}
