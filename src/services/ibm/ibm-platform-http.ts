/**
 * HTTP for the IBM Cloud platform APIs (resource controller, Watson Data
 * API), as WmlClient does it for WML: a bearer token from a TokenProvider,
 * a new token once after a 401, retries with backoff for what a retry can
 * fix, pages followed by their `start` token, and every failure turned into
 * a MaxrecError with the service's message, code and request id.
 *
 * Retries: GETs on network errors, 429 and 5xx. A POST that creates is
 * retried only when it cannot have arrived (connection never made, 429,
 * 503): a retry after the service acted would create a second credential.
 *
 * Exit codes: 401/403, 429/5xx after retries and an unreachable host are 2,
 * environment; a 400 or 404 the call names (`refused`) its own code; any
 * other refusal 3, configuration (a wrong URL override). The bearer token
 * is redacted from messages, and no axios error is kept as a cause, since
 * its config holds the headers. Reply bodies are never logged: a created
 * key's reply holds its secret.
 */
import axios, { type AxiosResponse } from 'axios';
import pRetry from 'p-retry';

import { ExitCode, MaxrecError } from '../../core/errors.js';
import type { ExitCodeValue } from '../../core/errors.js';
import { debugLog } from '../debug-log.js';
import { DEFAULT_RETRY_POLICY, redact } from './iam-token.js';
import type { RetryPolicy, TokenProvider } from './iam-token.js';
import { serviceError } from './wml-training.js';

export interface PlatformCall {
  method: 'GET' | 'POST';
  /** The service's base URL, without a trailing slash. */
  base: string;
  path: string;
  /** What the call does, for messages: "list the COS instances". */
  action: string;
  signal: AbortSignal | undefined;
  query?: Record<string, string>;
  body?: unknown;
  idempotent: boolean;
  /** For a 400 or 404, e.g. an unknown instance given by flag. */
  refused?: { exit: ExitCodeValue; hint: string };
}

export interface PlatformHttpOptions {
  tokens: TokenProvider;
  retries?: Partial<RetryPolicy>;
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

/**
 * Connection errors where the request cannot have reached the service;
 * WmlClient's list, kept twice until both clients share this module.
 */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Pages followed at most, against a service that never stops paging. */
const MAX_PAGES = 200;

export class PlatformHttp {
  private readonly tokens: TokenProvider;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  /** The last bearer token sent, redacted from messages. */
  private lastToken = '';

  constructor(options: PlatformHttpOptions) {
    this.tokens = options.tokens;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retries };
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * Every page of a list: `read` picks a page's items and its next-page
   * link, whose `start` token is sent with the first page's query, as IBM's
   * SDK pagers do (the links are host-relative, so a base URL with a path,
   * as in tests or a proxy, would lose it if followed as they are).
   */
  async allPages(
    first: PlatformCall,
    read: (body: unknown) => { items: unknown[]; next: string | undefined },
  ): Promise<unknown[]> {
    const items: unknown[] = [];
    const seen = new Set<string>();
    let call = first;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const { data } = await this.call(call);
      const result = read(data);
      items.push(...result.items);
      const start = result.next && startToken(result.next);
      if (!start || seen.has(start)) break;
      seen.add(start);
      call = { ...first, query: { ...first.query, start } };
    }
    return items;
  }

  async call(call: PlatformCall): Promise<AxiosResponse<unknown>> {
    let refreshed = false;
    const attempt = async () => {
      let response = await this.send(call);
      if (response.status === 401 && !refreshed) {
        refreshed = true;
        this.tokens.invalidate();
        response = await this.send(call);
      }
      const { status } = response;
      if (status >= 200 && status < 300) return response;
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
      throw unreachable(call, error.networkCode);
    }
  }

  /** One HTTP exchange; a network error becomes an AttemptFailure. */
  private async send(call: PlatformCall): Promise<AxiosResponse<unknown>> {
    const { method, path, signal } = call;
    this.lastToken = await this.tokens.token(signal);
    try {
      const response = await axios.request<unknown>({
        method,
        url: `${call.base}${path}`,
        params: call.query,
        data: call.body,
        headers: {
          Accept: 'application/json',
          Authorization: `Bearer ${this.lastToken}`,
        },
        timeout: this.timeoutMs,
        validateStatus: () => true,
        signal,
      });
      const ref = platformError(response).requestId ?? '';
      debugLog(`ibm-platform: ${method} ${path} -> ${response.status} ${ref}`);
      return response;
    } catch (error) {
      signal?.throwIfAborted();
      const code = (axios.isAxiosError(error) && error.code) || undefined;
      debugLog(`ibm-platform: ${method} ${path} failed: ${code}`);
      const retryable = call.idempotent || NOT_SENT.has(code ?? '');
      throw new AttemptFailure(retryable, undefined, code);
    }
  }

  private failure(
    response: AxiosResponse<unknown>,
    call: PlatformCall,
  ): MaxrecError {
    const { status } = response;
    const error = platformError(response);
    const said = `${error.message}${error.code ? ` (${error.code})` : ''}`;
    const ref = error.requestId ? `, request id ${error.requestId}` : '';
    const what =
      `Could not ${call.action}: ${redact(said, [this.lastToken])} ` +
      `[HTTP ${status}${ref}].`;
    if (status === 401 || status === 403) {
      return new MaxrecError(ExitCode.environment, what, {
        hint:
          "Check ML_APIKEY: its identity needs Viewer access to the account's " +
          'instances, and Writer on a COS instance to create a credential.',
      });
    }
    if (status === 429 || status >= 500) {
      return new MaxrecError(ExitCode.environment, what, {
        hint: 'IBM Cloud is unavailable; try again later.',
      });
    }
    if ((status === 400 || status === 404) && call.refused) {
      return new MaxrecError(call.refused.exit, what, {
        hint: call.refused.hint,
      });
    }
    return new MaxrecError(ExitCode.configuration, what, {
      hint: 'Check --resource-controller-url and --data-platform-url.',
    });
  }
}

function unreachable(call: PlatformCall, code: string): MaxrecError {
  const host = new URL(call.base).host;
  const maybeDone =
    call.method === 'POST' && !NOT_SENT.has(code)
      ? ' It may have happened anyway: look in the console before retrying.'
      : '';
  return new MaxrecError(
    ExitCode.environment,
    `Could not reach ${host} to ${call.action} (${code}).${maybeDone}`,
    { hint: 'Check the network connection, then try again.' },
  );
}

/**
 * The resource controller's `{message, error_code, transaction_id}`, else
 * the Watson Data API's `{errors:[{code, message}], trace}`, as WML's.
 */
function platformError(response: AxiosResponse<unknown>) {
  const body = response.data;
  const shared = serviceError(response);
  return {
    message: text(field(body, 'message')) ?? shared.message,
    code: text(field(body, 'error_code')) ?? shared.code,
    requestId: text(field(body, 'transaction_id')) ?? shared.requestId,
  };
}

/**
 * A next-page link's `start` token. `start=invalid` ends the list, as in
 * ibm-watsonx-ai's own pager for spaces.
 */
function startToken(href: string): string | undefined {
  const base = 'http://next.invalid';
  if (!URL.canParse(href, base)) return undefined;
  const start = new URL(href, base).searchParams.get('start');
  return start && start !== 'invalid' ? start : undefined;
}

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
