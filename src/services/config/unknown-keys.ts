/**
 * The keys a config object may hold, read from the schema's strict
 * objects, and the nearest of them to a misspelt one.
 */
import type { z } from 'zod';

/** The parts of a zod definition that lead to the schema inside. */
interface Definition {
  type: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  element?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
}

function definitionOf(schema: z.core.$ZodType): Definition {
  return schema._zod.def as Definition;
}

/** Past optional, nullable, default and transform wrappers. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const definition = definitionOf(current);
    const inner =
      definition.innerType ??
      (definition.type === 'pipe' ? definition.in : undefined);
    if (!inner) return current;
    current = inner;
  }
}

/** The keys of the object `schema` holds at `keys` ([] when none). */
export function knownKeysAt(
  schema: z.core.$ZodType,
  keys: readonly PropertyKey[],
): string[] {
  let current: z.core.$ZodType | undefined = unwrap(schema);
  for (const key of keys) {
    const definition = definitionOf(current);
    current =
      definition.type === 'array'
        ? definition.element
        : definition.shape?.[String(key)];
    if (!current) return [];
    current = unwrap(current);
  }
  return Object.keys(definitionOf(current).shape ?? {});
}

/** The known key `typed` most likely meant, if one is close enough. */
export function closestKey(
  typed: string,
  known: readonly string[],
): string | undefined {
  const wanted = typed.toLowerCase();
  // Two edits, or one in a short key: `epocs`, `batchsize`, `Epochs`.
  const allowed = wanted.length <= 4 ? 1 : 2;
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(wanted, key.toLowerCase());
    if (distance <= allowed && (!best || distance < best.distance)) {
      best = { key, distance };
    }
  }
  return best?.key;
}

/** Levenshtein distance, `_` and `-` counted as the same. */
function editDistance(a: string, b: string): number {
  const x = a.replaceAll('-', '_');
  const y = b.replaceAll('-', '_');
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= y.length; j += 1) {
      const substitution = previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1);
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, substitution));
    }
    previous = row;
  }
  return previous[y.length]!;
}
