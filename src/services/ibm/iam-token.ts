/**
 * IBM Cloud IAM access tokens from an API key, cached and refreshed early.
 *
 * Protocol (https://cloud.ibm.com/docs/iam?topic=iam-iamtoken_from_apikey):
 * `POST {iamUrl}/identity/token`, form-encoded
 * `grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=KEY`; the reply
 * carries `access_token`, `expires_in` (seconds, 3600) and `expiration`
 * (epoch seconds). A token lasts at most an hour.
 *
 * Exit codes: a refused key (IAM answers 400 or 401) and an unreachable or
 * failing IAM (after retries) are both exit 2, environment. The API key and
 * tokens never appear in a message, an error (no axios error is kept as a
 * cause: its config holds the form body) or the debug log.
 */
import axios, { type AxiosResponse } from 'axios';
import pRetry from 'p-retry';

import { ExitCode, MaxrecError } from '../../core/errors.js';
import { debugLog } from '../debug-log.js';
import { maskSecret } from '../mask-secret.js';
import { requireSecureUrls } from '../secure-url.js';
import { isTlsCode, tlsFailure } from './tls-errors.js';

export const DEFAULT_IAM_URL = 'https://iam.cloud.ibm.com';
/** Points every IAM sign-in elsewhere (a test server, a private cloud). */
export const IAM_URL_VARIABLE = 'MAXREC_IAM_URL';

export interface IamEnvironment {
  MAXREC_IAM_URL?: string;
}

/**
 * The IAM URL to sign in at: MAXREC_IAM_URL when set (over the config's
 * backend.ibm.iam_url, as ML_ENV is over wml_url), else `configured`, else
 * IBM's. MAXREC_IAM_URL must be https (plain http only to this machine):
 * the API key travels to it.
 */
export function iamUrlFrom(env: IamEnvironment, configured?: string): string {
  const override = env[IAM_URL_VARIABLE] || undefined;
  requireSecureUrls([[IAM_URL_VARIABLE, override]], ExitCode.configuration);
  return (override ?? configured ?? DEFAULT_IAM_URL).replace(/\/+$/, '');
}
const GRANT_TYPE = 'urn:ibm:params:oauth:grant-type:apikey';
const FIVE_MINUTES_MS = 5 * 60_000;

/** What the WML client needs from a token source; tests can stub it. */
export interface TokenProvider {
  token(signal?: AbortSignal): Promise<string>;
  /** Forget the cached token, e.g. after the service answered 401. */
  invalidate(): void;
}

/** Backoff between attempts; small values in tests. */
export interface RetryPolicy {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 4,
  minDelayMs: 500,
  maxDelayMs: 8_000,
};

export interface IamTokenSourceOptions {
  apiKey: string;
  iamUrl?: string;
  /**
   * Read for MAXREC_IAM_URL, which wins over `iamUrl`; process.env unless
   * given. `{}` where `iamUrl` already took it into account (a CLI flag).
   */
  env?: IamEnvironment;
  retries?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now?: () => number;
}

interface CachedToken {
  value: string;
  expiresAt: number;
  refreshAt: number;
}

export { maskSecret };

/** Replace every occurrence of each secret in `text` by its mask. */
export function redact(text: string, secrets: Iterable<string>): string {
  let safe = text;
  for (const secret of secrets) {
    if (secret.length >= 4) safe = safe.split(secret).join(maskSecret(secret));
  }
  return safe;
}

/** A retryable failure inside pRetry; never leaves this module's callers. */
class TransientFailure extends Error {}

export class IamTokenSource implements TokenProvider {
  private readonly apiKey: string;
  private readonly tokenUrl: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private cached: CachedToken | undefined;
  /** The request in flight, shared by every caller that needs a token now. */
  private inFlight: Promise<CachedToken> | undefined;

