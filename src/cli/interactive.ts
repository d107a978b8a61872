/** The full-screen app, on the config in this folder (created if absent). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createJourneyServices } from '../app/journey-services.js';
import {
  CONFIG_FILE_NAME,
  writeDefaultConfig,
} from '../services/config/config-file.js';
import type { CliIo } from './main.js';

export async function runInteractive(options: {
  io: CliIo;
  configPath?: string;
  /** Open at the setup screen rather than home. */
  start?: 'home' | 'setup';
}): Promise<number> {
  const configPath = path.resolve(options.configPath ?? CONFIG_FILE_NAME);
  if (!existsSync(configPath)) await writeDefaultConfig(configPath);
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
