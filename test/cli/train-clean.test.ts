/**
 * `maxrec train CONFIG clean` where the code archive cannot be removed (a
 * read-only folder): a message naming the file and what to do, not the raw
 * EROFS error. The failure is simulated: tests may run as root.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { trainCommand } from '../../src/cli/train.js';
import type { CliIo } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { MaxrecError } from '../../src/core/errors.js';
import { writeDefaultConfig } from '../../src/services/config/config-file.js';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maxrec-clean-'));
});

afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const output: Output = {
  json: false,
  info: () => undefined,
  record: () => undefined,
  progress: () => undefined,
  error: () => undefined,
  flush: () => undefined,
};

describe('train CONFIG clean', () => {
  it('names the archive and what to do when it cannot be removed', async () => {
    const configPath = path.join(dir, 'config.yaml');
    await writeDefaultConfig(configPath);
    const archive = path.join(dir, 'max-recommender-model-building-code.zip');
    fs.writeFileSync(archive, 'zip');
    vi.spyOn(fs.promises, 'rm').mockRejectedValue(
      Object.assign(
        new Error(`EROFS: read-only file system, unlink '${archive}'`),
        { code: 'EROFS' },
      ),
    );
    const error: unknown = await trainCommand({
      configPath,
      mode: 'clean',
      io: {} as CliIo,
      output,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaxrecError);
    const { exitCode, message, hint } = error as MaxrecError;
    expect(exitCode).toBe(4);
    expect(message).toBe(
      `Could not remove the code archive ${archive}: the file system is read-only (EROFS).`,
    );
    expect(hint).toMatch(/writable folder/);
  });
});
