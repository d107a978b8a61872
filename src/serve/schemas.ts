/**
 * JSON schemas of the REST API: fastify validates requests with them,
 * serialises responses with them, and @fastify/swagger documents them.
 * Property names follow the original MAX service (snake_case).
 */

/** Limits a client can hit; the messages of 400 answers name them. */
export interface ApiLimits {
  maxResults: number;
  maxBatchUsers: number;
  /** Users times num_results: what one batch answer may hold. */
  maxBatchPredictions: number;
}

const userId = {
  type: 'string',
  minLength: 1,
  description: 'User ID to generate recommendations for',
} as const;

const numResults = (limits: ApiLimits) =>
  ({
    type: 'integer',
    minimum: 1,
    maximum: limits.maxResults,
    default: 5,
    description: 'Number of items to return',
  }) as const;

/**
 * exclude_seen is off by default: the original service had no such option
 * and returned every item. `maxrec recommend` leaves them out unless --all.
 */
export const EXCLUDE_SEEN_DEFAULT = false;

const excludeSeen = {
  type: 'boolean',
  default: EXCLUDE_SEEN_DEFAULT,
  description:
    'Leave out the items the user has in the training data. Off by ' +
    'default, as the original service answered (unlike `maxrec recommend`, ' +
    'which leaves them out unless --all)',
} as const;

/** The predict endpoints' note on exclude_seen, for their descriptions. */
export const EXCLUDE_SEEN_NOTE =
  'Items the user already has in the training data are included unless ' +
  'exclude_seen is true, as the original service answered; `maxrec ' +
  'recommend` leaves them out by default instead.';

const prediction = {
  type: 'object',
  required: ['user', 'item', 'prediction'],
  properties: {
    user: { type: 'string', description: 'User ID' },
    item: { type: 'string', description: 'Item ID' },
    prediction: { type: 'number', description: 'Predicted score' },
    title: { type: 'string', description: 'Item title, when known' },
  },
} as const;

const predictions = {
  type: 'array',
  items: prediction,
  description: 'Recommended items and scores, best first',
} as const;

export const errorResponse = {
  type: 'object',
  required: ['status', 'message'],
  properties: {
    status: { type: 'string', enum: ['error'] },
    message: { type: 'string' },
  },
} as const;

/**
 * POST /model/predict. The fields may come as query parameters (as the
 * original's clients send them), form fields or a JSON body; a hook merges
 * the query into the body before the body schema checks the whole.
 */
export function predictSchema(limits: ApiLimits) {
  const properties = {
    user_id: userId,
    num_results: numResults(limits),
    exclude_seen: excludeSeen,
  };
  return {
    summary: "A user's top items, best first",
    tags: ['model'],
    querystring: { type: 'object', properties },
    body: { type: 'object', required: ['user_id'], properties },
    response: {
      200: {
        type: 'object',
        required: ['status', 'predictions'],
        properties: { status: { type: 'string' }, predictions },
      },
      400: errorResponse,
    },
  } as const;
}

/**
 * How the OpenAPI document shows POST /model/predict: as the original did,
 * with query parameters and no body, so Swagger UI's "Try it out" sends no
 * placeholder body that would override them.
 */
export function predictDocs(limits: ApiLimits) {
  const { body, querystring, ...rest } = predictSchema(limits);
  return {
    ...rest,
    description:
      'The fields may also be sent as form fields or as a JSON body ' +
      `(which wins over the query). ${EXCLUDE_SEEN_NOTE}`,
    querystring: { ...querystring, required: body.required },
  };
}

/** POST /model/predict/batch: a JSON body with many users. */
export function batchSchema(limits: ApiLimits) {
  return {
    summary: 'Top items for many users in one request',
    description:
      'Each user is answered on its own: an unknown user gets an error ' +
      `entry, the others their predictions. ${EXCLUDE_SEEN_NOTE}`,
    tags: ['model'],
    body: {
      type: 'object',
      required: ['user_ids'],
      properties: {
        user_ids: {
          type: 'array',
          items: userId,
          minItems: 1,
          maxItems: limits.maxBatchUsers,
        },
        num_results: numResults(limits),
        exclude_seen: excludeSeen,
      },
    },
    response: {
      200: {
        type: 'object',
        required: ['status', 'results'],
        properties: {
          status: { type: 'string' },
          results: {
            type: 'array',
            items: {
              type: 'object',
              required: ['user', 'status'],
              properties: {
                user: { type: 'string' },
                status: { type: 'string', enum: ['ok', 'error'] },
                predictions,
                message: { type: 'string' },
              },
            },
          },
        },
      },
      400: errorResponse,
    },
  } as const;
}

export const metadataSchema = {
  summary: 'What the served model is, with its parameters and metrics',
  tags: ['model'],
  response: {
    200: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        description: { type: 'string' },
        type: { type: 'string' },
        source: { type: 'string' },
        license: { type: 'string' },
        users: { type: 'integer' },
        items: { type: 'integer' },
        exclude_seen_available: {
          type: 'boolean',
          description:
            'Whether predict can leave out the items a user already has ' +
            '(exclude_seen=true): the model folder has seen_items.bin',
        },
        exclude_seen_default: {
          type: 'boolean',
          description:
            'What predict does when exclude_seen is not sent: false, the ' +
            "user's items are included, as the original service answered",
        },
        parameters: { type: 'object', additionalProperties: true },
        metrics: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

export const healthSchema = {
  summary: 'Whether the service is up and its model loaded',
  tags: ['service'],
  response: {
    200: {
      type: 'object',
      properties: {
        status: { type: 'string' },
        users: { type: 'integer' },
        items: { type: 'integer' },
        uptime_seconds: { type: 'number' },
      },
    },
  },
} as const;
