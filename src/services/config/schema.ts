/**
 * The shape of max-recommender-training-config.yaml. It keeps the original
 * MAX training framework's keys, so files written by the original tool load
 * (framework tensorflow, empty buckets, no `backend`, no
 * `train.hyperparameters`), plus maxrec's `backend` and
 * `train.hyperparameters`. Every object is strict: a key neither tool wrote
 * (a misspelling, most often) is an error naming its dotted path, rather
 * than a setting silently ignored.
 */
import path from 'node:path';
import * as z from 'zod';
import type { BackendName, Hyperparameters } from '../../core/types.js';
import { isSecureUrl } from '../secure-url.js';
import { computeFor, computeProblem } from './compute.js';

const POSITIVE_INT = 'expected a positive integer';
const NON_EMPTY = 'expected a non-empty string';

const positiveInt = z
  .int({ error: POSITIVE_INT })
  .positive({ error: POSITIVE_INT });

const nonEmptyString = z
  .string({ error: NON_EMPTY })
  .trim()
  .min(1, { error: NON_EMPTY });

/** A YAML value that may be left empty (`key:` parses as null). */
const optionalString = z
  .string({ error: 'expected a string' })
  .nullish()
  .transform((value) => value ?? '');

/** `version: 1.15` and `version: "1.15"` both occur in the wild. */
const versionString = z
  .union([z.string(), z.number()], {
    error: 'expected a version such as "3.11"',
  })
  .transform(String);

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** S3 and COS bucket naming rules; empty means "not set yet". */
const bucketName = optionalString.refine(
  (name) =>
    name === '' ||
    (BUCKET_NAME.test(name) &&
      !name.includes('..') &&
      !/^\d+\.\d+\.\d+\.\d+$/.test(name)),
  {
    error:
      'expected a bucket name of 3-63 lowercase letters, digits, dots and hyphens',
  },
);

/** Delimiters train_ncf.py accepts, in the forms a user may type them. */
export const DELIMITERS = [',', '\t', ';', '|', '::', ' '] as const;
const TAB_SPELLINGS = ['\t', '\\t', 'tab', 'TAB', 'Tab'];

/** The delimiter as the characters that separate fields ('\\t' → tab). */
export function delimiterChars(typed: string): string {
  return TAB_SPELLINGS.includes(typed) ? '\t' : typed;
}

/** The delimiter as a user types it and the trainer's flag takes it. */
export function typedDelimiter(chars: string): string {
  return TAB_SPELLINGS.includes(chars) ? '\\t' : chars;
}

/** Whether `typed` is a delimiter the trainer accepts. */
export function isDelimiter(typed: string): boolean {
  return (DELIMITERS as readonly string[]).includes(delimiterChars(typed));
}

const delimiter = z
  .string({ error: 'expected a delimiter' })
  .refine(isDelimiter, {
    error: 'expected one of "," "\\t" ";" "|" "::" " "',
  })
  .transform(typedDelimiter);

const hyperparametersSchema = z.strictObject({
  data_file: optionalString.optional(),
  item_titles_file: optionalString.optional(),
  epochs: positiveInt.default(20),
  batch_size: positiveInt.default(128),
  factors: positiveInt.default(8),
  learning_rate: z
    .number({ error: 'expected a number between 0 and 1' })
    .gt(0, { error: 'expected a number between 0 and 1' })
    .lt(1, { error: 'expected a number between 0 and 1' })
    .default(0.005),
  delimiter: delimiter.default(','),
  hpo: z.boolean({ error: 'expected true or false' }).default(false),
});

const localPath = z.strictObject({ path: nonEmptyString });

/**
 * What `prepare` does with the data bucket, as the original's setup asked:
 * add the local files to it (overwriting same-named ones), replace its
 * contents under the prefix with them, or use what is there as it is.
 */
export const DATA_UPLOADS = ['add', 'replace', 'existing'] as const;
export type DataUpload = (typeof DATA_UPLOADS)[number];

