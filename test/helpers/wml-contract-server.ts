/**
 * IBM Cloud IAM and WML v4 on 127.0.0.1, as shared/docs/backends-notes.md §1
 * documents them: the token endpoint, model definitions (create, PUT code)
 * and trainings (create, GET, DELETE). Strict where the documents are
 * precise (body shapes, `version`, `space_id`, bearer tokens) so that a
 * client drifting from the contract fails here; steered by the test with
 * `advance` or `script` (a training's states), `failNext` (inject a status),
 * `revokeTokens` and `tokenLifetimeS` (exercise the token refresh).
 *
 * A `runner` stands in for the training itself: called once a training is
 * created (state `running`) with the posted body and the uploaded zip; its
 * resolving makes the training `completed`, its throwing `failed` with the
 * error's message; a DELETE aborts its signal. Like the service, the server
 * adds `training`, `logs` and `model` to results_reference.location, all
 * under `<location.path>/<training id>`, where the runner should write.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { WmlState } from '../../src/services/ibm/wml-client.js';
import {
  asObject,
  MODEL_DEFINITION_RULES,
  problemIn,
  trainingProblem,
  type Json,
} from './wml-contract-rules.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** Parsed JSON or form fields; the raw bytes of an octet-stream. */
  body: unknown;
  status: number;
}

export interface StateDetails {
  message?: string;
  failure?: { code: string; message: string };
}

export interface ContractTraining extends StateDetails {
  id: string;
  /** The POST body as received. */
  request: Json;
  state: WmlState;
  runningAt?: string;
  completedAt?: string;
  /** results_reference.location plus the keys the service adds. */
  location: Record<string, string>;
  /** States the next GETs move through, one per GET. */
  script: WmlState[];
  abort: AbortController;
}

export interface RunnerContext {
  training: ContractTraining;
  /** The zip uploaded to the training's model definition. */
  code: Buffer | undefined;
  /** Ignored once the training has ended (e.g. cancelled). */
  setState(state: WmlState, details?: StateDetails): void;
  /** Aborted when the training is cancelled or deleted. */
  signal: AbortSignal;
}

export type TrainingRunner = (context: RunnerContext) => Promise<void> | void;

interface Fault {
  method: string;
  path: string | RegExp;
  status: number;
  body?: Json;
}

/** One request and its answer. */
interface Exchange {
  record: RecordedRequest;
  reply(status: number, body?: unknown): void;
  refuse(status: number, code: string, message: string): void;
}

const FINAL = new Set<WmlState>(['completed', 'failed', 'canceled', 'error']);

export class WmlContractServer {
  url = '';
  /** The same server: IAM's `/identity/token` lives beside WML. */
  iamUrl = '';
  readonly apiKey: string;
  readonly spaceId: string;
  readonly requests: RecordedRequest[] = [];
  readonly modelDefinitions = new Map<
    string,
    { request: Json; code?: Buffer }
  >();
  readonly trainings = new Map<string, ContractTraining>();
  /** Lifetime of the next tokens issued; 0 or less issues expired ones. */
  tokenLifetimeS = 3600;
  runner: TrainingRunner | undefined;
  private readonly tokens = new Map<string, number>();
  private readonly faults: Fault[] = [];
  private readonly server = createServer((req, res) => this.receive(req, res));

  constructor(options: { apiKey?: string; runner?: TrainingRunner } = {}) {
    this.apiKey = options.apiKey ?? 'contract-test-api-key-0123456789';
    this.spaceId = '5e1c0a2d-0000-4000-8000-000000000001';
    this.runner = options.runner;
  }

