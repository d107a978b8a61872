/**
 * The REST service of `maxrec serve`: fastify around one loaded
 * Recommender, answering the original MAX Recommender's requests.
 */
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { ExitCode, MaxrecError } from '../core/errors.js';
import { debugLog } from '../services/debug-log.js';
import { loadServedModel } from './model-folder.js';
import { isBadRequest, registerRoutes } from './routes.js';
import { EXCLUDE_SEEN_NOTE } from './schemas.js';

export interface ServerOptions {
  /** The trained_model folder: model.onnx, users.json, items.json... */
  modelDir: string;
  /** Item ids and titles in a delimited file (movies.csv, u.item...). */
  titlesFile?: string;
  /** One line per request to `requestLog`; off by default. */
  logRequests?: boolean;
  /** Where request lines go; the debug log by default. */
  requestLog?: (line: string) => void;
  /** Most items one prediction may ask for (num_results). */
  maxResults?: number;
  /** Most users in one batch request. */
  maxBatchUsers?: number;
  /** Users times num_results in one batch request (default 10,000). */
  maxBatchPredictions?: number;
  /**
   * ONNX Runtime threads per model run (default 1: on 2 cores a second
   * thread per run slows every request, as they compete with fastify).
   */
  threads?: number;
  /** Memory for recent users' scores, in MiB (default 64; 0: none). */
  scoreCacheMiB?: number;
  /**
   * How long close() lets responses in flight finish before dropping their
   * connections, in ms (default 10 s): a client that stops reading a large
   * response must not hold the service open for ever.
   */
  closeGraceMs?: number;
}

export interface StartOptions extends ServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Close on SIGTERM and SIGINT (default true). */
  handleSignals?: boolean;
  /** Called when the server closes: no request is left unanswered. */
  onClose?: () => void;
}

/** Swagger UI lives here; GET / redirects to it, as the original had it at /. */
export const DOCS_PATH = '/docs';

/**
 * A fastify instance with every route, not yet listening. Throws a
 * MaxrecError with exit 3 when the model folder is missing or broken.
 */
export async function createServer(
  options: ServerOptions,
): Promise<FastifyInstance> {
  const model = await loadServedModel(options.modelDir, {
    titlesFile: options.titlesFile,
    threads: options.threads ?? 1,
    scoreCacheBytes: (options.scoreCacheMiB ?? 64) * 2 ** 20,
  });
  // fastify's validator coerces types: form fields and query parameters
  // are strings, and a JSON user_id of 1 is the user "1".
  const app = Fastify({ logger: false });
  const methodsOf = recordRouteMethods(app);
  // Waits for model runs in flight: a client that hangs up mid-request
  // closes its connection, but not its run.
  app.addHook('onClose', async () => model.recommender.close());
  app.addHook('preClose', async () => {
    setTimeout(
      () => app.server.closeAllConnections(),
      options.closeGraceMs ?? 10_000,
    ).unref();
  });

  if (options.logRequests) {
    const log = options.requestLog ?? ((line: string) => debugLog(line));
    app.addHook('onResponse', async (request, reply) => {
      log(
        `${request.method} ${request.url} ${reply.statusCode} ` +
          `${reply.elapsedTime.toFixed(1)}ms`,
      );
    });
  }

  acceptEmptyJsonBodies(app);
  await app.register(formbody);
  // The original's Flask parser took multipart form fields too (curl -F).
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { files: 0, fields: 16, fieldSize: 4096 },
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'MAX Recommender (maxrec serve)',
        description: `Generate personalized recommendations. ${EXCLUDE_SEEN_NOTE}`,
        version: '1.0.0',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PATH });

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (error.validation || isBadRequest(error) || status === 415) {
      return reply
        .code(400)
        .send({ status: 'error', message: describe(error) });
    }
    if (status < 500) {
      return reply
        .code(status)
        .send({ status: 'error', message: error.message });
    }
    debugLog('serve: request failed:', error);
    return reply
      .code(500)
      .send({ status: 'error', message: 'internal error; see the debug log' });
  });
  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?')[0] ?? '';
    const allowed = methodsOf.get(pathname);
    if (allowed) {
      // A route of this path, asked with another method: 405, as HTTP has it.
      const allow = [...allowed].join(', ');
      return reply
        .code(405)
        .header('allow', allow)
        .send({
          status: 'error',
          message: `${pathname} does not take ${request.method}; send ${allow} (see ${DOCS_PATH})`,
        });
    }
    return reply.code(404).send({
      status: 'error',
      message: `no ${request.method} ${pathname} here; see ${DOCS_PATH}`,
    });
  });

  registerRoutes(app, model, {
    maxResults: options.maxResults ?? 1000,
    maxBatchUsers: options.maxBatchUsers ?? 100,
    maxBatchPredictions: options.maxBatchPredictions ?? 10_000,
  });
  app.get('/', { schema: { hide: true } }, (_request, reply) =>
    reply.redirect(`${DOCS_PATH}/`),
  );
  app.get('/swagger.json', { schema: { hide: true } }, () => app.swagger());
  return app;
}

