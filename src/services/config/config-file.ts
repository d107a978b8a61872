/**
 * Reading and writing max-recommender-training-config.yaml. Loading names
 * the dotted path of every wrong key; saving edits the YAML document in
 * place so the user's comments and key order survive, and replaces the file
 * atomically.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { isCollection, isScalar, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ExitCode, MaxrecError } from '../../core/errors.js';
import type { BackendName, Hyperparameters } from '../../core/types.js';
import { packageRoot } from '../package-root.js';
import {
  configSchema,
  resolveSettings,
  SETTING_KEYS,
  typedDelimiter,
  type DataUpload,
  type MaxrecConfig,
  type Settings,
} from './schema.js';
import { closestKey, knownKeysAt } from './unknown-keys.js';

export const CONFIG_FILE_NAME = 'max-recommender-training-config.yaml';

export interface LoadedConfig {
  /** Absolute path of the file read. */
  path: string;
  config: MaxrecConfig;
  settings: Settings;
  /** Values adapted from the original tool's layout, one line each. */
  notes: string[];
}

/** A change to one key: its dotted path (indices as numbers) and value. */
export type ConfigChanges = Record<string, unknown>;

/** Keys whose values are secrets: they come from the environment only. */
const SECRET_KEY = /api_?key|secret|password|token|credential/i;

const YAML_OUTPUT = { lineWidth: 0 } as const;

const FIX_HINT =
  'Fix or remove the keys named above, or run `maxrec setup CONFIG` to ' +
  'rewrite the values.';

/**
 * Read, validate and resolve a config file. Throws MaxrecError (exit 3)
 * naming the file and, for each wrong key, its dotted path.
 */
export async function loadConfig(
  configPath: string,
  options: {
    /** A missing file reads as the bundled default, written nowhere. */
    missingAsDefault?: boolean;
  } = {},
): Promise<LoadedConfig> {
  const file = path.resolve(configPath);
  const { document } = await readDocument(file, options.missingAsDefault);
  const config = validate(document.toJS(), file);
  const notes: string[] = [];
  const settings = resolveSettings(config, path.dirname(file), notes);
  return { path: file, config, settings, notes };
}

/**
 * Apply `changes` (dotted path → value; `undefined` removes the key) to the
 * file, keeping comments and key order, and replace it atomically; a
 * missing file starts from the bundled default. The whole result is
 * validated, and then given to `check`, before anything is written: a
 * refused change leaves the file (or its absence) as it was. Keys that look
 * like secrets are refused.
 */
export async function saveConfig(
  configPath: string,
  changes: ConfigChanges,
  options: { check?: (result: LoadedConfig) => void } = {},
): Promise<LoadedConfig> {
  const file = path.resolve(configPath);
  refuseSecrets(changes);
  const { document, exists } = await readDocument(file, true);
  for (const [dotted, value] of Object.entries(changes)) {
    const keys = splitDottedPath(dotted);
    if (value === undefined) {
      document.deleteIn(keys);
    } else {
      ensureParents(document, keys);
      document.setIn(keys, value);
    }
  }
  const config = validate(document.toJS(), file);
  const notes: string[] = [];
  const settings = resolveSettings(config, path.dirname(file), notes);
  const result = { path: file, config, settings, notes };
  options.check?.(result);
  if (!exists) await makeFolder(path.dirname(file));
  await writeAtomically(file, document.toString(YAML_OUTPUT));
  return result;
}

/**
 * Write the bundled default config to `configPath`. Throws MaxrecError
 * (exit 3) when a file is already there, unless `overwrite` is set. A
 * config written outside maxrec's own folder points at maxrec's training
 * code and sample data by absolute path, so that it trains as it is.
 */
export async function writeDefaultConfig(
  configPath: string,
  options: { overwrite?: boolean } = {},
): Promise<void> {
  const file = path.resolve(configPath);
  const exists = await fs.stat(file).then(
    () => true,
    () => false,
  );
  if (exists && !options.overwrite) {
    throw new MaxrecError(
      ExitCode.configuration,
      `Could not write ${file}: the file exists already.`,
      { hint: 'Edit it, or choose another path.' },
    );
  }
  const document = await defaultDocument(file);
  await makeFolder(path.dirname(file));
  await writeAtomically(file, document.toString(YAML_OUTPUT));
}

/**
 * The bundled default config as it would be written to `file`: outside
 * maxrec's own folder, pointing at its training code and sample by
 * absolute path.
 */
