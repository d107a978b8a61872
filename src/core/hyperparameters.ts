/**
 * Checking and stepping hyperparameter values as the user types them. Pure:
 * the editor and the machine share these rules.
 */
import type { DataInspection, Hyperparameters } from './types.js';

export type HyperparameterField = keyof Hyperparameters;

export const HYPERPARAMETER_FIELDS: readonly HyperparameterField[] = [
  'epochs',
  'batchSize',
  'factors',
  'learningRate',
  'delimiter',
  'hpo',
];

/** The delimiters train_ncf.py accepts, as typed in the config. */
export const DELIMITERS: readonly string[] = [',', '\\t', ';', '|', '::', ' '];

/**
 * A delimiter as the inspection found it in a file (a real tab) in the
 * form the config and the trainer's `--delimiter` take ('\\t'); null for
 * one the trainer does not know.
 */
export function delimiterAsTyped(found: string): string | null {
  const typed = found === '\t' ? '\\t' : found;
  return DELIMITERS.includes(typed) ? typed : null;
}

/** A delimiter in words: tab, space, or the character(s) quoted. */
export function delimiterName(delimiter: string): string {
  if (delimiter === '\t' || delimiter === '\\t') return 'tab';
  return delimiter === ' ' ? 'space' : `'${delimiter}'`;
}

/** The file's name without its folder, as messages name it. */
function fileName(file: string): string {
  return file.split(/[\\/]/).pop() || file;
}

/** "ratings.csv is '|'-separated": what the inspection found, in words. */
export function inspectedSeparation(
  inspection: Pick<DataInspection, 'delimiter' | 'file'>,
): string {
  return (
    `${fileName(inspection.file)} is ` +
    `${delimiterName(inspection.delimiter)}-separated`
  );
}

/**
 * The delimiter the inspection found in the ratings file, as typed; null
 * before an inspection (or for one the trainer does not know). Training
 * must split the file as the inspection and its preview did, so the
 * editor shows this one fixed.
 */
export function inspectedDelimiter(
  inspection: Pick<DataInspection, 'delimiter'> | null | undefined,
): string | null {
  return inspection ? delimiterAsTyped(inspection.delimiter) : null;
}

/**
 * Why `delimiter` (as typed) cannot train on the inspected file: it is not
 * the one the file uses. Undefined when it is, or nothing was inspected.
 */
export function delimiterConflict(
  delimiter: string,
  inspection: Pick<DataInspection, 'delimiter' | 'file'> | null | undefined,
): string | undefined {
  const found = inspectedDelimiter(inspection);
  if (!inspection || found === null || found === delimiter) return undefined;
  return (
    `${inspectedSeparation(inspection)}, ` +
    `not ${delimiterName(delimiter)}: keep ${delimiterName(found)}, or ` +
    'go back (Esc) and choose another file'
  );
}

/**
 * The note for the inspection when the config's delimiter is not the one
 * the file uses: the inspection has read the file, so its delimiter wins.
 */
export function configDelimiterNote(
  configured: string,
  inspection: Pick<DataInspection, 'delimiter' | 'file'>,
): string | undefined {
  const found = inspectedDelimiter(inspection);
  if (found === null || found === configured) return undefined;
  return (
    `The config's delimiter ${delimiterName(configured)} does not match ` +
    `${fileName(inspection.file)}, which is ${delimiterName(found)}-separated: ` +
    `training with ${delimiterName(found)} (set ` +
    `train.hyperparameters.delimiter: '${found}' to match).`
  );
}

export type Checked<T> =
  { ok: true; value: T } | { ok: false; message: string };

function integerIn(
  raw: string,
  name: string,
  min: number,
  max: number,
): Checked<number> {
  const text = raw.trim();
  if (!/^\d+$/.test(text)) {
    return { ok: false, message: `${name} must be a whole number` };
  }
  const value = Number(text);
  if (value < min || value > max) {
    return { ok: false, message: `${name} must be between ${min} and ${max}` };
  }
  return { ok: true, value };
}

/**
 * Check a typed value for one field; the value to store, or why not. With
 * the inspection, a delimiter other than the file's is refused.
 */