/**
 * The methods of each fixed path as routes are added (HEAD with GET), so
 * that a wrong method on a known path can say which ones it takes.
 */
function recordRouteMethods(app: FastifyInstance): Map<string, Set<string>> {
  const methodsOf = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    if (route.url.includes('*') || route.url.includes(':')) return;
    const methods = methodsOf.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    methodsOf.set(route.url, methods);
  });
  return methodsOf;
}

/**
 * createServer, then listen. Resolves once listening; SIGTERM or SIGINT
 * closes it, letting requests in flight finish (fastify's close).
 */
export async function startServer(
  options: StartOptions,
): Promise<FastifyInstance> {
  const app = await createServer(options);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 5000;
  const close = (signal: NodeJS.Signals) => {
    debugLog(`serve: ${signal}, closing`);
    void app.close();
  };
  const handleSignals = options.handleSignals ?? true;
  app.addHook('onClose', async () => {
    process.off('SIGTERM', close);
    process.off('SIGINT', close);
    options.onClose?.();
  });
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close();
    throw listenError(host, port, error);
  }
  if (handleSignals) {
    process.once('SIGTERM', close);
    process.once('SIGINT', close);
  }
  return app;
}

/** Why listening failed, as the flag to change: --host or --port. */
function listenError(host: string, port: number, error: unknown): MaxrecError {
  const code = (error as NodeJS.ErrnoException).code;
  const message = `Cannot listen on ${host}:${port}: ${(error as Error).message}`;
  if (
    code === 'EADDRNOTAVAIL' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN'
  ) {
    return new MaxrecError(ExitCode.invocation, message, {
      hint:
        `${host} is not an address of this machine: pass --host 127.0.0.1 ` +
        '(this machine only) or --host 0.0.0.0 (every interface).',
      cause: error,
    });
  }
  return new MaxrecError(ExitCode.environment, message, {
    hint:
      code === 'EACCES'
        ? 'Ports below 1024 need privileges: pick another with --port.'
        : 'Pick another port with --port, or stop what uses it.',
    cause: error,
  });
}

/**
 * The original's clients send query parameters with no body, but some
 * tools add `Content-Type: application/json` anyway: an empty body then
 * counts as none instead of a 400.
 */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    (request, body, done) => {
      const text = body.toString();
      if (text.trim() === '') return done(null, undefined);
      parseJson(request, text, done);
    },
  );
}

/** A 400's message: the field and what is wrong with it. */
function describe(error: FastifyError): string {
  const problem = error.validation?.[0];
  if (!problem) {
    return error.statusCode === 415
      ? `${error.message}; send query parameters, form fields or a JSON body`
      : error.message;
  }
  const params = problem.params as Record<string, unknown>;
  if (problem.keyword === 'required') {
    return `${String(params['missingProperty'])} is required`;
  }
  const field = problem.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (field) return `${field} ${problem.message ?? 'is not valid'}`;
  return problem.keyword === 'type'
    ? 'the request body must be a JSON object or form fields'
    : `the request body ${problem.message ?? 'is not valid'}`;
}
