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
import { debugLog } from '../debug-log.js';
import { DEFAULT_RETRY_POLICY, redact } from './iam-token.js';
import type { RetryPolicy, TokenProvider } from './iam-token.js';
import {
  connectionSecrets,
  metadataId,
  readTrainingState,
  serviceError,
  trainingBody,
} from './wml-training.js';
import type {
  CreateTrainingRequest,
  ModelDefinitionRequest,
  TrainingState,
} from './wml-training.js';

export { runStatusOf } from './wml-training.js';
export type {
  CreateTrainingRequest,
  HmacConnection,
  IamConnection,
  ModelDefinitionRequest,
  TrainingState,
  WmlState,
} from './wml-training.js';

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
