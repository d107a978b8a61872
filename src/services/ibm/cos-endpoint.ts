/**
 * Checking a COS endpoint before any request: the kinds IBM documents
 * (https://cloud.ibm.com/docs/cloud-object-storage?topic=cloud-object-storage-endpoints)
 * are regional `s3.<region>.cloud-object-storage.appdomain.cloud`,
 * cross-region `s3.<us|eu|ap>.…`, private `s3.private.<region>.…` and
 * direct `s3.direct.<region>.…`. Other hosts are taken as S3-compatible
 * stores. Plain http is allowed on loopback only, for local test servers.
 */
import { ExitCode, MaxrecError } from '../../core/errors.js';
import { isSecureUrl } from '../secure-url.js';

export type CosEndpointKind =
  'regional' | 'cross-region' | 'private' | 'direct' | 's3-compatible';

const COS_HOST =
  /^s3\.(?:(private|direct)\.)?([a-z0-9-]+)\.cloud-object-storage\.appdomain\.cloud$/;
const CROSS_REGION = new Set(['us', 'eu', 'ap']);

export interface CheckedEndpoint {
  href: string;
  kind: CosEndpointKind;
  /** The region or cross-region code in the host name, for COS hosts. */
  region?: string;
}

/** Throws (exit 3) for an endpoint that cannot be used with `credentials`. */
export function checkCosEndpoint(
  endpoint: string,
  credentials: { kind: 'hmac' | 'iam' },
): CheckedEndpoint {
  const where = 'data_stores.0.connection.endpoint';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new MaxrecError(
      ExitCode.configuration,
      `${where}: "${endpoint}" is not a URL.`,
      {
        hint: 'Use e.g. https://s3.us-south.cloud-object-storage.appdomain.cloud',
      },
    );
  }
  if (!isSecureUrl(endpoint)) {
    throw new MaxrecError(
      ExitCode.configuration,
      `${where}: "${endpoint}" is not an https:// URL; credentials would ` +
        'travel in the clear.',
      { hint: 'Use the https:// form of the endpoint.' },
    );
  }
  if (credentials.kind === 'iam' && url.protocol !== 'https:') {
    throw new MaxrecError(
      ExitCode.configuration,
      `${where}: IAM API keys need an https:// endpoint.`,
      { hint: 'Use HMAC keys (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).' },
    );
  }
  const match = COS_HOST.exec(url.hostname);
  if (!match) return { href: url.href, kind: 's3-compatible' };
  const [, network, region] = match;
  const kind: CosEndpointKind =
    network === 'private'
      ? 'private'
      : network === 'direct'
        ? 'direct'
        : CROSS_REGION.has(region!)
          ? 'cross-region'
          : 'regional';
  return { href: url.href, kind, region };
}
