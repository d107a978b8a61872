/**
 * A client for the Watson Machine Learning v4 REST API: model definitions,
 * trainings, their status and cancellation. Contract and sources in
 * shared/docs/backends-notes.md §1; reference:
 * https://cloud.ibm.com/apidocs/machine-learning (Model Definitions,
 * Trainings). Every call carries `version=YYYY-MM-DD` and the space or
 * project: in the query for GET, PUT and DELETE, in the body for POST.
 *
 * Retries (exponential backoff with jitter):
 * - GET, DELETE and the PUT of the code are idempotent: retried on network
 *   errors, 429 and 5xx.
 * - POST creates are not: a retry after the service has acted would start a
 *   second training. They are retried only when the service cannot have
 *   acted: a connection never made (refused, unknown host, unreachable), 429
 *   or 503. A reset or timeout mid-request is not retried; the message says
 *   the training may exist.
 * - A 401 invalidates the token and repeats the call once with a new one.
 *
 * Exit codes of the errors thrown (all MaxrecError, with the service's own
 * message and code and the request id, `trace` or `x-global-transaction-id`):
 * - 2 environment: unreachable host, 5xx or 429 after retries, 401 after a
 *   new token, 403 (the key's identity has no access to the space).
 * - 1 invocation: 404 on a training (an unknown run id, as for every backend).
 * - 4 data/packaging: any refusal of the uploaded code (400, 413).
 * - 3 configuration: any other 4xx (space or project id, hardware or
 *   software spec names, buckets, COS connection); a URL that is not one.
 * Tokens, API keys and COS secrets are redacted from every message; no
 * axios error is kept as a cause, since its config holds the headers.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

import axios, { type AxiosResponse, type Method } from 'axios';
import pRetry from 'p-retry';

import { ExitCode, MaxrecError } from '../../core/errors.js';
import type { ExitCodeValue } from '../../core/errors.js';
import type { RunStatus } from '../../core/types.js';
import { debugLog } from '../debug-log.js';
import { DEFAULT_RETRY_POLICY, redact } from './iam-token.js';
import type { RetryPolicy, TokenProvider } from './iam-token.js';

export const DEFAULT_WML_VERSION = '2023-05-02';

export interface WmlClientOptions {
  /** e.g. https://us-south.ml.cloud.ibm.com */
  url: string;
  spaceId?: string;
  projectId?: string;
  /** The `version=YYYY-MM-DD` query every call carries. */
  version?: string;
  tokens: TokenProvider;
  retries?: Partial<RetryPolicy>;
  timeoutMs?: number;
}

export interface ModelDefinitionRequest {
  name: string;
  command: string;
  platform?: { name: 'python'; versions: string[] };
}

interface Call {
  method: Method;
  path: string;
  /** What the call does, for messages: "create the training". */
  action: string;
  idempotent: boolean;
  signal: AbortSignal | undefined;
  query?: Record<string, string>;
  /** A function gives a fresh body per attempt, for streams. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Secrets to redact from the service's messages (COS keys). */
  secrets?: string[];
  /** Statuses the caller handles itself instead of an error. */
  accept?: number[];
  /** Exit code for a refusal (4xx other than 401, 403, 404 on a training). */
  refusedExit?: ExitCodeValue;
  trainingId?: string;
  timeoutMs?: number;
}

/** A failure pRetry may retry; turned into a MaxrecError at the end. */
class AttemptFailure extends Error {
  constructor(
    readonly retryable: boolean,
    readonly response?: AxiosResponse<unknown>,
    readonly networkCode = 'network error',
  ) {
    super(response ? `HTTP ${response.status}` : networkCode);
  }
}

