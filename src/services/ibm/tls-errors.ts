/**
 * TLS failures in a user's words. Node reports a handshake that went wrong
 * (an https:// URL at a plain-http server answers EPROTO with OpenSSL's
 * raw "ssl3_record.c" text) or a certificate it will not trust by an error
 * code; the message names the host and what to check instead of quoting
 * OpenSSL. Shared by COS (cos-errors.ts), WML and the platform APIs
 * (ibm-http.ts) and IAM (iam-token.ts).
 */

/** Certificate codes Node's TLS gives when it will not trust a server. */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Whether an error code is a TLS failure rather than a network one. */
export function isTlsCode(code: string | undefined): code is string {
  if (!code) return false;
  return (
    code === 'EPROTO' ||
    code.startsWith('ERR_SSL_') ||
    CERTIFICATE_CODES.has(code)
  );
}

/**
 * The message and hint for a TLS failure talking to `service`, named with
 * its host ("WML at us-south.ml.cloud.ibm.com"), while `doing` something.
 * A retry cannot fix either kind, so callers fail at once.
 */
export function tlsFailure(
  service: string,
  code: string,
  doing?: string,
): { message: string; hint: string } {
  const during = doing ? ` while ${doing}` : '';
  if (CERTIFICATE_CODES.has(code)) {
    return {
      message: `${service} sent a certificate this machine does not trust${during} (${code}).`,
      hint:
        'Check the endpoint names the right host; behind a proxy that ' +
        "inspects TLS, set NODE_EXTRA_CA_CERTS to the proxy's CA file.",
    };
  }
  return {
    message:
      `The secure connection to ${service} failed${during} (${code}): ` +
      'the server did not answer in TLS.',
    hint:
      'Check the endpoint: http:// for a plain-HTTP server, https:// for a ' +
      'TLS one, the right host and port, and any proxy in between.',
  };
}

/**
 * The TLS code somewhere in an error: its own code, or one the SDK wrapped
 * (ibm-cos-sdk turns EPROTO into NetworkingError inside UnknownEndpoint,
 * leaving the code only in the OpenSSL text).
 */
export function tlsCodeIn(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return;
  const e = error as Record<string, unknown>;
  const code = typeof e['code'] === 'string' ? e['code'] : undefined;
  if (isTlsCode(code)) return code;
  const message = typeof e['message'] === 'string' ? e['message'] : '';
  const named = /\b(EPROTO|ERR_SSL_[A-Z_]+|[A-Z_]*CERT[A-Z_]*)\b/.exec(message);
  if (isTlsCode(named?.[1])) return named[1];
  return (
    tlsCodeIn(e['originalError'], depth + 1) ?? tlsCodeIn(e['cause'], depth + 1)
  );
}
