/**
 * Cloud Object Storage errors in a user's words. ibm-cos-sdk (a fork of
 * AWS SDK JS v2) rejects with errors carrying the S3 error `code`, the HTTP
 * `statusCode` and the service's `requestId`; network failures carry a
 * Node errno code instead. Messages keep the service's code and request id
 * (what IBM support asks for) and never a credential.
 */
import { ExitCode, MaxrecError, isAbortError } from '../../core/errors.js';
import type { ExitCodeValue } from '../../core/errors.js';
import { tlsCodeIn, tlsFailure } from './tls-errors.js';

export interface CosErrorFields {
  code?: string;
  statusCode?: number;
  requestId?: string;
  message?: string;
}

/** Node errno codes that mean the endpoint could not be reached. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'NetworkingError',
  'TimeoutError',
  // The SDK's name for a refused or unresolvable host, after its retries.
  'UnknownEndpoint',
]);

export function cosFields(error: unknown): CosErrorFields {
  if (typeof error !== 'object' || error === null) return {};
  const e = error as Record<string, unknown>;
  const text = (value: unknown) =>
    typeof value === 'string' && value !== '' ? value : undefined;
  return {
    code: text(e['code']),
    statusCode:
      typeof e['statusCode'] === 'number' ? e['statusCode'] : undefined,
    requestId: text(e['requestId']),
    message: text(e['message']),
  };
}

export function isUnreachable(error: unknown): boolean {
  const { code, statusCode } = cosFields(error);
  return (
    (code !== undefined && UNREACHABLE.has(code)) ||
    (statusCode === undefined && code === undefined)
  );
}

/**
 * A MaxrecError for a failed COS call: `doing` says what was being done
 * ("uploading data/ratings.csv to maxrec-data"). Unreachable endpoints and
 * refused credentials are environment problems (exit 2); anything else
 * takes `exitCode`. Aborts pass through unchanged.
 */
export function cosError(
  error: unknown,
  doing: string,
  endpoint: string,
  exitCode: ExitCodeValue,
): unknown {
  if (isAbortError(error) || error instanceof MaxrecError) return error;
  const { code, statusCode, requestId, message } = cosFields(error);
  if (code === 'RequestAbortedError') {
    const abort = new Error('The operation was aborted.');
    abort.name = 'AbortError';
    return abort;
  }
  const id = requestId ? ` (request id ${requestId})` : '';
  const tls = statusCode === undefined ? tlsCodeIn(error) : undefined;
  if (tls) {
    const { message, hint } = tlsFailure(
      `Cloud Object Storage at ${endpoint}`,
      tls,
      doing,
    );
    return new MaxrecError(ExitCode.environment, message, {
      hint,
      cause: error,
    });
  }
  if (isUnreachable(error)) {
    const original = cosFields(
      (error as { originalError?: unknown }).originalError,
    );
    const why = original.message ?? message ?? code ?? 'no answer';
    return new MaxrecError(
      ExitCode.environment,
      `Could not reach Cloud Object Storage at ${endpoint} while ${doing}: ` +
        `${why.replace(/\.+$/, '')}.`,
      {
        hint:
          'Check the network and data_stores.0.connection.endpoint; ' +
          'it was retried with backoff before giving up.',
        cause: error,
      },
    );
  }
  if (
    code === 'InvalidAccessKeyId' ||
    code === 'SignatureDoesNotMatch' ||
    code === 'CredentialsError' ||
    statusCode === 401
  ) {
    return new MaxrecError(
      ExitCode.environment,
      `Cloud Object Storage refused the credentials while ${doing}: ` +
        `${code ?? statusCode}${id}.`,
      {
        hint:
          'Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (HMAC keys), ' +
          'or ML_APIKEY and backend.ibm.cos_instance (IAM).',
        cause: error,
      },
    );
  }
  if (code === 'AccessDenied' || statusCode === 403) {
    return new MaxrecError(
      ExitCode.environment,
      `Cloud Object Storage denied access while ${doing}${id}.`,
      {
        hint:
          'The credentials lack the Writer role on this bucket, or the ' +
          'bucket belongs to another account.',
        cause: error,
      },
    );
  }
  return new MaxrecError(
    exitCode,
    `Cloud Object Storage failed while ${doing}: ` +
      `${[code, statusCode].filter(Boolean).join(' ')}` +
      `${message && message !== code ? `, ${message.replace(/\.+$/, '')}` : ''}` +
      `${id}.`,
    { cause: error },
  );
}