/** Connection errors where the request cannot have reached the service. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export class WmlClient {
  private readonly baseUrl: string;
  private readonly scope: { space_id: string } | { project_id: string };
  private readonly version: string;
  private readonly tokens: TokenProvider;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  /** The last bearer token sent, redacted from messages as well. */
  private lastToken = '';

  constructor(options: WmlClientOptions) {
    const { spaceId, projectId } = options;
    if (Boolean(spaceId) === Boolean(projectId)) {
      throw new MaxrecError(
        ExitCode.configuration,
        'WML needs exactly one of a space id or a project id.',
        { hint: 'Set either the deployment space id or the project id.' },
      );
    }
    this.scope = spaceId ? { space_id: spaceId } : { project_id: projectId! };
    if (!URL.canParse(options.url)) {
      throw new MaxrecError(
        ExitCode.configuration,
        `The WML URL "${options.url}" is not a URL.`,
        { hint: 'Set ML_ENV to e.g. https://us-south.ml.cloud.ibm.com.' },
      );
    }
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.version = options.version ?? DEFAULT_WML_VERSION;
    this.tokens = options.tokens;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retries };
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** POST /ml/v4/model_definitions; resolves with the definition's id. */
  async createModelDefinition(
    definition: ModelDefinitionRequest,
    signal?: AbortSignal,
  ): Promise<string> {
    const platform = definition.platform ?? {
      name: 'python',
      versions: ['3.11'],
    };
    const response = await this.call({
      method: 'POST',
      path: '/ml/v4/model_definitions',
      action: 'create the model definition',
      idempotent: false,
      signal,
      body: {
        name: definition.name,
        ...this.scope,
        version: '1.0',
        platform,
        command: definition.command,
      },
    });
    return metadataId(response, 'model definition');
  }

  /** PUT the zipped code as the definition's model, streamed from disk. */
  async uploadModelDefinitionCode(
    id: string,
    zipFilePath: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const { size } = await stat(zipFilePath);
    await this.call({
      method: 'PUT',
      path: `/ml/v4/model_definitions/${encodeURIComponent(id)}/model`,
      action: 'upload the training code',
      idempotent: true,
      signal,
      query: this.scope,
      body: () => createReadStream(zipFilePath),
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(size),
      },
      refusedExit: ExitCode.data,
      timeoutMs: 10 * 60_000,
    });
  }

  /** POST /ml/v4/trainings; resolves with the training's id. */
  async createTraining(
    request: CreateTrainingRequest,
    signal?: AbortSignal,
  ): Promise<string> {
    const connections = [request.dataConnection, request.resultsConnection];
    const response = await this.call({
      method: 'POST',
      path: '/ml/v4/trainings',
      action: 'create the training',
      idempotent: false,
      signal,
      body: { ...trainingBody(request), ...this.scope },
      secrets: connections.flatMap((c) => (c ? connectionSecrets(c) : [])),
    });
    return metadataId(response, 'training');
  }

  async getTraining(id: string, signal?: AbortSignal): Promise<TrainingState> {
    const response = await this.call({
      method: 'GET',
      path: `/ml/v4/trainings/${encodeURIComponent(id)}`,
      action: `read training ${id}`,
      idempotent: true,
      signal,
      query: this.scope,
      trainingId: id,
    });
    return readTrainingState(id, response.data);
  }

  /**
   * DELETE /ml/v4/trainings/{id}: stops a running training (204). A training
   * that has already ended answers 400 "already completed"; that is taken
   * as done (`alreadyEnded`) rather than retried with hard_delete, because a
   * hard delete also drops the metadata that says where the results are.
   * Pass `hardDelete` to drop them deliberately.
   */
  async cancelTraining(
    id: string,
    options: { hardDelete?: boolean } = {},
    signal?: AbortSignal,
  ): Promise<{ alreadyEnded: boolean }> {
    const call: Call = {
      method: 'DELETE',
      path: `/ml/v4/trainings/${encodeURIComponent(id)}`,
      action: `cancel training ${id}`,
      idempotent: true,
      signal,
      query: options.hardDelete
        ? { ...this.scope, hard_delete: 'true' }
        : this.scope,
      trainingId: id,
      accept: [400],
    };
    const response = await this.call(call);
    if (response.status !== 400) return { alreadyEnded: false };
    if (/already/i.test(serviceError(response).message)) {
      return { alreadyEnded: true };
    }
    throw this.failure(response, call);
  }

  private async call(call: Call): Promise<AxiosResponse<unknown>> {
    let refreshed = false;
    const attempt = async () => {
      let response = await this.send(call);
      if (response.status === 401 && !refreshed) {
        refreshed = true;
        this.tokens.invalidate();
        response = await this.send(call);
      }
      const { status } = response;
      if ((status >= 200 && status < 300) || call.accept?.includes(status)) {
        return response;
      }
      const retryable = call.idempotent
        ? status === 429 || status >= 500
        : status === 429 || status === 503;
      throw new AttemptFailure(retryable, response);
    };
    try {
      return await pRetry(attempt, {
        retries: this.retry.retries,
        minTimeout: this.retry.minDelayMs,
        maxTimeout: this.retry.maxDelayMs,
        randomize: true,
        signal: call.signal,
        shouldRetry: ({ error }) =>
          error instanceof AttemptFailure && error.retryable,
      });
    } catch (error) {
      call.signal?.throwIfAborted();
      if (!(error instanceof AttemptFailure)) throw error;
      if (error.response) throw this.failure(error.response, call);
      throw this.unreachable(call, error.networkCode);
    }
  }

  /** One HTTP exchange; a network error becomes an AttemptFailure. */
  private async send(call: Call): Promise<AxiosResponse<unknown>> {
    const { method, path, signal } = call;
    this.lastToken = await this.tokens.token(signal);
    try {
      const response = await axios.request<unknown>({
        method,
        url: `${this.baseUrl}${path}`,
        params: { version: this.version, ...call.query },
        data: typeof call.body === 'function' ? call.body() : call.body,
        headers: {
          Accept: 'application/json',
          ...call.headers,
          Authorization: `Bearer ${this.lastToken}`,
        },
        timeout: call.timeoutMs ?? this.timeoutMs,
        maxBodyLength: Infinity,
        maxContentLength: Infinity,
        validateStatus: () => true,
        signal,
      });
      const trace = serviceError(response).requestId ?? '';
      debugLog(`wml: ${method} ${path} -> ${response.status} ${trace}`);
      return response;
    } catch (error) {
      signal?.throwIfAborted();
      const code = (axios.isAxiosError(error) && error.code) || undefined;
      debugLog(`wml: ${method} ${path} failed: ${code}`);
      const retryable = call.idempotent || NOT_SENT.has(code ?? '');
      throw new AttemptFailure(retryable, undefined, code);
    }
  }

  private failure(response: AxiosResponse<unknown>, call: Call): MaxrecError {
    const { status } = response;
    const error = serviceError(response);
    const said = `${error.message}${error.code ? ` (${error.code})` : ''}`;
    const detail = redact(said, [...(call.secrets ?? []), this.lastToken]);
    const ref = error.requestId ? `, request id ${error.requestId}` : '';
    const what = `WML could not ${call.action}: ${detail} [HTTP ${status}${ref}]`;
    if (status === 404 && call.trainingId !== undefined) {
      return new MaxrecError(
        ExitCode.invocation,
        `There is no training ${call.trainingId} in this space ` +
          `[HTTP 404${ref}].`,
        { hint: 'Check the run id; a hard-deleted training is gone for good.' },
      );
    }
    const [exitCode, hint] =
      status === 401 || status === 403
        ? [ExitCode.environment, 'Check ML_APIKEY and its access to the space.']
        : status === 429 || status >= 500
          ? [ExitCode.environment, 'WML is unavailable; try again later.']
          : [
              call.refusedExit ?? ExitCode.configuration,
              'Check the space or project id, compute size and buckets.',
            ];
    return new MaxrecError(exitCode, what, { hint });
  }

  private unreachable(call: Call, code: string): MaxrecError {
    const host = new URL(this.baseUrl).host;
    const maybeDone =
      call.method === 'POST' && !NOT_SENT.has(code)
        ? ' It may have happened anyway: look in the space before retrying.'
        : '';
    return new MaxrecError(
      ExitCode.environment,
      `Could not reach WML at ${host} to ${call.action} (${code}).${maybeDone}`,
      { hint: 'Check the network connection and ML_ENV, then try again.' },
    );
  }
}