/** A URL credentials are sent to: https, or http to this machine only. */
const httpsUrl = z
  .string({ error: 'expected an https:// URL' })
  .refine(isSecureUrl, {
    error:
      'expected an https:// URL (plain http only to localhost): ' +
      'credentials would travel in the clear',
  });

/** Watson Machine Learning and Cloud Object Storage, for backend ibm. */
const ibmSchema = z.strictObject({
  wml_url: httpsUrl.default('https://us-south.ml.cloud.ibm.com'),
  space_id: optionalString.optional(),
  project_id: optionalString.optional(),
  iam_url: httpsUrl.default('https://iam.cloud.ibm.com'),
  /** Location and storage class of new buckets (us-standard). */
  location: optionalString.optional(),
  /** The COS instance's id or CRN, for signing in with the API key. */
  cos_instance: optionalString.optional(),
  /** SigV4 region: COS takes any; another S3 store may want its own. */
  signing_region: optionalString.optional(),
  software_spec: optionalString.optional(),
});

const backendSchema = z.strictObject({
  name: z
    .enum(['local', 'ibm', 'ray'], { error: 'expected local, ibm or ray' })
    .default('local'),
  local: z
    .strictObject({ root: optionalString.optional(), python: optionalString })
    .nullish(),
  ibm: ibmSchema.nullish(),
});

export const configSchema = z
  .strictObject({
    name: nonEmptyString,
    model_identifier: nonEmptyString,
    description: optionalString.optional(),
    author: z.strictObject({ name: nonEmptyString }).optional(),
    framework: z
      .strictObject({
        name: nonEmptyString,
        version: versionString,
        runtimes: z
          .strictObject({ name: nonEmptyString, version: versionString })
          .optional(),
      })
      .optional(),
    train: z.strictObject({
      model_source: z.strictObject({
        initial_model: z
          .strictObject({
            data_store: optionalString.optional(),
            bucket: bucketName,
            path: optionalString,
          })
          .nullish(),
        initial_model_local: localPath,
      }),
      model_training_results: z.strictObject({
        trained_model: z.strictObject({
          data_store: optionalString.optional(),
          bucket: bucketName,
        }),
        trained_model_local: z.strictObject({ path: optionalString }).nullish(),
      }),
      data_source: z.strictObject({
        training_data: z.strictObject({
          data_store: optionalString.optional(),
          bucket: bucketName,
          path: optionalString,
          upload: z
            .enum(DATA_UPLOADS, { error: 'expected add, replace or existing' })
            .optional(),
        }),
        training_data_local: localPath.nullish(),
      }),
      /** The original's, unused: WML mounted the buckets itself. */
      mount_type: optionalString.optional(),
      execution: z.strictObject({
        command: nonEmptyString,
        compute_configuration: z.strictObject({ name: nonEmptyString }),
      }),
      hyperparameters: hyperparametersSchema.nullish(),
    }),
    process: z
      .array(
        z.strictObject({
          name: optionalString.optional(),
          params: z.strictObject({
            staging_dir: nonEmptyString,
            trained_model_path: nonEmptyString,
          }),
        }),
      )
      .min(1, { error: 'expected one training_process entry' })
      .optional(),
    data_stores: z
      .array(
        z.strictObject({
          name: optionalString.optional(),
          type: optionalString.optional(),
          connection: z.strictObject({
            endpoint: httpsUrl,
          }),
        }),
      )
      .optional(),
    backend: backendSchema.nullish(),
  })
  .superRefine((config, context) => {
    const compute = config.train.execution.compute_configuration.name;
    const backend = config.backend?.name ?? 'local';
    // The original tool's sizes were WML's: local and Ray read them as cpu
    // whether `backend` is written or not (resolvedCompute says so).
    const valid =
      computeFor(backend, compute) ??
      (backend === 'ibm' ? undefined : computeFor('ibm', compute));
    if (!valid) {
      context.addIssue({
        code: 'custom',
        path: ['train', 'execution', 'compute_configuration', 'name'],
        input: compute,
        message: computeProblem(backend, compute),
      });
    }
  });

