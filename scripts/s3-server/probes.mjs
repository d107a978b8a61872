/**
 * The requests that tell swift-server.mjs its servers are ready: Swift's
 * /healthcheck, and ListBuckets signed with SigV4 as the SDKs sign it,
 * written out here so that the script does not depend on whichever S3
 * client the app uses.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';

/** @param {string} text */
const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/**
 * @param {string | Buffer} key
 * @param {string} text
 */
const hmac = (key, text) => createHmac('sha256', key).update(text).digest();

/**
 * GET / (ListBuckets) against `endpoint`; resolves to the status and body,
 * or rejects when nothing answers.
 * @param {{ endpoint: string, accessKeyId: string,
 *           secretAccessKey: string, region: string }} server
 * @returns {Promise<{ status: number, body: string }>}
 */
export function listBuckets(server) {
  const url = new URL('/', server.endpoint);
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256('');
  const headers = {
    host: url.host,
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
  };
  const signedHeaders = Object.keys(headers).join(';');
  const canonicalRequest = [
    'GET',
    '/',
    '',
    ...Object.entries(headers).map(([name, value]) => `${name}:${value}`),
    '',
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${server.region}/s3/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    sha256(canonicalRequest),
  ].join('\n');
  let key = hmac(`AWS4${server.secretAccessKey}`, day);
  for (const part of [server.region, 's3', 'aws4_request']) {
    key = hmac(key, part);
  }
  const signature = hmac(key, stringToSign).toString('hex');
  const authorization =
    `AWS4-HMAC-SHA256 Credential=${server.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;

  return new Promise((resolve, reject) => {
    const request = http.get(
      url,
      { headers: { ...headers, authorization }, timeout: 5000 },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

/**
 * GET `url`, for a Swift server's /healthcheck.
 * @param {string} url
 * @returns {Promise<number>} the status, 0 when nothing answered
 */
export function healthcheck(url) {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
  });
}