/**
 * WML's training state as maxrec's RunStatus, with a one-line reason for a
 * failed or cancelled run: the service's failure message, as it is.
 */
export function runStatusOf(
  training: Pick<TrainingState, 'state' | 'message' | 'failure'>,
): { status: RunStatus; reason?: string } {
  const status = STATUS_OF[training.state];
  if (status === 'failed') {
    const reason =
      training.failure?.message ??
      training.message ??
      `WML reported the training as ${training.state} without a reason.`;
    return { status, reason };
  }
  if (status === 'cancelled') {
    return { status, reason: training.message ?? 'Cancelled on WML.' };
  }
  return { status };
}

const STATUS_OF: Record<WmlState, RunStatus> = {
  queued: 'pending',
  pending: 'pending',
  running: 'running',
  storing: 'running',
  completed: 'completed',
  failed: 'failed',
  error: 'failed',
  canceled: 'cancelled',
};

function metadataId(response: AxiosResponse<unknown>, what: string): string {
  const id = field(field(response.data, 'metadata'), 'id');
  if (typeof id === 'string' && id) return id;
  throw new MaxrecError(
    ExitCode.environment,
    `WML created the ${what} but its reply has no metadata.id.`,
  );
}

function connectionSecrets(c: HmacConnection | IamConnection): string[] {
  return 'api_key' in c ? [c.api_key] : [c.access_key_id, c.secret_access_key];
}

/** WML's training states; the Python client also treats `error` as final. */
export type WmlState =
  | 'queued'
  | 'pending'
  | 'running'
  | 'storing'
  | 'completed'
  | 'failed'
  | 'canceled'
  | 'error';

/** COS HMAC keys, the connection the WML samples use. */
export interface HmacConnection {
  endpoint_url: string;
  access_key_id: string;
  secret_access_key: string;
}

