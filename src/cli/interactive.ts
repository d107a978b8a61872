/**
 * The full-screen app, on a named config or the one in this folder. A
 * missing config is not created here: the app starts from the defaults,
 * and the file is written when the user saves the setup.
 */
import path from 'node:path';
import { createJourneyServices } from '../app/journey-services.js';
import { CONFIG_FILE_NAME } from '../services/config/config-file.js';
import type { CliIo } from './main.js';

export async function runInteractive(options: {
  io: CliIo;
  configPath?: string;
  /** Open at the setup screen rather than home. */
  start?: 'home' | 'setup';
}): Promise<number> {
  const configPath = path.resolve(options.configPath ?? CONFIG_FILE_NAME);
  const { runApp } = await import('../ui/run-app.js');
  return runApp({
    services: createJourneyServices(),
    configPath,
    stdin: options.io.stdin as NodeJS.ReadStream,
    stdout: options.io.stdout as NodeJS.WriteStream,
    initialEvents:
      options.start === 'setup' ? [{ type: 'NEW_TRAINING' }] : undefined,
  });
}
