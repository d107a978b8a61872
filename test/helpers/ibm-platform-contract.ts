/**
 * IBM Cloud IAM, the resource controller and the Watson Data API's spaces
 * on 127.0.0.1, as src/services/ibm/ibm-platform.ts and cos-credentials.ts
 * cite them: the token endpoint, `GET /v2/resource_groups` (unpaged),
 * `GET /v2/resource_instances` (filtered by `resource_id` and
 * `resource_group_id`, paged by a `start` token in `next_url`), an
 * instance's keys at `GET /v2/resource_instances/{id}/resource_keys`
 * (paged the same way), one at `GET /v2/resource_keys/{id}`,
 * `POST /v2/resource_keys` (a COS key with HMAC keys only when
 * `parameters.HMAC` is true) and `GET /v2/spaces` (paged by `start` in
 * `next.href`). Strict where the contract is (bearer tokens, query
 * parameters, body fields), so a drifting client fails here. A key's
 * `credentials` are served as stored: a test stores `{REDACTED: …}` for a
 * key the API key may not read; a one-time key's are left out once made.
 *
 * The spaces API is served under `/dataplatform`, as a proxy would: its
 * links stay host-relative, as the real ones are, so a client that followed
 * them literally instead of sending their `start` token would fail.
 * Steered by the test with `groups`, `instances`, `resourceKeys`, `spaces`,
 * `pageSize`, `failNext` and `revokeTokens`; `keys` holds every credential
 * created, secrets and all.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { RESOURCE_IDS } from '../../src/services/ibm/ibm-platform.js';
import {
  contractGroup,
  contractKey,
  DEFAULT_GROUP_ID,
  hmacKeysOf,
} from './ibm-platform-fixtures.js';
import { asObject, type Json } from './wml-contract-rules.js';

export {
  contractGroup,
  contractInstance,
  contractKey,
  DEFAULT_GROUP_ID,
  hmacKeysOf,
} from './ibm-platform-fixtures.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: unknown;
  status: number;
}

export interface CreatedKey {
  request: Json;
  accessKeyId: string;
  secretAccessKey: string;
}

interface Exchange {
  record: RecordedRequest;
  reply(status: number, body?: unknown): void;
}

const SPACES_PREFIX = '/dataplatform';
const ROLES = new Set(['Reader', 'Writer', 'Manager']);
const INSTANCE_KEYS = /^\/v2\/resource_instances\/([^/]+)\/resource_keys$/;
const ONE_KEY = /^\/v2\/resource_keys\/([^/]+)$/;

export class IbmPlatformContractServer {
  url = '';
  iamUrl = '';
  resourceControllerUrl = '';
  dataPlatformUrl = '';
  readonly apiKey = 'platform-test-api-key-0123456789';
  readonly requests: RecordedRequest[] = [];
  groups: Json[] = [contractGroup('Default', DEFAULT_GROUP_ID, true)];
  instances: Json[] = [];
  /** Every resource key the service holds, those created included. */
  resourceKeys: Json[] = [];
  spaces: { id: string; name: string }[] = [];
  /**
   * Tokens issued elsewhere that pass as well: the sandbox's, whose IAM is
   * the WML contract server's.
   */
  acceptToken: (token: string) => boolean = () => false;
  /** The most rows a page holds, whatever `limit` asks. */
  pageSize = 2;
  readonly keys: CreatedKey[] = [];
  private readonly tokens = new Set<string>();
  private readonly faults: { method: string; path: string; status: number }[] =
    [];
  private readonly server = createServer((req, res) => this.receive(req, res));

  async start(): Promise<this> {
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    const { port } = this.server.address() as AddressInfo;
    this.url =
      this.iamUrl =
      this.resourceControllerUrl =
        `http://127.0.0.1:${port}`;
    this.dataPlatformUrl = `${this.url}${SPACES_PREFIX}`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The next request to `path` gets `status`, in the service's error shape. */
  failNext(method: string, path: string, status: number): void {
    this.faults.push({ method, path, status });
  }

  /** Every token issued so far answers 401 from now on. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://contract');
      const text = Buffer.concat(chunks).toString('utf8');
      const type = req.headers['content-type'] ?? '';
      const record: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: type.startsWith('application/x-www-form-urlencoded')
          ? Object.fromEntries(new URLSearchParams(text))
          : parseJson(text),
        status: 0,
      };
      this.requests.push(record);
      const reply = (status: number, body?: unknown) => {
        record.status = status;
        if (body === undefined) return void res.writeHead(status).end();
        res.setHeader('content-type', 'application/json');
        res.writeHead(status).end(JSON.stringify(body));
      };
      this.route({ record, reply });
    });
  }

  private route(x: Exchange): void {
    const { method, path } = x.record;
    if (method === 'POST' && path === '/identity/token') return this.iam(x);
    const spaces = path.startsWith(SPACES_PREFIX);
    const refuse = spaces ? dataPlatformError : resourceControllerError;
    const at = this.faults.findIndex(
      (f) => f.method === method && f.path === path,
    );
    if (at >= 0) {
      const [fault] = this.faults.splice(at, 1);
      return refuse(x, fault!.status, 'Injected fault.');
    }
    const token = /^Bearer (.+)$/.exec(x.record.headers.authorization ?? '');
    const bearer = token?.[1] ?? '';
    if (!this.tokens.has(bearer) && !this.acceptToken(bearer)) {
      return refuse(x, 401, 'The bearer token is not valid.');
    }
    const route = `${method} ${spaces ? path.slice(SPACES_PREFIX.length) : path}`;
    if (route === 'GET /v2/resource_groups') return this.listGroups(x);
    if (route === 'GET /v2/resource_instances') return this.listInstances(x);
    if (route === 'POST /v2/resource_keys') return this.createKey(x);
    const keysOf = INSTANCE_KEYS.exec(path)?.[1];
    if (method === 'GET' && keysOf) return this.listKeys(x, keysOf);
    const key = ONE_KEY.exec(path)?.[1];
    if (method === 'GET' && key) return this.getKey(x, key);
    if (route === 'GET /v2/spaces' && spaces) return this.listSpaces(x);
    refuse(x, 404, `No route for ${method} ${path}.`);
  }

  private iam({ record, reply }: Exchange): void {
    const form = asObject(record.body);
    const ok =
      form['grant_type'] === 'urn:ibm:params:oauth:grant-type:apikey' &&
      form['apikey'] === this.apiKey;
    if (!ok) {
      return reply(400, {
        errorCode: 'BXNIM0415E',
        errorMessage: 'Provided API key could not be found.',
      });
    }
    const token = `tok-${randomUUID()}`;
    this.tokens.add(token);
    const expiration = Math.floor(Date.now() / 1000) + 3600;
    reply(200, { access_token: token, expires_in: 3600, expiration });
  }

  private listGroups(x: Exchange): void {
    x.reply(200, { resources: this.groups });
  }

  private listInstances(x: Exchange): void {
    const { query } = x.record;
    if (!query['resource_id']) {
      return resourceControllerError(x, 400, 'Filter by resource_id here.');
    }
    const group = query['resource_group_id'];
    const rows = this.instances.filter(
      (i) =>
        i['resource_id'] === query['resource_id'] &&
        (group === undefined || i['resource_group_id'] === group),
    );
    const page = this.page(x, rows);
    if (!page) return;
    const next = new URLSearchParams({ ...query, start: page.next ?? '' });
    x.reply(200, {
      rows_count: page.rows.length,
      next_url: page.next ? `/v2/resource_instances?${next}` : null,
      resources: page.rows,
    });
  }

  private listSpaces(x: Exchange): void {
    const rows = this.spaces.map((s) => ({
      metadata: { id: s.id, created_at: '2026-01-01T00:00:00Z' },
      entity: { name: s.name, status: { state: 'active' } },
    }));
    const page = this.page(x, rows);
    if (!page) return;
    const limit = x.record.query['limit'] ?? '100';
    x.reply(200, {
      total_count: rows.length,
      limit: Number(limit),
      first: { href: `/v2/spaces?limit=${limit}` },
      ...(page.next
        ? { next: { href: `/v2/spaces?limit=${limit}&start=${page.next}` } }
        : {}),
      resources: page.rows,
    });
  }

  /** One page from `start` (an opaque token), or undefined once refused. */
  private page<T>(x: Exchange, rows: T[]) {
    const { start, limit } = x.record.query;
    const offset = start
      ? Number(Buffer.from(start, 'base64url').toString('utf8'))
      : 0;
    const refuse = x.record.path.startsWith(SPACES_PREFIX)
      ? dataPlatformError
      : resourceControllerError;
    if (!Number.isInteger(offset) || offset < 0 || offset > rows.length) {
      refuse(x, 400, `The start token "${start}" is not valid.`);
      return undefined;
    }
    const size = Math.min(Number(limit ?? 100) || 100, this.pageSize);
    const end = offset + size;
    const next =
      end < rows.length
        ? Buffer.from(String(end), 'utf8').toString('base64url')
        : undefined;
    return { rows: rows.slice(offset, end), next };
  }

  /** An instance's keys, `id` its GUID or CRN, URL-encoded. */
  private listKeys(x: Exchange, id: string): void {
    const instance = this.instance(decodeURIComponent(id));
    if (!instance) {
      return resourceControllerError(x, 404, `Instance ${id} not found.`);
    }
    const rows = this.resourceKeys
      .filter((key) => key['source_crn'] === instance['crn'])
      .map(stored);
    const page = this.page(x, rows);
    if (!page) return;
    const next = new URLSearchParams({
      limit: x.record.query['limit'] ?? '100',
      start: page.next ?? '',
    });
    x.reply(200, {
      rows_count: page.rows.length,
      next_url: page.next
        ? `/v2/resource_instances/${id}/resource_keys?${next}`
        : null,
      resources: page.rows,
    });
  }

  private getKey(x: Exchange, id: string): void {
    const wanted = decodeURIComponent(id);
    const key = this.resourceKeys.find(
      (k) => k['guid'] === wanted || k['crn'] === wanted,
    );
    if (!key) {
      return resourceControllerError(x, 404, `Resource key ${id} not found.`);
    }
    x.reply(200, stored(key));
  }

  private instance(id: string): Json | undefined {
    return this.instances.find((i) => i['guid'] === id || i['crn'] === id);
  }

  private createKey(x: Exchange): void {
    const body = asObject(x.record.body);
    const { name, source, role } = body;
    const parameters = asObject(body['parameters']);
    if (typeof name !== 'string' || !name || typeof source !== 'string') {
      return resourceControllerError(x, 400, 'name and source are required.');
    }
    if (role !== undefined && !(typeof role === 'string' && ROLES.has(role))) {
      return resourceControllerError(x, 400, `Unknown role ${String(role)}.`);
    }
    const instance = this.instance(source);
    if (!instance) {
      return resourceControllerError(x, 404, `Instance ${source} not found.`);
    }
    if (
      instance['resource_id'] !== RESOURCE_IDS.cos ||
      parameters['HMAC'] !== true
    ) {
      return resourceControllerError(x, 400, 'Ask COS for {"HMAC": true}.');
    }
    const key = contractKey(instance, name);
    this.keys.push({ request: body, ...hmacKeysOf(key) });
    this.resourceKeys.push(key);
    x.reply(201, key);
  }
}

/** A stored key as a read shows it: a one-time key without its values. */
function stored(key: Json): Json {
  if (key['onetime_credentials'] !== true) return key;
  const { credentials: _withheld, ...rest } = key;
  return rest;
}

/** `{error_code, message, status_code, transaction_id}`, as the service. */
function resourceControllerError(x: Exchange, status: number, text: string) {
  x.reply(status, {
    error_code:
      status === 401 || status === 403 ? 'RC-IamErrorResponse' : 'RC-Error',
    message: text,
    status_code: status,
    transaction_id: `bss-${randomUUID().slice(0, 16)}`,
  });
}

/** `{trace, errors:[{code, message}]}`, as the Watson Data API. */
function dataPlatformError(x: Exchange, status: number, text: string) {
  x.reply(status, {
    trace: randomUUID(),
    errors: [
      { code: status === 401 ? 'not_authorized' : 'error', message: text },
    ],
  });
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function startIbmPlatformContract(): Promise<IbmPlatformContractServer> {
  return new IbmPlatformContractServer().start();
}