/** The config file as parsed and validated (defaults not yet applied). */
export type MaxrecConfig = z.output<typeof configSchema>;

/** Hyperparameters as train_ncf.py takes them, plus the files it reads. */
export interface TrainingHyperparameters extends Hyperparameters {
  /** The ratings file relative to the data folder; unset: the first file. */
  dataFile: string | undefined;
  /** Item titles for "try the model", relative to the data folder. */
  itemTitlesFile: string | undefined;
}

/** The values callers need, flat, with paths made absolute. */
export interface Settings {
  backend: BackendName;
  /** Unset until setup names it. */
  dataBucket: string | undefined;
  /** Key prefix of the data inside the data bucket ('' for all). */
  dataPrefix: string;
  dataUpload: DataUpload;
  resultsBucket: string | undefined;
  /** The folder uploaded to the data bucket. */
  localDataDir: string;
  codeDir: string;
  stagingDir: string;
  /** The model folder inside the extracted archive, relative to stagingDir. */
  trainedModelPath: string;
  /** Where the trained model is copied after extraction; unset: no copy. */
  trainedModelCopyDir: string | undefined;
  compute: string;
  command: string;
  hyperparameters: TrainingHyperparameters;
  /** The local backend's buckets and runs; unset: the platform data dir. */
  localRoot: string | undefined;
  /** The Python that runs local training; unset: found or created. */
  python: string | undefined;
  /** The COS endpoint of the first data store, for the ibm backend. */
  cosEndpoint: string | undefined;
  ibm: IbmSettings;
  name: string;
  modelIdentifier: string;
}

/** backend.ibm, with defaults applied; '' is "not set". */
export interface IbmSettings {
  wmlUrl: string;
  spaceId: string;
  projectId: string;
  iamUrl: string;
  location: string;
  cosInstance: string;
  signingRegion: string;
  softwareSpec: string;
}

const DEFAULTS = hyperparametersSchema.parse({});
const IBM_DEFAULTS = ibmSchema.parse({});

/** The original tool's model folder; maxrec's archive holds trained_model/. */
const ORIGINAL_MODEL_PATH = /^trained_model\/tensorflow\b/;

/**
 * Flatten a validated config into the values callers use. Relative paths
 * are resolved against `configDir`, the folder holding the config file.
 * `notes` receives one line per value that was adapted from the original.
 */
export function resolveSettings(
  config: MaxrecConfig,
  configDir: string,
  notes: string[] = [],
): Settings {
  const { train } = config;
  const absolute = (p: string): string => path.resolve(configDir, p);
  const optionalAbsolute = (p: string | undefined): string | undefined =>
    p ? absolute(p) : undefined;
  const h = train.hyperparameters ?? DEFAULTS;
  const params = config.process?.[0]?.params;
  let trainedModelPath = params?.trained_model_path ?? 'trained_model/';
  if (ORIGINAL_MODEL_PATH.test(trainedModelPath)) {
    notes.push(
      `process.0.params.trained_model_path: "${trainedModelPath}" is the ` +
        'original TensorFlow layout; using "trained_model/" instead.',
    );
    trainedModelPath = 'trained_model/';
  }
  return {
    backend: config.backend?.name ?? 'local',
    dataBucket: train.data_source.training_data.bucket || undefined,
    dataPrefix: train.data_source.training_data.path,
    dataUpload: train.data_source.training_data.upload ?? 'add',
    resultsBucket:
      train.model_training_results.trained_model.bucket || undefined,
    localDataDir: absolute(
      train.data_source.training_data_local?.path ?? 'sample_training_data/',
    ),
    codeDir: absolute(train.model_source.initial_model_local.path),
    stagingDir: absolute(params?.staging_dir ?? 'training_output/'),
    trainedModelPath,
    trainedModelCopyDir: optionalAbsolute(
      train.model_training_results.trained_model_local?.path,
    ),
    compute: resolvedCompute(config, notes),
    command: train.execution.command,
    hyperparameters: {
      epochs: h.epochs,
      batchSize: h.batch_size,
      factors: h.factors,
      learningRate: h.learning_rate,
      delimiter: h.delimiter,
      hpo: h.hpo,
      dataFile: h.data_file || undefined,
      itemTitlesFile: h.item_titles_file || undefined,
    },
    localRoot: optionalAbsolute(config.backend?.local?.root),
    python: optionalAbsolute(config.backend?.local?.python),
    cosEndpoint: config.data_stores?.[0]?.connection.endpoint,
    ibm: ibmSettings(config.backend?.ibm ?? IBM_DEFAULTS),
    name: config.name,
    modelIdentifier: config.model_identifier,
  };
}