async function defaultDocument(file: string): Promise<Document> {
  const root = packageRoot();
  const { document } = await readDocument(path.join(root, CONFIG_FILE_NAME));
  if (path.dirname(file) !== root) {
    document.setIn(
      splitDottedPath(SETTING_KEYS.codeDir),
      path.join(root, 'training_code'),
    );
    document.setIn(
      splitDottedPath(SETTING_KEYS.localDataDir),
      path.join(root, 'sample_training_data'),
    );
  }
  return document;
}

async function makeFolder(folder: string): Promise<void> {
  try {
    await fs.mkdir(folder, { recursive: true });
  } catch (error) {
    throw new MaxrecError(
      ExitCode.configuration,
      `Could not create the folder ${folder}: ${errorText(error)}.`,
      { hint: 'Check that its parent is writable.', cause: error },
    );
  }
}

export type HyperparameterChoices = Partial<Hyperparameters> & {
  dataFile?: string;
  itemTitlesFile?: string;
};

/** The `train.hyperparameters` keys for the editor's values (unset: kept). */
export function hyperparameterChanges(h: HyperparameterChoices): ConfigChanges {
  return definedOnly({
    [SETTING_KEYS.epochs]: h.epochs,
    [SETTING_KEYS.batchSize]: h.batchSize,
    [SETTING_KEYS.factors]: h.factors,
    [SETTING_KEYS.learningRate]: h.learningRate,
    [SETTING_KEYS.delimiter]:
      h.delimiter === undefined ? undefined : typedDelimiter(h.delimiter),
    [SETTING_KEYS.hpo]: h.hpo,
    [SETTING_KEYS.dataFile]: h.dataFile,
    [SETTING_KEYS.itemTitlesFile]: h.itemTitlesFile,
  });
}

/** Write the hyperparameter editor's values to `train.hyperparameters`. */
export function updateHyperparameters(
  configPath: string,
  h: HyperparameterChoices,
): Promise<LoadedConfig> {
  return saveConfig(configPath, hyperparameterChanges(h));
}

/** What the setup step writes; unset fields are left as they are. */
export interface SetupChoices {
  backend?: BackendName;
  dataBucket?: string;
  dataPrefix?: string;
  dataUpload?: DataUpload;
  resultsBucket?: string;
  /** Stored as given: relative paths are relative to the config's folder. */
  localDataDir?: string;
  compute?: string;
  codeDir?: string;
  trainedModelCopyDir?: string;
  localRoot?: string;
  python?: string;
  cosEndpoint?: string;
  wmlUrl?: string;
  spaceId?: string;
  projectId?: string;
  iamUrl?: string;
  cosLocation?: string;
  cosInstance?: string;
  signingRegion?: string;
  softwareSpec?: string;
}

/**
 * Write the setup step's choices, with `alsoChange` (other keys) in the
 * same write. The whole result must be a setup that can train: the data
 * and results buckets differ, or nothing is written.
 */
export function updateSetup(
  configPath: string,
  choices: SetupChoices,
  options: {
    alsoChange?: ConfigChanges;
    /** What to do when the buckets are the same (how to rename one). */
    sameBucketsHint?: string;
  } = {},
): Promise<LoadedConfig> {
  const changes = definedOnly({
    ...options.alsoChange,
    ...setupChanges(choices),
  });
  return saveConfig(configPath, changes, {
    check: ({ settings }) =>
      refuseSameBuckets(settings, options.sameBucketsHint),
  });
}

/** The keys for the setup step's choices (unset: kept). */
export function setupChanges(choices: SetupChoices): ConfigChanges {
  const changes: ConfigChanges = {};
  for (const [name, value] of Object.entries(choices)) {
    changes[SETTING_KEYS[name as keyof SetupChoices]] = value;
  }
  return definedOnly(changes);
}

/**
 * Results never land in the data bucket: a setup naming one bucket for
 * both is refused (exit 3), and nothing is written.
 */
export function refuseSameBuckets(
  settings: Settings,
  hint = 'Give the results bucket another name.',
): void {
  const { dataBucket, resultsBucket } = settings;
  if (!dataBucket || dataBucket !== resultsBucket) return;
  throw new MaxrecError(
    ExitCode.configuration,
    `The data and results buckets are both "${dataBucket}": the results ` +
      'would land among the data. Nothing was written.',
    { hint },
  );
}

function definedOnly(changes: ConfigChanges): ConfigChanges {
  return Object.fromEntries(
    Object.entries(changes).filter(([, value]) => value !== undefined),
  );
}

