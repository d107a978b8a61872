/**
 * The full-screen app on the ibm backend, in a real terminal, against the
 * tests' S3 server and WML contract server: a run followed to its results,
 * and a run cancelled with Ctrl+C twice, then found cancelled from Home.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { makeIbmWorkspace } from '../helpers/ibm-workspace.js';
import { s3Server, type S3TestServer } from '../helpers/s3-server.js';
import { LEAVE_ALT, Terminal, plain } from '../helpers/terminal.js';
import {
  startWmlContractServer,
  type WmlContractServer,
} from '../helpers/wml-contract-server.js';
import { s3TrainingRunner } from '../helpers/wml-s3-runner.js';

let s3: S3TestServer;
let wml: WmlContractServer;

beforeAll(async () => {
  s3 = await s3Server();
  wml = await startWmlContractServer({
    runner: s3TrainingRunner({
      python: path.join(repoRoot, '.venv/bin/python'),
      region: s3.region,
    }),
  });
}, 120_000);

afterAll(async () => {
  await wml?.close();
  await s3?.stop();
});

/** Home → setup → data → hyperparameters → launch, to the monitor. */
async function launch(term: Terminal): Promise<number> {
  await term.waitFor('maxrec · Home');
  await term.pressUntil('\r', 'maxrec · Setup', 3);
  // The ibm fields, filled by `maxrec setup`, and the secrets as set.
  await term.waitFor('WML space id');
  const mark = await term.waitFor('ML_APIKEY …');
  // Up from Backend wraps to Save: Enter on the IBM Cloud row on the way
  // down would look the values up in IBM Cloud.
  term.press('\x1b[A');
  await term.waitFor('❯ Save and continue', mark);
  await term.pressUntil('\r', 'maxrec · Data', 3);
  await term.pressUntil('\r', 'Inspected file', 3);
  await term.waitFor('interactions');
  await term.pressUntil('\r', 'maxrec · Hyperparameters', 3);
  await term.pressUntil('\r', 'maxrec · Monitor', 10);
  return term.waitFor('· ibm · cpu');
}

describe('the app in a terminal on the ibm backend', () => {
  it('follows a WML run, epoch by epoch, to its results', async () => {
    const ws = await makeIbmWorkspace(s3, wml, 2);
    const term = new Terminal(ws.dir, ws.env);
    try {
      const mark = await launch(term);
      await term.waitFor('2/2', mark);
      await term.waitFor('maxrec · Results', mark);
      await term.waitFor('HR@10');
      const created = wml.requests.filter(
        (r) => r.method === 'POST' && r.path === '/ml/v4/trainings',
      );
      expect(created.length).toBeGreaterThan(0);
      for (const secret of [wml.apiKey, s3.secretAccessKey]) {
        expect(plain(term.output)).not.toContain(secret);
      }
    } finally {
      term.kill();
    }
  }, 300_000);

  it('Ctrl+C twice cancels the WML training; Home then lists it cancelled', async () => {
    const ws = await makeIbmWorkspace(s3, wml, 200);
    let term = new Terminal(ws.dir, ws.env);
    try {
      let mark = await launch(term);
      mark = await term.waitFor('Epoch', mark);
      term.press('\x03');
      mark = await term.waitFor('Stopped watching', mark);
      term.press('\x03');
      await term.waitFor('Cancel run', mark);
      term.press('y');
      expect(await term.exit).toBe(5);
      expect(
        plain(term.output.slice(term.output.lastIndexOf(LEAVE_ALT))),
      ).toMatch(/cancelled/);
    } finally {
      term.kill();
    }
    const cancels = wml.requests.filter(
      (r) => r.method === 'DELETE' && r.path.startsWith('/ml/v4/trainings/'),
    );
    expect(cancels.at(-1)?.status).toBe(204);

    // Back in the app: the run is listed with its status from WML.
    term = new Terminal(ws.dir, ws.env);
    try {
      await term.waitFor('(cancelled, ibm)');
    } finally {
      term.kill();
    }
  }, 300_000);
});
