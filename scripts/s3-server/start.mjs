#!/usr/bin/env node
/**
 * The command line of the tests' S3 server (swift-server.mjs).
 *
 * Usage:
 *   node scripts/s3-server/start.mjs [--state FILE] [--port N] [--location L]
 *       start, print the state JSON and write it to FILE; the servers keep
 *       running after this exits. --port (or MAXREC_S3_PORT) fixes the S3
 *       port, 0 picks a free one.
 *   node scripts/s3-server/start.mjs stop --state FILE
 *       stop every process it started and remove its folder and FILE.
 *   (`watch` is the watchdog that swift-server.mjs starts for an owner pid.)
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isRunning } from './processes.mjs';
import {
  S3ServerError,
  readState,
  startS3Server,
  stateFileIn,
  stopS3Server,
} from './swift-server.mjs';

/**
 * The watchdog's loop: ends when the folder goes (a normal stop) or, once
 * the owner has gone, after stopping the server itself.
 * @param {string} folder
 * @param {number} ownerPid
 */
async function watch(folder, ownerPid) {
  for (;;) {
    await sleep(1000);
    if (!existsSync(folder)) return;
    if (!isRunning(ownerPid)) {
      await stopS3Server(readState(stateFileIn(folder)));
      return;
    }
  }
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      state: { type: 'string' },
      port: { type: 'string' },
      location: { type: 'string' },
      folder: { type: 'string' },
      'owner-pid': { type: 'string' },
    },
  });
  const command = positionals[0] ?? 'start';
  if (command === 'start') {
    const controller = new AbortController();
    const abort = () => controller.abort(new S3ServerError('Interrupted.'));
    process.once('SIGINT', abort).once('SIGTERM', abort);
    const state = await startS3Server({
      port: values.port === undefined ? undefined : Number(values.port),
      location: values.location,
      stateFile: values.state && path.resolve(values.state),
      ownerPid: values['owner-pid'] ? Number(values['owner-pid']) : undefined,
      signal: controller.signal,
    });
    process.removeListener('SIGINT', abort).removeListener('SIGTERM', abort);
    process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
  } else if (command === 'stop') {
    if (!values.state) throw new S3ServerError('stop needs --state FILE.');
    if (!existsSync(values.state)) {
      throw new S3ServerError(`No S3 server state at ${values.state}.`);
    }
    await stopS3Server(readState(values.state));
    await fs.rm(values.state, { force: true });
  } else if (command === 'watch' && values.folder && values['owner-pid']) {
    await watch(values.folder, Number(values['owner-pid']));
  } else {
    throw new S3ServerError(`Unknown command: ${positionals.join(' ')}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(
      error instanceof S3ServerError ? error.message : error?.stack,
    );
    process.exit(1);
  });
}