async function readDocument(
  file: string,
  missingAsDefault = false,
): Promise<{ document: Document; exists: boolean }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const missing = isCode(error, 'ENOENT');
    if (missing && missingAsDefault) {
      return { document: await defaultDocument(file), exists: false };
    }
    throw new MaxrecError(
      ExitCode.configuration,
      missing
        ? `Configuration file ${file} does not exist.`
        : `Could not read configuration file ${file}: ${errorText(error)}.`,
      {
        hint: missing
          ? 'Run `maxrec setup CONFIG` to create it, or check the path.'
          : 'Check that the file is readable.',
        cause: error,
      },
    );
  }
  const document = parseDocument(text, { prettyErrors: true });
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const at = syntaxError.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : '';
    const firstLine = (syntaxError.message.split('\n')[0] ?? '').replace(
      / at line \d+, column \d+:?$/,
      '',
    );
    throw new MaxrecError(
      ExitCode.configuration,
      `Configuration file ${file} is not valid YAML${where}: ${firstLine}`,
      { hint: 'Fix the YAML syntax at that place.', cause: syntaxError },
    );
  }
  return { document, exists: true };
}

function validate(data: unknown, file: string): MaxrecConfig {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new MaxrecError(
      ExitCode.configuration,
      `Configuration file ${file} does not hold a YAML mapping of settings.`,
      {
        hint:
          'Start from the bundled max-recommender-training-config.yaml, or ' +
          'run `maxrec setup CONFIG` with a new file name.',
      },
    );
  }
  const result = configSchema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const lines = result.error.issues.flatMap(describeIssue);
  throw new MaxrecError(
    ExitCode.configuration,
    `Configuration file ${file} has ${lines.length} wrong ` +
      `${lines.length === 1 ? 'setting' : 'settings'}:\n` +
      lines.map((line) => `  ${line}`).join('\n'),
    { hint: FIX_HINT },
  );
}

/**
 * `train.hyperparameters.batch_size: expected a positive integer, got "abc"`;
 * an unknown key is one line each, with the known key it is closest to.
 */
function describeIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(configSchema, issue.path);
    // Its value is never shown: a misplaced key may hold a secret.
    return issue.keys.map((key) => {
      const meant = closestKey(key, known);
      const dotted = [...issue.path, key].map(String).join('.');
      return `${dotted}: unknown key${meant ? `; did you mean ${meant}?` : ''}`;
    });
  }
  return [describeValueIssue(issue)];
}

function describeValueIssue(issue: z.core.$ZodIssue): string {
  const dotted = issue.path.map(String).join('.') || '(top level)';
  const message = issue.message.replace(/^Invalid input: /, '');
  // A custom issue's message names the value already.
  if (issue.code === 'custom') return `${dotted}: ${message}`;
  if (issue.input === undefined || issue.input === null) {
    // zod's own wording ("expected object, received undefined") adds nothing.
    const expected = message.includes('received') ? '' : ` (${message})`;
    return `${dotted}: missing${expected}`;
  }
  return `${dotted}: ${message}, got ${preview(issue.input)}`;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function refuseSecrets(changes: ConfigChanges): void {
  for (const [dotted, value] of Object.entries(changes)) {
    const secretKey = [dotted, ...nestedKeys(value)].find((key) =>
      splitDottedPath(key).some(
        (part) => typeof part === 'string' && SECRET_KEY.test(part),
      ),
    );
    if (secretKey !== undefined) {
      throw new MaxrecError(
        ExitCode.configuration,
        `Refusing to write "${secretKey}" to the configuration file: it looks like a secret.`,
        {
          hint:
            'Secrets come from environment variables (ML_APIKEY, ' +
            'AWS_SECRET_ACCESS_KEY, ...), never from this file.',
        },
      );
    }
  }
}

function nestedKeys(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [
    key,
    ...nestedKeys(inner),
  ]);
}

function splitDottedPath(dotted: string): (string | number)[] {
  return dotted
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * `key:` with no value is a null scalar, which setIn cannot descend into;
 * replace such parents with empty maps first.
 */
function ensureParents(document: Document, keys: (string | number)[]): void {
  for (let depth = 1; depth < keys.length; depth += 1) {
    const parentPath = keys.slice(0, depth);
    const node: unknown = document.getIn(parentPath, true);
    if (node === undefined || isCollection(node)) continue;
    if (isScalar(node) && (node.value === null || node.value === '')) {
      document.setIn(parentPath, document.createNode({}));
    }
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(file, text, { encoding: 'utf8' });
  } catch (error) {
    throw new MaxrecError(
      ExitCode.configuration,
      `Could not save ${file}: ${errorText(error)}. The file was left as it was.`,
      { hint: 'Check that its folder is writable.', cause: error },
    );
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
