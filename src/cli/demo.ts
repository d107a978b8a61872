/**
 * `maxrec demo`: the main job on the bundled MovieLens sample, start to
 * finish on the local backend, then a few recommendations.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, MaxrecError } from '../core/errors.js';
import {
  saveConfig,
  writeDefaultConfig,
} from '../services/config/config-file.js';
import { SETTING_KEYS } from '../services/config/schema.js';
import { packageRoot } from '../services/package-root.js';
import { resolveDataDirectory } from '../services/paths.js';
import { Recommender } from '../services/recommender.js';
import type { CliIo } from './main.js';
import type { Output } from './output.js';
import { runHeadlessJourney } from './train.js';

export interface DemoOptions {
  epochs: number;
  user: string;
  io: CliIo;
  output: Output;
}

export async function demoCommand(options: DemoOptions): Promise<number> {
  const { epochs, user, io, output } = options;
  await requireSampleUser(user);
  const configPath = await writeDemoConfig(epochs);
  output.info(
    `maxrec demo: training on the bundled MovieLens sample ` +
      `(${plural(epochs, 'epoch')}, local backend). Config: ${configPath}`,
  );
  const { context } = await runHeadlessJourney({
    configPath,
    mode: 'package',
    io,
    output,
  });
  const modelDir = context.context.results?.modelDir;
  if (context.exitCode !== ExitCode.ok || !modelDir) return context.exitCode;

  const metrics = context.context.results?.metrics;
  if (metrics) {
    output.record(
      'metrics',
      { ...metrics },
      `Test HR@10 ${metrics.hit_rate_at_10.toFixed(3)}, NDCG@10 ` +
        `${metrics.ndcg_at_10.toFixed(3)} (${metrics.protocol.split(':')[0]})`,
    );
  }
  const recommender = await Recommender.load(modelDir, {
    titlesFile: path.join(sampleDir(), 'data', 'movies.csv'),
  });
  try {
    // Movies the user has not rated yet, when the model says which they rated.
    const top = await recommender.recommend(user, 5, {
      excludeSeen: recommender.canExcludeSeen,
    });
    output.record(
      'recommendations',
      { user, items: top },
      [
        `Top ${plural(top.length, 'movie')} for user ${user}` +
          `${recommender.canExcludeSeen ? ' (not rated yet)' : ''}:`,
        ...top.map(
          (r, i) =>
            `  ${i + 1}. ${r.title ?? r.item} (item ${r.item}, score ${r.score.toFixed(3)})`,
        ),
        '',
        `Try another user: maxrec recommend USER_ID --model ` +
          `${path.relative(process.cwd(), modelDir) || modelDir} ` +
          `--titles ${path.join(sampleDir(), 'data', 'movies.csv')}`,
      ].join('\n'),
    );
  } finally {
    await recommender.close();
  }
  return ExitCode.ok;
}

/**
 * `--user` must be a user of the sample (exit 1), checked before training
 * rather than after it.
 */
async function requireSampleUser(user: string): Promise<void> {
  const ratings = await readFile(
    path.join(sampleDir(), 'data', 'ratings.csv'),
    'utf8',
  );
  // userId,movieId,rating,timestamp: the header, then one rating a line.
  const users = new Set(
    ratings
      .split('\n')
      .slice(1)
      .map((line) => line.slice(0, line.indexOf(',')))
      .filter(Boolean),
  );
  if (users.has(user)) return;
  const ids = [...users].map(Number).sort((a, b) => a - b);
  const first = ids.slice(0, 3).join(', ');
  throw new MaxrecError(
    ExitCode.invocation,
    `--user ${user}: the bundled sample has no such user; nothing was trained.`,
    {
      hint:
        `Pass one of its ${users.size} users (ids ${first} … ` +
        `${ids.at(-1)}), e.g. --user ${ids[0]}.`,
    },
  );
}

/** `1 epoch`, `2 epochs`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function sampleDir(): string {
  return path.join(packageRoot(), 'sample_training_data');
}

/**
 * A config of its own in maxrec's data folder, so the demo never edits the
 * user's: the bundled sample and code, results into ./training_output.
 */
async function writeDemoConfig(epochs: number): Promise<string> {
  const configPath = path.join(
    resolveDataDirectory(),
    'demo',
    'max-recommender-training-config.yaml',
  );
  await writeDefaultConfig(configPath, { overwrite: true });
  await saveConfig(configPath, {
    [SETTING_KEYS.localDataDir]: sampleDir(),
    [SETTING_KEYS.codeDir]: path.join(packageRoot(), 'training_code'),
    [SETTING_KEYS.trainedModelCopyDir]: undefined,
    [SETTING_KEYS.epochs]: epochs,
    [SETTING_KEYS.dataBucket]: 'maxrec-demo-data',
    [SETTING_KEYS.resultsBucket]: 'maxrec-demo-results',
    'process.0.params.staging_dir': path.resolve('training_output'),
  });
  return configPath;
}
