/**
 * The WML v4 trainings contract as data, with no HTTP in it: the request
 * and state types, the POST /ml/v4/trainings body, the GET reply read into
 * a TrainingState, WML's states as maxrec's RunStatus, and the service's
 * error bodies. WmlClient (wml-client.ts) sends and receives them; sources
 * in shared/docs/backends-notes.md §1.
 */
import type { AxiosResponse } from 'axios';

import { ExitCode, MaxrecError } from '../../core/errors.js';
import type { RunStatus } from '../../core/types.js';
import { debugLog } from '../debug-log.js';
import { field, text, type ServiceError } from './ibm-http.js';

export interface ModelDefinitionRequest {
  name: string;
  command: string;
  platform?: { name: 'python'; versions: string[] };
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

/** The id of what a POST created, from the reply's `metadata.id`. */
export function metadataId(
  response: AxiosResponse<unknown>,
  what: string,
): string {
  const id = field(field(response.data, 'metadata'), 'id');
  if (typeof id === 'string' && id) return id;
  throw new MaxrecError(
    ExitCode.environment,
    `WML created the ${what} but its reply has no metadata.id.`,
  );
}

/** The keys in a COS connection, to redact from the service's messages. */
export function connectionSecrets(c: HmacConnection | IamConnection): string[] {
  return 'api_key' in c ? [c.api_key] : [c.access_key_id, c.secret_access_key];
}

/** The documented POST /ml/v4/trainings body, less the space or project. */
export function trainingBody(
  request: CreateTrainingRequest,
): Record<string, unknown> {
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
export function readTrainingState(id: string, data: unknown): TrainingState {
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
export function serviceError(response: AxiosResponse<unknown>): ServiceError {
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