export function checkHyperparameter<F extends HyperparameterField>(
  field: F,
  raw: string,
  inspection?: Pick<DataInspection, 'delimiter' | 'file'> | null,
): Checked<Hyperparameters[F]> {
  const result = checkAny(field, raw);
  const conflict =
    field === 'delimiter' && result.ok
      ? delimiterConflict(raw, inspection)
      : undefined;
  if (conflict) return { ok: false, message: conflict };
  return result as Checked<Hyperparameters[F]>;
}

function checkAny(
  field: HyperparameterField,
  raw: string,
): Checked<number | string | boolean> {
  switch (field) {
    case 'epochs':
      return integerIn(raw, 'Epochs', 1, 1000);
    case 'batchSize':
      return integerIn(raw, 'Batch size', 1, 65536);
    case 'factors':
      return integerIn(raw, 'Factors', 1, 1024);
    case 'learningRate': {
      const text = raw.trim();
      const value = Number(text);
      if (text === '' || !Number.isFinite(value)) {
        return { ok: false, message: 'Learning rate must be a number' };
      }
      if (value <= 0 || value > 1) {
        return {
          ok: false,
          message: 'Learning rate must be above 0 and at most 1',
        };
      }
      return { ok: true, value };
    }
    case 'delimiter':
      return DELIMITERS.includes(raw)
        ? { ok: true, value: raw }
        : {
            ok: false,
            message: `Delimiter must be one of ${DELIMITERS.join(' ')}`,
          };
    case 'hpo':
      if (raw === 'true' || raw === 'on') return { ok: true, value: true };
      if (raw === 'false' || raw === 'off') return { ok: true, value: false };
      return { ok: false, message: 'HPO is on or off' };
  }
}

/** Round away float noise so that 0.1 + 0.2 shows as 0.3. */
function tidy(value: number): number {
  return Number(value.toPrecision(6));
}

/**
 * The next value of a field one step up or down, by a step that suits it:
 * epochs by 1, batch size doubling, factors by 1 (×2 above 16), the
 * learning rate on a 1-2-5 scale, the delimiter through its choices, HPO
 * toggled. Never leaves the valid range.
 */
export function stepHyperparameter(
  values: Hyperparameters,
  field: HyperparameterField,
  direction: 1 | -1,
): Hyperparameters {
  const up = direction === 1;
  switch (field) {
    case 'epochs':
      return { ...values, epochs: clamp(values.epochs + direction, 1, 1000) };
    case 'batchSize': {
      const next = up ? values.batchSize * 2 : Math.floor(values.batchSize / 2);
      return { ...values, batchSize: clamp(next, 1, 65536) };
    }
    case 'factors': {
      const f = values.factors;
      const next = up ? (f >= 16 ? f * 2 : f + 1) : f > 16 ? f / 2 : f - 1;
      return { ...values, factors: clamp(Math.round(next), 1, 1024) };
    }
    case 'learningRate':
      return {
        ...values,
        learningRate: stepOneTwoFive(values.learningRate, up),
      };
    case 'delimiter': {
      const at = Math.max(0, DELIMITERS.indexOf(values.delimiter));
      const next = (at + direction + DELIMITERS.length) % DELIMITERS.length;
      return { ...values, delimiter: DELIMITERS[next] ?? ',' };
    }
    case 'hpo':
      return { ...values, hpo: !values.hpo };
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** 1e-3 → 2e-3 → 5e-3 → 1e-2 ...; values off the scale snap onto it. */
function stepOneTwoFive(value: number, up: boolean): number {
  const scale: number[] = [];
  for (let exponent = -6; exponent <= 0; exponent++) {
    for (const mantissa of [1, 2, 5])
      scale.push(tidy(mantissa * 10 ** exponent));
  }
  const allowed = scale.filter((v) => v <= 1);
  const next = up
    ? allowed.find((v) => v > value * (1 + 1e-9))
    : [...allowed].reverse().find((v) => v < value * (1 - 1e-9));
  return next ?? value;
}

/** The text a field shows in the editor. */
export function formatHyperparameter(
  values: Hyperparameters,
  field: HyperparameterField,
): string {
  const value = values[field];
  if (field === 'hpo') return value ? 'on' : 'off';
  if (field === 'learningRate') return String(tidy(value as number));
  return String(value);
}
