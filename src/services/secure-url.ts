/**
 * Where credentials may be sent: https, or plain http to this machine
 * only (local test servers). An API key, a bearer token or HMAC keys must
 * never cross a network in the clear.
 */
import { MaxrecError, type ExitCodeValue } from '../core/errors.js';

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

export function isSecureUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' ||
    (url.protocol === 'http:' && LOOPBACK.test(url.hostname))
  );
}

/**
 * Throws (with `exitCode`) for the first URL that is set and not secure.
 * `urls` pairs where a URL came from, for the message (`--iam-url`,
 * `backend.ibm.iam_url`), with the URL.
 */
export function requireSecureUrls(
  urls: readonly (readonly [source: string, url: string | undefined])[],
  exitCode: ExitCodeValue,
): void {
  for (const [source, url] of urls) {
    if (url !== undefined && !isSecureUrl(url)) {
      throw new MaxrecError(
        exitCode,
        `${source} ${url} is not an https:// URL: the API key or token ` +
          'would travel in the clear.',
        { hint: 'Use https (plain http only to this machine).' },
      );
    }
  }
}
