/**
 * HTTP for the IBM Cloud platform APIs (resource controller, Watson Data
 * API) on the layer WmlClient uses for WML (ibm-http.ts: token, retries,
 * errors), plus pages followed by their `start` token.
 *
 * Retries: GETs on network errors, 429 and 5xx. A POST that creates is
 * retried only when it cannot have arrived (connection never made, 429,
 * 503): a retry after the service acted would create a second credential.
 *
 * Exit codes: 401/403, 429/5xx after retries and an unreachable host are 2,
 * environment; a 400 or 404 the call names (`refused`) its own code; any
 * other refusal 3, configuration (a wrong URL override). Reply bodies are
 * never logged: a created key's reply holds its secret.
 */
import type { AxiosResponse } from 'axios';

import { ExitCode, MaxrecError } from '../../core/errors.js';
import type { ExitCodeValue } from '../../core/errors.js';
import {
  field,
  IbmHttp,
  text,
  type HttpCall,
  type IbmHttpOptions,
  type IbmService,
} from './ibm-http.js';
import { serviceError } from './wml-training.js';

export { field, list, text } from './ibm-http.js';

export interface PlatformCall extends HttpCall {
  method: 'GET' | 'POST';
  /** For a 400 or 404, e.g. an unknown instance given by flag. */
  refused?: { exit: ExitCodeValue; hint: string };
}

export type PlatformHttpOptions = IbmHttpOptions;

/** Pages followed at most, against a service that never stops paging. */
const MAX_PAGES = 200;

const PLATFORM: IbmService<PlatformCall> = {
  logName: 'ibm-platform',
  defaultTimeoutMs: 30_000,
  readError: platformError,
  message: (call, { said, status, ref }) =>
    `Could not ${call.action}: ${said} [HTTP ${status}${ref}].`,
  hints: {
    access:
      "Check ML_APIKEY: its identity needs Viewer access to the account's " +
      'instances, and Writer on a COS instance to create a credential.',
    unavailable: 'IBM Cloud is unavailable; try again later.',
  },
  refused: (call, { status }, message) =>
    (status === 400 || status === 404) && call.refused
      ? new MaxrecError(call.refused.exit, message, {
          hint: call.refused.hint,
        })
      : new MaxrecError(ExitCode.configuration, message, {
          hint: 'Check --resource-controller-url and --data-platform-url.',
        }),
  unreachable: {
    name: (host) => host,
    lookIn: 'the console',
    hint: 'Check the network connection, then try again.',
  },
};

export class PlatformHttp extends IbmHttp<PlatformCall> {
  constructor(options: PlatformHttpOptions) {
    super(options, PLATFORM);
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
