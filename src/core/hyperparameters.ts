/**
 * Checking and stepping hyperparameter values as the user types them. Pure:
 * the editor and the machine share these rules.
 */
import type { Hyperparameters } from './types.js';

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

/** Check a typed value for one field; the value to store, or why not. */
export function checkHyperparameter<F extends HyperparameterField>(
  field: F,
  raw: string,
): Checked<Hyperparameters[F]> {
  const result = checkAny(field, raw);
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
