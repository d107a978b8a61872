/**
 * A client for the Watson Machine Learning v4 REST API: model definitions,
 * trainings, their status and cancellation. Contract and sources in
 * shared/docs/backends-notes.md §1; reference:
 * https://cloud.ibm.com/apidocs/machine-learning (Model Definitions,
 * Trainings). Every call carries `version=YYYY-MM-DD` and the space or
 * project: in the query for GET, PUT and DELETE, in the body for POST.
 *
 * Token, retries and errors come from ibm-http.ts, shared with the
 * platform APIs:
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

import type { AxiosResponse } from 'axios';

import { ExitCode, MaxrecError } from '../../core/errors.js';
import type { ExitCodeValue } from '../../core/errors.js';
import { RunNotFoundError } from '../../core/journey.js';
import {
  IbmHttp,
  type HttpCall,
  type IbmHttpOptions,
  type IbmService,
} from './ibm-http.js';
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

/** A status read answers in well under a second: 15 s of silence is a hang. */
export const STATUS_TIMEOUT_MS = 15_000;

export interface WmlClientOptions extends IbmHttpOptions {
  /** e.g. https://us-south.ml.cloud.ibm.com */
  url: string;
  spaceId?: string;
  projectId?: string;
  /** The `version=YYYY-MM-DD` query every call carries. */
  version?: string;
  /** Timeout of a status read (default STATUS_TIMEOUT_MS). */
  statusTimeoutMs?: number;
}

interface WmlCall extends HttpCall {
  /** Exit code for a refusal (4xx other than 401, 403, 404 on a training). */
  refusedExit?: ExitCodeValue;
  trainingId?: string;
}

/** A WML call before it is placed at the client's URL and version. */
type Call = Omit<WmlCall, 'base'>;

const WML: IbmService<WmlCall> = {
  logName: 'wml',
  defaultTimeoutMs: 60_000,
  readError: serviceError,
  message: (call, { said, status, ref }) =>
    `WML could not ${call.action}: ${said} [HTTP ${status}${ref}]`,
  hints: {
    access: 'Check ML_APIKEY and its access to the space.',
    unavailable: 'WML is unavailable; try again later.',
  },
  refused: (call, { status, ref }, message) =>
    status === 404 && call.trainingId !== undefined
      ? new RunNotFoundError(
          call.trainingId,
          `WML knows no training ${call.trainingId} in this space: it was ` +
            `deleted, or the service was reset [HTTP 404${ref}].`,
          'Check the run id, or start a new training; a deleted training is gone for good.',
        )
      : new MaxrecError(call.refusedExit ?? ExitCode.configuration, message, {
          hint: 'Check the space or project id, compute size and buckets.',
        }),
  unreachable: {
    name: (host) => `WML at ${host}`,
    lookIn: 'the space',
    hint: 'Check the network connection and ML_ENV, then try again.',
  },
};

export class WmlClient {
  private readonly baseUrl: string;
  private readonly scope: { space_id: string } | { project_id: string };
  private readonly version: string;
  private readonly statusTimeoutMs: number;
  private readonly http: IbmHttp<WmlCall>;

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
    this.statusTimeoutMs = options.statusTimeoutMs ?? STATUS_TIMEOUT_MS;
    this.http = new IbmHttp(options, WML);
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

  /** DELETE /ml/v4/model_definitions/{id}, e.g. one no training came of. */
  async deleteModelDefinition(id: string, signal?: AbortSignal): Promise<void> {
    await this.call({
      method: 'DELETE',
      path: `/ml/v4/model_definitions/${encodeURIComponent(id)}`,
      action: `delete model definition ${id}`,
      idempotent: true,
      signal,
      query: this.scope,
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

  /** `onRetry` hears of each retry, for a follower to show. */
  async getTraining(
    id: string,
    signal?: AbortSignal,
    onRetry?: (attempt: number, attempts: number) => void,
  ): Promise<TrainingState> {
    const response = await this.call({
      method: 'GET',
      path: `/ml/v4/trainings/${encodeURIComponent(id)}`,
      action: `read training ${id}`,
      idempotent: true,
      signal,
      query: this.scope,
      trainingId: id,
      timeoutMs: this.statusTimeoutMs,
      onRetry,
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
    throw this.http.failure(response, this.located(call));
  }

  private call(call: Call): Promise<AxiosResponse<unknown>> {
    return this.http.call(this.located(call));
  }

  /** The call at this client's URL, with the version every call carries. */
  private located(call: Call): WmlCall {
    const query = { version: this.version, ...call.query };
    return { ...call, base: this.baseUrl, query };
  }
}
