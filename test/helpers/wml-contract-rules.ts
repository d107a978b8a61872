/**
 * The request bodies the WML contract server accepts, as
 * shared/docs/backends-notes.md §1 documents them: rule tables checked
 * field by field, so that a client drifting from the contract gets the
 * 400 `invalid_request_entity` the service would send, naming the field.
 */
export type Json = Record<string, unknown>;

export function asObject(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : {};
}

// The documented bodies, field by field: [dotted path, test, what it must be].
export type Rule = [string, (value: unknown) => boolean, string];

const isText = (v: unknown) => typeof v === 'string' && v !== '';
const isObject = (v: unknown) =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const optional = (test: (v: unknown) => boolean) => (v: unknown) =>
  v === undefined || test(v);

export const MODEL_DEFINITION_RULES: Rule[] = [
  ['name', isText, 'a non-empty string'],
  ['version', (v) => v === '1.0', '"1.0"'],
  ['platform.name', (v) => v === 'python', '"python"'],
  [
    'platform.versions',
    (v) => Array.isArray(v) && v.length > 0 && v.every(isText),
    'a non-empty list of version strings',
  ],
  ['command', optional(isText), 'absent or a non-empty string'],
];

const TRAINING_RULES: Rule[] = [
  ['name', isText, 'a non-empty string'],
  [
    'training_data_references',
    (v) => Array.isArray(v) && v.length > 0,
    'a non-empty list',
  ],
  ['results_reference', isObject, 'an object'],
  ['model_definition.id', isText, 'a non-empty string'],
  ['model_definition.command', isText, 'a non-empty string'],
  ['model_definition.hardware_spec.name', isText, 'a non-empty string'],
  [
    'model_definition.hardware_spec.nodes',
    (v) => Number.isInteger(v) && (v as number) > 0,
    'a positive integer',
  ],
  [
    'model_definition.software_spec',
    optional((v) => isText(asObject(v)['name'])),
    'absent or {name}',
  ],
  ['model_definition.parameters', optional(isObject), 'absent or an object'],
];

const REFERENCE_RULES: Rule[] = [
  ['type', (v) => v === 's3', '"s3"'],
  [
    'connection.endpoint_url',
    (v) => typeof v === 'string' && /^https?:\/\/./.test(v),
    'an http(s) URL',
  ],
  [
    'connection',
    (v) => {
      const c = asObject(v);
      const hmac = isText(c['access_key_id']) && isText(c['secret_access_key']);
      return (
        hmac || (isText(c['api_key']) && isText(c['resource_instance_id']))
      );
    },
    'HMAC keys, or an api_key and a resource_instance_id',
  ],
  ['location.bucket', isText, 'a non-empty string'],
  ['location.path', optional(isText), 'absent or a non-empty string'],
];

const TRAINING_FIELDS = new Set([
  'name',
  'description',
  'tags',
  'space_id',
  'training_data_references',
  'results_reference',
  'model_definition',
]);

export function problemIn(
  body: Json,
  rules: Rule[],
  at = '',
): string | undefined {
  for (const [path, test, what] of rules) {
    const value = path
      .split('.')
      .reduce<unknown>((node, key) => asObject(node)[key], body);
    if (!test(value)) return `${at}${path} must be ${what}`;
  }
  return undefined;
}

export function trainingProblem(
  body: Json,
  definitions: ReadonlyMap<string, { code?: Buffer }>,
): string | undefined {
  const extra = Object.keys(body).find((key) => !TRAINING_FIELDS.has(key));
  if (extra) return `unknown field ${extra}`;
  const inputs = body['training_data_references'];
  const references = [
    ...(Array.isArray(inputs) ? inputs : []).map(
      (ref: unknown, i) => [ref, `training_data_references[${i}].`] as const,
    ),
    [body['results_reference'], 'results_reference.'] as const,
  ];
  const problem =
    problemIn(body, TRAINING_RULES) ??
    references
      .map(([ref, at]) => problemIn(asObject(ref), REFERENCE_RULES, at))
      .find(Boolean);
  if (problem) return problem;
  const id = String(asObject(body['model_definition'])['id']);
  const definition = definitions.get(id);
  if (!definition) return `model_definition.id: no definition ${id} here`;
  if (!definition.code) return `model_definition ${id} has no code uploaded`;
  return undefined;
}