  async start(): Promise<this> {
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    const { port } = this.server.address() as AddressInfo;
    this.url = this.iamUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  advance(id: string, state: WmlState, details: StateDetails = {}): void {
    const training = this.training(id);
    const now = new Date().toISOString();
    training.state = state;
    if (state === 'running') training.runningAt ??= now;
    if (FINAL.has(state)) training.completedAt ??= now;
    Object.assign(training, details);
    if (state === 'canceled') training.abort.abort();
  }

  script(id: string, states: WmlState[]): void {
    this.training(id).script = [...states];
  }

  /** The next matching request gets `status` (0: the connection drops). */
  failNext(method: string, path: string | RegExp, status: number, body?: Json) {
    this.faults.push({ method, path, status, ...(body ? { body } : {}) });
  }

  /** Every token issued so far answers 401 from now on. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Whether `token` was issued here and has not expired. */
  hasToken(token: string): boolean {
    return (this.tokens.get(token) ?? 0) > Date.now();
  }

  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method && matches(path, r.path),
    );
  }

  private training(id: string): ContractTraining {
    const training = this.trainings.get(id);
    if (!training) throw new Error(`no training ${id}`);
    return training;
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://contract');
      const record: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: parseBody(req.headers['content-type'], Buffer.concat(chunks)),
        status: 0,
      };
      this.requests.push(record);
      const trace = randomUUID();
      const reply = (status: number, body?: unknown) => {
        record.status = status;
        res.setHeader('x-global-transaction-id', trace);
        if (body === undefined) return void res.writeHead(status).end();
        res.setHeader('content-type', 'application/json');
        res.writeHead(status).end(JSON.stringify(body));
      };
      const refuse = (status: number, code: string, message: string) =>
        reply(status, {
          trace,
          errors: [{ code, message }],
          status_code: status,
        });
      const at = this.faults.findIndex(
        (f) => f.method === record.method && matches(f.path, record.path),
      );
      const [fault] = at >= 0 ? this.faults.splice(at, 1) : [];
      if (fault?.status === 0) return void req.socket.destroy();
      if (fault?.body) return reply(fault.status, fault.body);
      if (fault) return refuse(fault.status, 'injected_fault', 'Injected.');
      this.route({ record, reply, refuse });
    });
  }

  private route(x: Exchange): void {
    const { method, path, query } = x.record;
    if (method === 'POST' && path === '/identity/token') return this.iam(x);
    const auth = /^Bearer (.+)$/.exec(x.record.headers.authorization ?? '');
    const expiry = this.tokens.get(auth?.[1] ?? '');
    if (expiry === undefined) {
      return x.refuse(401, 'authorization_rejected', 'Unknown bearer token.');
    }
    if (expiry <= Date.now()) {
      return x.refuse(401, 'authentication_token_expired', 'Token expired.');
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(query['version'] ?? '')) {
      return x.refuse(400, 'missing_version', 'version=YYYY-MM-DD needed.');
    }
    const scope = method === 'POST' ? asObject(x.record.body) : query;
    if (scope['space_id'] !== this.spaceId || 'project_id' in scope) {
      return x.refuse(400, 'invalid_space', `Use space_id ${this.spaceId}.`);
    }
    const code = /^\/ml\/v4\/model_definitions\/([^/]+)\/model$/.exec(path);
    const run = /^\/ml\/v4\/trainings\/([^/]+)$/.exec(path);
    if (method === 'POST' && path === '/ml/v4/model_definitions') {
      return this.createModelDefinition(x);
    }
    if (method === 'PUT' && code) return this.uploadCode(x, code[1]!);
    const definition = /^\/ml\/v4\/model_definitions\/([^/]+)$/.exec(path);
    if (method === 'DELETE' && definition) {
      if (!this.modelDefinitions.delete(definition[1]!)) {
        return x.refuse(
          404,
          'model_definition_not_found',
          'No such definition.',
        );
      }
      return x.reply(204);
    }
    if (method === 'POST' && path === '/ml/v4/trainings') {
      return this.createTraining(x);
    }
    const training = run ? this.trainings.get(run[1]!) : undefined;
    if (run && !training) {
      return x.refuse(404, 'training_not_found', `No training ${run[1]}.`);
    }
    if (method === 'GET' && training) return this.getTraining(x, training);
    if (method === 'DELETE' && training) return this.cancel(x, training);
    x.refuse(404, 'not_found', `No route for ${method} ${path}.`);
  }

  private iam({ record, reply }: Exchange): void {
    const form = asObject(record.body);
    const refuse = (errorCode: string, errorMessage: string) =>
      reply(400, { errorCode, errorMessage, context: { requestId: 'iam' } });
    const type = record.headers['content-type'] ?? '';
    if (!type.startsWith('application/x-www-form-urlencoded')) {
      return refuse('BXNIM0109E', 'The body must be form-encoded.');
    }
    if (form['grant_type'] !== 'urn:ibm:params:oauth:grant-type:apikey') {
      return refuse('BXNIM0109E', 'Unsupported grant_type.');
    }
    if (form['apikey'] !== this.apiKey) {
      return refuse('BXNIM0415E', 'Provided API key could not be found.');
    }
    const token = `tok-${randomUUID()}`;
    const expiresIn = this.tokenLifetimeS;
    const expiration = Math.floor(Date.now() / 1000) + expiresIn;
    this.tokens.set(token, expiration * 1000);
    reply(200, {
      access_token: token,
      refresh_token: 'not_supported',
      token_type: 'Bearer',
      expires_in: expiresIn,
      expiration,
    });
  }

  private createModelDefinition(x: Exchange): void {
    const body = asObject(x.record.body);
    const problem = problemIn(body, MODEL_DEFINITION_RULES);
    if (problem) return x.refuse(400, 'invalid_request_entity', problem);
    const id = randomUUID();
    this.modelDefinitions.set(id, { request: body });
    x.reply(201, { metadata: { id, space_id: this.spaceId }, entity: body });
  }

  private uploadCode(x: Exchange, id: string): void {
    const definition = this.modelDefinitions.get(id);
    if (!definition) {
      return x.refuse(404, 'model_definition_not_found', `No ${id}.`);
    }
    const type = x.record.headers['content-type'];
    if (
      type !== 'application/octet-stream' ||
      !Buffer.isBuffer(x.record.body)
    ) {
      return x.refuse(400, 'invalid_content', 'Send the zip as octet-stream.');
    }
    definition.code = x.record.body;
    x.reply(201, { attachment_id: randomUUID(), persisted: true });
  }

  private createTraining(x: Exchange): void {
    const body = asObject(x.record.body);
    const problem = trainingProblem(body, this.modelDefinitions);
    if (problem) return x.refuse(400, 'invalid_request_entity', problem);
    const id = randomUUID();
    const results = asObject(body['results_reference']);
    const location = asObject(results['location']) as Record<string, string>;
    const home = location['path'] ? `${location['path']}/${id}` : id;
    const training: ContractTraining = {
      id,
      request: body,
      state: 'pending',
      location: {
        ...location,
        training: home,
        logs: home,
        model: `${home}/model`,
      },
      script: [],
      abort: new AbortController(),
    };
    this.trainings.set(id, training);
    x.reply(201, this.describe(training));
    if (this.runner) this.startRunner(training, this.runner);
  }

  private startRunner(training: ContractTraining, runner: TrainingRunner) {
    const definition = asObject(training.request['model_definition']);
    const code = this.modelDefinitions.get(String(definition['id']))?.code;
    const setState = (state: WmlState, details?: StateDetails) => {
      if (!FINAL.has(training.state)) this.advance(training.id, state, details);
    };
    const signal = training.abort.signal;
    setState('running');
    void (async () => runner({ training, code, setState, signal }))().then(
      () => setState('completed'),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        setState('failed', { failure: { code: 'training_failed', message } });
      },
    );
  }

  private getTraining(x: Exchange, training: ContractTraining): void {
    const next = training.script.shift();
    if (next) this.advance(training.id, next);
    x.reply(200, this.describe(training));
  }

  private cancel(x: Exchange, training: ContractTraining): void {
    if (x.record.query['hard_delete'] === 'true') {
      training.abort.abort();
      this.trainings.delete(training.id);
      return x.reply(204);
    }
    if (FINAL.has(training.state)) {
      return x.refuse(
        400,
        'training_already_completed',
        'Job already completed',
      );
    }
    this.advance(training.id, 'canceled', {
      message: 'Cancelled by the user.',
    });
    x.reply(204);
  }

  /** The GET (and create) reply: metadata, and the entity with its status. */
  private describe(t: ContractTraining): Json {
    const { space_id, results_reference, ...entity } = t.request;
    const status: Json = { state: t.state };
    if (t.runningAt) status['running_at'] = t.runningAt;
    if (t.completedAt) status['completed_at'] = t.completedAt;
    if (t.message) status['message'] = { level: 'info', text: t.message };
    if (t.failure) status['failure'] = { trace: 'run', errors: [t.failure] };
    const results = { ...asObject(results_reference), location: t.location };
    return {
      metadata: { id: t.id, space_id },
      entity: { ...entity, results_reference: results, status },
    };
  }
}

export function startWmlContractServer(
  options: { apiKey?: string; runner?: TrainingRunner } = {},
): Promise<WmlContractServer> {
  return new WmlContractServer(options).start();
}

function matches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === 'string'
    ? path.startsWith(pattern)
    : pattern.test(path);
}

function parseBody(type = '', raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (!type.startsWith('application/json')) return raw;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
