/**
 * Where credentials may be sent: https, or plain http to this machine
 * only (local test servers). An API key, a bearer token or HMAC keys must
 * never cross a network in the clear.
 */
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
