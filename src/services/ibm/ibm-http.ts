/**
 * The HTTP that WmlClient (WML) and PlatformHttp (resource controller,
 * Watson Data API) share: a bearer token from a TokenProvider, a new token
 * once after a 401, retries with backoff for what a retry can fix, and
 * every failure turned into a MaxrecError with the service's message, code
 * and request id. What differs by service, how its error body reads and
 * what its messages and hints say, is an IbmService.
 *
 * Retries (exponential backoff with jitter): idempotent calls on network
 * errors, 429 and 5xx. A call that creates is retried only when the
 * service cannot have acted: a connection never made (refused, unknown
 * host, unreachable), 429 or 503; a retry after the service acted would
 * create it twice. A reset or timeout mid-request is not retried, and the
 * message says it may have happened anyway.
 *
 * Exit codes: 401/403, 429/5xx after retries and an unreachable host are
 * 2, environment; any other refusal is the service's to map. The bearer
 * token and the call's secrets are redacted from messages, and no axios
 * error is kept as a cause, since its config holds the headers. Reply
 * bodies are never logged: a created credential's reply holds its secret.
 */
import axios, { type AxiosResponse, type Method } from 'axios';
import pRetry from 'p-retry';

import { ExitCode, MaxrecError } from '../../core/errors.js';
import { debugLog } from '../debug-log.js';
import { DEFAULT_RETRY_POLICY, redact } from './iam-token.js';
import type { RetryPolicy, TokenProvider } from './iam-token.js';
import { isTlsCode, tlsFailure } from './tls-errors.js';

export interface HttpCall {
  method: Method;
  /** The service's base URL, without a trailing slash. */
  base: string;
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
  timeoutMs?: number;
  /** Told before each retry: the attempt about to be made, of how many. */
  onRetry?: (attempt: number, attempts: number) => void;
}

export interface IbmHttpOptions {
  tokens: TokenProvider;
  retries?: Partial<RetryPolicy>;
  timeoutMs?: number;
}

/** The service's own words from an error reply. */
export interface ServiceError {
  message: string;
  code?: string;
  requestId?: string;
}

/** A failed reply, as a message quotes it. */
export interface FailedReply {
  status: number;
  /** The service's message and code, secrets redacted. */
  said: string;
  /** `, request id …`, or '' when the reply has none. */
  ref: string;
}

/** What differs between the services behind an IbmHttp. */
export interface IbmService<C extends HttpCall> {
  /** The debug log's name for the service: "wml". */
  logName: string;
  defaultTimeoutMs: number;
  readError(response: AxiosResponse<unknown>): ServiceError;
  /** The message of a call the service refused or failed. */
  message(call: C, reply: FailedReply): string;
  /** Hints for 401/403 and for 429/5xx, both exit 2. */
  hints: { access: string; unavailable: string };
  /** The error for any other status the call does not accept. */
  refused(call: C, reply: FailedReply, message: string): MaxrecError;
  unreachable: {
    /** How the service is named when it cannot be reached. */
    name(host: string): string;
    /** Where a create that may have happened shows: "the space". */
    lookIn: string;
    hint: string;
  };
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

export class IbmHttp<C extends HttpCall> {
  private readonly tokens: TokenProvider;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  /** The last bearer token sent, redacted from messages as well. */
  private lastToken = '';

  constructor(
    options: IbmHttpOptions,
    private readonly service: IbmService<C>,
  ) {
    this.tokens = options.tokens;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retries };
    this.timeoutMs = options.timeoutMs ?? service.defaultTimeoutMs;
  }

  async call(call: C): Promise<AxiosResponse<unknown>> {
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
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (error instanceof AttemptFailure && error.retryable) {
            if (retriesLeft > 0) {
              call.onRetry?.(attemptNumber + 1, this.retry.retries + 1);
            }
          }
        },
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

  /** The error for a reply the call did not want, in the service's words. */
  failure(response: AxiosResponse<unknown>, call: C): MaxrecError {
    const { status } = response;
    const error = this.service.readError(response);
    const said = `${error.message}${error.code ? ` (${error.code})` : ''}`;
    const reply: FailedReply = {
      status,
      said: redact(said, [...(call.secrets ?? []), this.lastToken]),
      ref: error.requestId ? `, request id ${error.requestId}` : '',
    };
    const message = this.service.message(call, reply);
    const { hints } = this.service;
    if (status === 401 || status === 403) {
      return new MaxrecError(ExitCode.environment, message, {
        hint: hints.access,
      });
    }
    if (status === 429 || status >= 500) {
      return new MaxrecError(ExitCode.environment, message, {
        hint: hints.unavailable,
      });
    }
    return this.service.refused(call, reply, message);
  }

  /** One HTTP exchange; a network error becomes an AttemptFailure. */
  private async send(call: C): Promise<AxiosResponse<unknown>> {
    const { method, path, signal } = call;
    const { logName } = this.service;
    this.lastToken = await this.tokens.token(signal);
    try {
      const response = await axios.request<unknown>({
        method,
        url: `${call.base}${path}`,
        params: call.query,
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
      const ref = this.service.readError(response).requestId ?? '';
      debugLog(`${logName}: ${method} ${path} -> ${response.status} ${ref}`);
      return response;
    } catch (error) {
      signal?.throwIfAborted();
      const code = (axios.isAxiosError(error) && error.code) || undefined;
      debugLog(`${logName}: ${method} ${path} failed: ${code}`);
      // A TLS mismatch answers the same on every try.
      const retryable =
        !isTlsCode(code) && (call.idempotent || NOT_SENT.has(code ?? ''));
      throw new AttemptFailure(retryable, undefined, code);
    }
  }

  private unreachable(call: C, code: string): MaxrecError {
    const { name, lookIn, hint } = this.service.unreachable;
    const host = new URL(call.base).host;
    if (isTlsCode(code)) {
      const tls = tlsFailure(name(host), code);
      return new MaxrecError(ExitCode.environment, tls.message, {
        hint: tls.hint,
      });
    }
    const maybeDone =
      call.method === 'POST' && !NOT_SENT.has(code)
        ? ` It may have happened anyway: look in ${lookIn} before retrying.`
        : '';
    return new MaxrecError(
      ExitCode.environment,
      `Could not reach ${name(host)} to ${call.action} (${code}).${maybeDone}`,
      { hint },
    );
  }
}

// Readers for reply bodies whose shape is the service's word, not a type.

export function field(value: unknown, key: string | number): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string | number, unknown>)[key];
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