  constructor(options: IamTokenSourceOptions) {
    if (!options.apiKey) {
      throw new MaxrecError(ExitCode.environment, 'No IBM Cloud API key.', {
        hint: 'Set ML_APIKEY to an IBM Cloud API key.',
      });
    }
    this.apiKey = options.apiKey;
    const base = iamUrlFrom(options.env ?? process.env, options.iamUrl);
    if (!URL.canParse(base)) {
      throw new MaxrecError(
        ExitCode.configuration,
        `The IAM URL "${base}" is not a URL.`,
      );
    }
    this.tokenUrl = `${base}/identity/token`;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retries };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  async token(signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const cached = this.cached;
    if (cached && this.now() < cached.refreshAt) return cached.value;
    // One shared request, not tied to any caller's signal: one caller giving
    // up must not fail the others. Each caller stops waiting on its own.
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = undefined;
    });
    const fresh = await abortable(this.inFlight, signal);
    return fresh.value;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async fetchToken(): Promise<CachedToken> {
    const host = new URL(this.tokenUrl).host;
    const response = await pRetry(() => this.requestOnce(), {
      retries: this.retry.retries,
      minTimeout: this.retry.minDelayMs,
      maxTimeout: this.retry.maxDelayMs,
      randomize: true,
      shouldRetry: ({ error }) => error instanceof TransientFailure,
    }).catch((error: unknown) => {
      if (error instanceof MaxrecError) throw error;
      throw new MaxrecError(
        ExitCode.environment,
        `Could not get an IBM Cloud IAM token from ${host}: ` +
          `${error instanceof Error ? error.message : String(error)}.`,
        { hint: 'Check the network connection, then try again.' },
      );
    });
    const token = this.cacheEntry(response.data);
    debugLog(
      `iam: token ${maskSecret(token.value)} valid until`,
      token.expiresAt,
    );
    this.cached = token;
    return token;
  }

  /** One POST; throws TransientFailure for what a retry may fix. */
  private async requestOnce(): Promise<AxiosResponse<unknown>> {
    const form = new URLSearchParams({
      grant_type: GRANT_TYPE,
      apikey: this.apiKey,
    });
    let response: AxiosResponse<unknown>;
    try {
      response = await axios.post(this.tokenUrl, form.toString(), {
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        timeout: this.timeoutMs,
        validateStatus: () => true,
      });
    } catch (error) {
      const code = axios.isAxiosError(error) ? error.code : undefined;
      if (isTlsCode(code)) {
        // A TLS mismatch answers the same on every try.
        const host = new URL(this.tokenUrl).host;
        const tls = tlsFailure(`IBM Cloud IAM at ${host}`, code);
        throw new MaxrecError(ExitCode.environment, tls.message, {
          hint: tls.hint,
        });
      }
      throw new TransientFailure(code ?? 'network error');
    }
    const { status } = response;
    debugLog(`iam: POST /identity/token -> ${status}`);
    if (status >= 200 && status < 300) return response;
    if (status === 400 || status === 401) throw this.refused(response.data);
    const failure = `IAM answered ${status}${iamMessage(response.data)}`;
    if (status === 429 || status >= 500) throw new TransientFailure(failure);
    throw new MaxrecError(ExitCode.environment, `${failure}.`, {
      hint: 'Check ML_APIKEY and the IAM URL, then try again.',
    });
  }

  private refused(body: unknown): MaxrecError {
    const detail = redact(iamMessage(body), [this.apiKey]);
    return new MaxrecError(
      ExitCode.environment,
      `IBM Cloud IAM refused the API key ending ${maskSecret(this.apiKey)}` +
        `${detail}.`,
      { hint: 'Check ML_APIKEY: it must be a valid IBM Cloud API key.' },
    );
  }

  private cacheEntry(body: unknown): CachedToken {
    const reply = (body ?? {}) as Record<string, unknown>;
    const value = reply['access_token'];
    if (typeof value !== 'string' || value === '') {
      throw new MaxrecError(
        ExitCode.environment,
        'IBM Cloud IAM answered without an access token.',
        { hint: 'Check the IAM URL, then try again.' },
      );
    }
    const now = this.now();
    const expiresIn = numberOr(reply['expires_in']);
    const expiration = numberOr(reply['expiration']);
    // `expiration` is absolute, as IBM's own SDKs use it; `expires_in` gives
    // the lifetime. Either stands in for the other; an hour if neither.
    const expiresAt =
      expiration !== undefined
        ? expiration * 1000
        : now + (expiresIn ?? 3600) * 1000;
    const lifetime =
      expiresIn !== undefined ? expiresIn * 1000 : expiresAt - now;
    // Refresh with 5 minutes or 10% of the life left, whichever comes first,
    // but never in the first half of a short-lived token's life.
    const margin = Math.min(
      Math.max(FIVE_MINUTES_MS, lifetime * 0.1),
      lifetime / 2,
    );
    return { value, expiresAt, refreshAt: expiresAt - margin };
  }
}

/** IAM's own error text (`errorCode`, `errorMessage`), or nothing. */
function iamMessage(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const { errorCode, errorMessage } = body as Record<string, unknown>;
  if (typeof errorMessage !== 'string') return '';
  return typeof errorCode === 'string'
    ? `: ${errorMessage} (${errorCode})`
    : `: ${errorMessage}`;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value)
    ? value
    : undefined;
}

/** Wait for `promise`, or reject with the signal's reason when it aborts. */
export function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
  });
}