/**
 * The compute size as the backend takes it: on local and Ray 'gpu' is
 * 'cuda'; a WML size (k80, v100...: the original tool's) trains on cpu
 * there, since nothing says the machine has such a GPU.
 */
function resolvedCompute(config: MaxrecConfig, notes: string[]): string {
  const compute = config.train.execution.compute_configuration.name;
  const backend = config.backend?.name ?? 'local';
  const size = computeFor(backend, compute);
  if (size !== undefined && size === compute) return size;
  const key = 'train.execution.compute_configuration.name';
  if (size !== undefined) {
    notes.push(
      `${key}: "${compute}" is read as "${size}" on the ${backend} backend.`,
    );
    return size;
  }
  notes.push(
    `${key}: "${compute}" is read as "cpu" on the ${backend} backend: it is ` +
      "a WML hardware size (the original tool's), and this backend takes " +
      "cpu or cuda (the trainer's --device); write one of those to choose.",
  );
  return 'cpu';
}

function ibmSettings(ibm: z.output<typeof ibmSchema>): IbmSettings {
  return {
    wmlUrl: ibm.wml_url.replace(/\/+$/, ''),
    spaceId: ibm.space_id ?? '',
    projectId: ibm.project_id ?? '',
    iamUrl: ibm.iam_url.replace(/\/+$/, ''),
    location: ibm.location ?? '',
    cosInstance: ibm.cos_instance ?? '',
    signingRegion: ibm.signing_region ?? '',
    softwareSpec: ibm.software_spec ?? '',
  };
}

/** Dotted config keys of the values `Settings` is built from. */
export const SETTING_KEYS = {
  backend: 'backend.name',
  dataBucket: 'train.data_source.training_data.bucket',
  dataPrefix: 'train.data_source.training_data.path',
  dataUpload: 'train.data_source.training_data.upload',
  resultsBucket: 'train.model_training_results.trained_model.bucket',
  localDataDir: 'train.data_source.training_data_local.path',
  codeDir: 'train.model_source.initial_model_local.path',
  trainedModelCopyDir: 'train.model_training_results.trained_model_local.path',
  compute: 'train.execution.compute_configuration.name',
  command: 'train.execution.command',
  localRoot: 'backend.local.root',
  python: 'backend.local.python',
  cosEndpoint: 'data_stores.0.connection.endpoint',
  wmlUrl: 'backend.ibm.wml_url',
  spaceId: 'backend.ibm.space_id',
  projectId: 'backend.ibm.project_id',
  iamUrl: 'backend.ibm.iam_url',
  cosLocation: 'backend.ibm.location',
  cosInstance: 'backend.ibm.cos_instance',
  signingRegion: 'backend.ibm.signing_region',
  softwareSpec: 'backend.ibm.software_spec',
  epochs: 'train.hyperparameters.epochs',
  batchSize: 'train.hyperparameters.batch_size',
  factors: 'train.hyperparameters.factors',
  learningRate: 'train.hyperparameters.learning_rate',
  delimiter: 'train.hyperparameters.delimiter',
  hpo: 'train.hyperparameters.hpo',
  dataFile: 'train.hyperparameters.data_file',
  itemTitlesFile: 'train.hyperparameters.item_titles_file',
} as const;
