/**
 * The endpoints of `maxrec serve`: the original MAX service's
 * /model/predict and /model/metadata, plus a batch and a health endpoint.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MaxrecError } from '../core/errors.js';
import type { Recommendation } from '../core/types.js';
import type { ServedModel } from './model-folder.js';
import {
  EXCLUDE_SEEN_DEFAULT,
  batchSchema,
  healthSchema,
  metadataSchema,
  predictDocs,
  predictSchema,
  type ApiLimits,
} from './schemas.js';

/** Shown by GET /model/metadata, as the original's config.py had it. */
const MODEL_META_DATA = {
  id: 'ncf',
  name: 'MAX Recommender',
  description:
    'Generate personalized recommendations: a Neural Collaborative ' +
    'Filtering (NeuMF) model trained with maxrec on your own ratings',
  type: 'recommendation',
  source: 'https://developer.ibm.com/exchanges/models/all/max-recommender/',
  license: 'Apache V2',
};

interface PredictInput {
  user_id: string;
  num_results: number;
  exclude_seen: boolean;
}

interface BatchInput {
  user_ids: string[];
  num_results: number;
  exclude_seen: boolean;
}

/** A 400 answer: the error handler turns it into {status, message}. */
export class BadRequest extends Error {
  readonly statusCode = 400;
}

export function registerRoutes(
  app: FastifyInstance,
  model: ServedModel,
  limits: ApiLimits,
): void {
  const { recommender } = model;
  const startedAt = Date.now();

  const predict = async (user: string, input: Omit<PredictInput, 'user_id'>) =>
    toPredictions(
      user,
      await recommender.recommend(user, input.num_results, {
        excludeSeen: input.exclude_seen,
      }),
    );

  const checkExcludeSeen = (excludeSeen: boolean) => {
    if (excludeSeen && !recommender.canExcludeSeen) {
      throw new BadRequest(
        'exclude_seen is not available: this model was trained without ' +
          'seen_items.bin (retrain with the current trainer to get it)',
      );
    }
  };

  app.post('/model/predict', {
    schema: predictSchema(limits),
    config: {
      swaggerTransform: ({ url }) => ({ url, schema: predictDocs(limits) }),
    },
    preValidation: mergeQueryIntoBody,
    handler: async (request) => {
      const input = request.body as PredictInput;
      if (!recommender.hasUser(input.user_id)) {
        throw new BadRequest(unknownUser(input.user_id));
      }
      checkExcludeSeen(input.exclude_seen);
      return { status: 'ok', predictions: await predict(input.user_id, input) };
    },
  });

  app.post('/model/predict/batch', {
    schema: batchSchema(limits),
    handler: async (request) => {
      const input = request.body as BatchInput;
      checkExcludeSeen(input.exclude_seen);
      const asked = input.user_ids.length * input.num_results;
      if (asked > limits.maxBatchPredictions) {
        // One answer is built and sent whole: a bound on it keeps the
        // service's memory and the other requests' latency in check.
        throw new BadRequest(
          `this batch asks for ${asked} predictions (${input.user_ids.length} ` +
            `users x num_results ${input.num_results}); at most ` +
            `${limits.maxBatchPredictions} a request: send fewer users or a ` +
            'smaller num_results',
        );
      }
      const known = input.user_ids.filter((user) => recommender.hasUser(user));
      // A few users per model run, the runs one after another: other
      // requests get their turn in between.
      const ranked = await recommender.recommendMany(known, input.num_results, {
        excludeSeen: input.exclude_seen,
      });
      let next = 0;
      const results = input.user_ids.map((user) =>
        recommender.hasUser(user)
          ? {
              user,
              status: 'ok',
              predictions: toPredictions(user, ranked[next++] ?? []),
            }
          : { user, status: 'error', message: unknownUser(user) },
      );
      return { status: 'ok', results };
    },
  });

  app.get('/model/metadata', { schema: metadataSchema }, async () => ({
    ...MODEL_META_DATA,
    ...recommender.size,
    exclude_seen_available: recommender.canExcludeSeen,
    exclude_seen_default: EXCLUDE_SEEN_DEFAULT,
    parameters: model.parameters,
    metrics: model.metrics,
  }));

  app.get('/health', { schema: healthSchema }, async () => ({
    status: 'ok',
    ...recommender.size,
    uptime_seconds: (Date.now() - startedAt) / 1000,
  }));
}

function toPredictions(user: string, recommendations: Recommendation[]) {
  return recommendations.map(({ item, score, title }) =>
    title === undefined
      ? { user, item, prediction: score }
      : { user, item, prediction: score, title },
  );
}

function unknownUser(user: string): string {
  return `unknown user_id "${user}": the model was not trained on this user`;
}

/**
 * The original read its fields from the query string or form; this takes
 * them from the query, a form or a JSON body, the body winning. A body
 * that is not an object is left alone, so the schema refuses it.
 */
async function mergeQueryIntoBody(request: FastifyRequest): Promise<void> {
  const query = request.query as Record<string, unknown>;
  const body = request.body;
  if (body === undefined || body === null) {
    request.body = { ...query };
  } else if (typeof body === 'object' && !Array.isArray(body)) {
    request.body = { ...query, ...(body as Record<string, unknown>) };
  }
}

/** Whether an error is a user's bad request rather than a fault here. */
export function isBadRequest(error: unknown): boolean {
  // The Recommender's own refusals (unknown user, bad count) are exit 1.
  return (
    error instanceof BadRequest ||
    (error instanceof MaxrecError && error.exitCode === 1)
  );
}
