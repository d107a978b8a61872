/**
 * The trained model folder as the service needs it: the Recommender plus
 * what GET /model/metadata reports. Any fault in the folder stops start-up
 * with exit 3, as the issue asks, rather than the Recommender's exit 7
 * (which the try-it screen uses for a broken extraction).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, MaxrecError } from '../core/errors.js';
import { errorCode, reasonOf } from '../services/fs-errors.js';
import {
  Recommender,
  type RecommenderOptions,
} from '../services/recommender.js';

export interface ServedModel {
  recommender: Recommender;
  /** parameters.json, or {} for a folder without one. */
  parameters: Record<string, unknown>;
  /** metrics.json, or {} for a folder without one. */
  metrics: Record<string, unknown>;
}

export async function loadServedModel(
  modelDir: string,
  options: RecommenderOptions = {},
): Promise<ServedModel> {
  const stat = await fs.stat(modelDir).catch((error: unknown) => {
    throw cannotServe(modelDir, reasonOf(error), error);
  });
  if (!stat.isDirectory()) {
    throw cannotServe(modelDir, 'it is a file, not a folder');
  }
  const parameters = await readOptionalJson(modelDir, 'parameters.json');
  const metrics = await readOptionalJson(modelDir, 'metrics.json');
  try {
    const recommender = await Recommender.load(modelDir, options);
    return { recommender, parameters, metrics };
  } catch (error) {
    if (
      error instanceof MaxrecError &&
      error.exitCode === ExitCode.extraction
    ) {
      throw cannotServe(modelDir, error.message, error);
    }
    throw error;
  }
}

async function readOptionalJson(
  modelDir: string,
  name: string,
): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(path.join(modelDir, name), 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return {};
    throw cannotServe(modelDir, `${name}: ${reasonOf(error)}`, error);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw cannotServe(modelDir, `${name} is not valid JSON`, error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw cannotServe(modelDir, `${name} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function cannotServe(
  modelDir: string,
  reason: string,
  cause?: unknown,
): MaxrecError {
  return new MaxrecError(
    ExitCode.configuration,
    `Cannot use the model in ${modelDir}: ${reason}`,
    {
      hint:
        'Pass the trained_model folder (it holds model.onnx, users.json and ' +
        'items.json), or train one first with `maxrec train CONFIG package`.',
      cause,
    },
  );
}
