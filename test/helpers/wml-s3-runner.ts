/**
 * What WML does with a training, played on this machine for the contract
 * server: the uploaded zip unpacked, the data bucket read into DATA_DIR
 * with the connection the client posted (so its keys must work), the
 * model definition's command run with RESULT_DIR, the log written to
 * `<logs>/learner-1/training-log.txt` as it grows, and RESULT_DIR's files
 * stored under `<training>/` at the end.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CosStorage } from '../../src/services/ibm/cos-storage.js';
import { unpackCode } from '../../src/services/local/unpack-code.js';
import type { TrainingRunner } from './wml-contract-server.js';

type Json = Record<string, unknown>;
const object = (value: unknown): Json =>
  typeof value === 'object' && value !== null ? (value as Json) : {};

export function s3TrainingRunner(options: {
  python: string;
  /** The S3 server's signing region (Swift insists on its own). */
  region: string;
}): TrainingRunner {
  return async ({ training, code, setState, signal }) => {
    if (!code) throw new Error('no code was uploaded to the model definition');
    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'maxrec-wml-run-'));
    try {
      const dataRef = object(
        (training.request['training_data_references'] as unknown[])[0],
      );
      const resultsRef = object(training.request['results_reference']);
      const storage = (reference: Json) => {
        const c = object(reference['connection']);
        return new CosStorage({
          endpoint: String(c['endpoint_url']),
          credentials: {
            kind: 'hmac',
            accessKeyId: String(c['access_key_id']),
            secretAccessKey: String(c['secret_access_key']),
          },
          region: options.region,
          maxRetries: 1,
        });
      };
      const dataStore = storage(dataRef);
      const resultsStore = storage(resultsRef);
      const location = training.location;
      const resultsBucket = String(location['bucket']);

      const codeDir = path.join(work, 'code');
      await fs.writeFile(path.join(work, 'code.zip'), code);
      await unpackCode(path.join(work, 'code.zip'), codeDir, options.python);

      const dataLocation = object(dataRef['location']);
      const dataBucket = String(dataLocation['bucket']);
      const dataPath = String(dataLocation['path'] ?? '').replace(/\/+$/, '');
      const dataDir = path.join(work, 'data');
      for (const { key } of await dataStore.listObjects(dataBucket, dataPath)) {
        const relative = dataPath ? key.slice(dataPath.length + 1) : key;
        await dataStore.download(
          dataBucket,
          key,
          path.join(dataDir, relative),
          {},
        );
      }

      const resultDir = path.join(work, 'results');
      await fs.mkdir(resultDir);
      const logFile = path.join(work, 'training-log.txt');
      const logKey = `${location['logs']}/learner-1/training-log.txt`;
      const log = createWriteStream(logFile);
      const command = String(
        object(training.request['model_definition'])['command'],
      );
      const venvBin = path.dirname(options.python);
      const child = spawn('bash', ['-c', command], {
        cwd: codeDir,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          DATA_DIR: dataDir,
          RESULT_DIR: resultDir,
          MAXREC_SKIP_INSTALL: '1',
          PATH: `${venvBin}:${process.env['PATH'] ?? ''}`,
        },
      });
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
      const stop = () => {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      };
      signal.addEventListener('abort', stop, { once: true });
      const putLog = () =>
        resultsStore.upload(
          logFile,
          resultsBucket,
          path.posix.dirname(logKey),
          {},
        );
      // The log as it grows, as the service copies it to the bucket; one
      // copy at a time, so an old one never lands after the last.
      let copying: Promise<unknown> = Promise.resolve();
      const timer = setInterval(() => {
        copying = copying.then(putLog).catch(() => undefined);
      }, 300);
      const exitCode = await new Promise<number | null>((resolve) =>
        child.on('close', resolve),
      );
      clearInterval(timer);
      await copying;
      signal.removeEventListener('abort', stop);
      await new Promise((resolve) => log.end(resolve));
      if (signal.aborted) return;
      setState('storing');
      await putLog();
      const files = await fs.readdir(resultDir);
      if (files.length > 0) {
        await resultsStore.upload(
          resultDir,
          resultsBucket,
          location['training']!,
          {},
        );
      }
      if (exitCode !== 0) {
        const lines = (await fs.readFile(logFile, 'utf8')).trim().split('\n');
        throw new Error(
          `The training command exited with ${exitCode}: ${lines.at(-1) ?? ''}`,
        );
      }
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
  };
}