/** COS with an IAM API key; field names from the Python client, not tried live. */
export interface IamConnection {
  endpoint_url: string;
  api_key: string;
  resource_instance_id: string;
}

export interface CreateTrainingRequest {
  name: string;
  modelDefinitionId: string;
  /** Run inside the unpacked code, e.g. `./train-max-model.sh`. */
  command: string;
  hardwareSpec: { name: string; nodes: number };
  softwareSpec?: { name: string };
  /** Used for the data and, unless `resultsConnection` is given, the results. */
  dataConnection: HmacConnection | IamConnection;
  resultsConnection?: HmacConnection | IamConnection;
  dataBucket: string;
  /** Key prefix of the data; '' or absent for the whole bucket. */
  dataPath?: string;
  resultsBucket: string;
  resultsPath?: string;
}

export interface TrainingState {
  id: string;
  state: WmlState;
  /** `entity.status.message.text`: the service's latest word on the run. */
  message?: string;
  failure?: { message: string; code?: string };
  /** ISO 8601, as the service sends them. */
  runningAt?: string;
  completedAt?: string;
  /**
   * `results_reference.location` as the service returns it: the `bucket` and
   * `path` sent, plus keys it adds such as `training`, `logs`, `model`.
   */
  resultsLocation?: Record<string, string>;
}

/** The documented POST /ml/v4/trainings body, less the space or project. */
function trainingBody(request: CreateTrainingRequest): Record<string, unknown> {
  const reference = (
    connection: HmacConnection | IamConnection,
    bucket: string,
    path: string | undefined,
  ) => ({
    type: 's3',
    connection,
    location: path ? { bucket, path } : { bucket },
  });
  return {
    name: request.name,
    training_data_references: [
      reference(request.dataConnection, request.dataBucket, request.dataPath),
    ],
    results_reference: reference(
      request.resultsConnection ?? request.dataConnection,
      request.resultsBucket,
      request.resultsPath,
    ),
    model_definition: {
      id: request.modelDefinitionId,
      command: request.command,
      hardware_spec: request.hardwareSpec,
      ...(request.softwareSpec ? { software_spec: request.softwareSpec } : {}),
      parameters: {},
    },
  };
}

/** GET /ml/v4/trainings/{id}'s `entity.status` and results location. */
function readTrainingState(id: string, data: unknown): TrainingState {
  const entity = field(data, 'entity');
  const status = field(entity, 'status');
  const raw = text(field(status, 'state')) ?? '';
  // An unknown state is read as pending so that a run is still followed;
  // the debug log keeps what the service said.
  const state = Object.hasOwn(STATUS_OF, raw) ? (raw as WmlState) : 'pending';
  if (state !== raw) debugLog(`wml: training ${id} has unknown state`, raw);
  const training: TrainingState = { id, state };
  const message = field(status, 'message');
  const messageText = text(message) ?? text(field(message, 'text'));
  if (messageText) training.message = messageText;
  const failure = field(status, 'failure');
  if (failure !== undefined) {
    const first = field(field(failure, 'errors'), 0);
    training.failure = {
      message:
        text(field(first, 'message')) ??
        text(field(failure, 'message')) ??
        'no message',
    };
    const code = text(field(first, 'code')) ?? text(field(failure, 'code'));
    if (code) training.failure.code = code;
  }
  const runningAt = text(field(status, 'running_at'));
  if (runningAt) training.runningAt = runningAt;
  const completedAt = text(field(status, 'completed_at'));
  if (completedAt) training.completedAt = completedAt;
  const location = field(field(entity, 'results_reference'), 'location');
  if (typeof location === 'object' && location !== null) {
    training.resultsLocation = Object.fromEntries(
      Object.entries(location).filter(([, v]) => typeof v === 'string'),
    ) as Record<string, string>;
  }
  return training;
}

/**
 * The service's own words from an error reply,
 * `{"trace":"…","errors":[{"code":"…","message":"…"}],"status_code":404}`,
 * with the request id from `trace` or the x-global-transaction-id header.
 */
function serviceError(response: AxiosResponse<unknown>): {
  message: string;
  code?: string;
  requestId?: string;
} {
  const first = field(field(response.data, 'errors'), 0);
  const header: unknown = response.headers['x-global-transaction-id'];
  return {
    message:
      text(field(first, 'message')) ??
      `${response.status} ${response.statusText || 'with no message'}`,
    code: text(field(first, 'code')),
    requestId: text(field(response.data, 'trace')) ?? text(header),
  };
}

function field(value: unknown, key: string | number): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string | number, unknown>)[key];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
