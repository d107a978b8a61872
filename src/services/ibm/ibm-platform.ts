/**
 * Discovery for IBM setup, as the original setup offered it: the account's
 * resource groups, its WML and COS instances, the deployment spaces of a
 * region, and COS credentials with HMAC keys (cos-credentials.ts). HTTP,
 * retries and errors: ibm-platform-http.ts.
 *
 * Protocols, checked against IBM's pages and IBM's own clients:
 * - Resource manager,
 *   https://cloud.ibm.com/apidocs/resource-controller/resource-manager
 *   (client: IBM/platform-services-node-sdk, resource-manager/v2.ts, whose
 *   service URL is the resource controller's with `/v2`).
 *   `GET /v2/resource_groups` answers `{resources:[{id, crn, account_id,
 *   name, state, default}]}`, unpaged.
 * - Resource controller,
 *   https://cloud.ibm.com/apidocs/resource-controller/resource-controller
 *   (client: the same SDK, resource-controller/v2.ts).
 *   `GET /v2/resource_instances?resource_id=…&resource_group_id=…&limit=…`
 *   answers `{rows_count, next_url, resources:[{guid, crn, name,
 *   region_id, state, resource_group_id}]}`, `next_url` carrying the
 *   `start` token.
 * - Watson Data API spaces, https://cloud.ibm.com/apidocs/watson-data-api:
 *   `GET /v2/spaces` answers `{resources:[{metadata:{id}, entity:{name}}],
 *   next:{href}}`: `resources`, not `results`, as ibm-watsonx-ai's
 *   Spaces._get_resources reads it; `next.href` carries `start`.
 */
import { ExitCode, MaxrecError } from '../../core/errors.js';
import {
  createHmacCredential,
  listCosCredentials,
  readHmacCredential,
  type CosCredential,
  type HmacCredential,
  type ResourceController,
} from './cos-credentials.js';
import type { RetryPolicy, TokenProvider } from './iam-token.js';
import {
  field,
  list,
  PlatformHttp,
  text,
  type PlatformCall,
} from './ibm-platform-http.js';
import { pickNamed } from './pick-named.js';

export {
  findCredential,
  type CosCredential,
  type HmacCredential,
} from './cos-credentials.js';

export const DEFAULT_RESOURCE_CONTROLLER_URL =
  'https://resource-controller.cloud.ibm.com';
export const DEFAULT_WML_URL = 'https://us-south.ml.cloud.ibm.com';

/**
 * Global catalog ids (`resource_id`) of "pm-20" (WML) and
 * "cloud-object-storage" (COS), as IBM's ibm-aigov-facts-client (WML) and
 * the OpenShift installer's IBM Cloud code (COS, read with `ibmcloud
 * catalog service cloud-object-storage`) use them; not read from the
 * catalog API itself.
 */
export const RESOURCE_IDS = {
  wml: '51c53b72-918f-4869-b834-2d99eb28422a',
  cos: 'dff97f5c-bc5e-4455-b470-411c3edbe49c',
} as const;

export type InstanceKind = keyof typeof RESOURCE_IDS;

export interface ServiceInstance {
  kind: InstanceKind;
  name: string;
  guid: string;
  crn: string;
  /** `region_id`: a region such as us-south, or `global` for COS. */
  region: string;
  state: string;
  resourceGroupId: string;
}

export interface DeploymentSpace {
  id: string;
  name: string;
}

export interface ResourceGroup {
  id: string;
  name: string;
  state: string;
  /** The account's default group, where new instances go. */
  default: boolean;
  accountId: string;
}

export interface IbmPlatformOptions {
  tokens: TokenProvider;
  resourceControllerUrl?: string;
  /** The WML URL of the region whose spaces to list. */
  wmlUrl?: string;
  /** Overrides the Watson Data API host derived from `wmlUrl`. */
  dataPlatformUrl?: string;
  retries?: Partial<RetryPolicy>;
  timeoutMs?: number;
}

/**
 * WML region to Watson Data API host, as IBM/watsonx-ai-node-sdk's
 * PLATFORM_URLS_MAP has them; a `private.` WML host maps the same way.
 */
const DATA_PLATFORM_HOSTS: Record<string, string> = {
  'us-south': 'https://api.dataplatform.cloud.ibm.com',
  'eu-de': 'https://api.eu-de.dataplatform.cloud.ibm.com',
  'eu-gb': 'https://api.eu-gb.dataplatform.cloud.ibm.com',
  'jp-tok': 'https://api.jp-tok.dataplatform.cloud.ibm.com',
  'ca-tor': 'https://api.ca-tor.dai.cloud.ibm.com',
};

/** The Watson Data API host that serves the spaces of a WML URL's region. */
export function dataPlatformUrlFor(wmlUrl: string): string {
  const host = URL.canParse(wmlUrl) ? new URL(wmlUrl).hostname : '';
  const region = /^(?:private\.)?([a-z]+-[a-z]+)\.ml\.cloud\.ibm\.com$/.exec(
    host,
  )?.[1];
  const url = region ? DATA_PLATFORM_HOSTS[region] : undefined;
  if (url) return url;
  throw new MaxrecError(
    ExitCode.configuration,
    `Cannot tell which Watson Data API serves the spaces of "${wmlUrl}".`,
    {
      hint: 'Pass --data-platform-url, e.g. https://api.dataplatform.cloud.ibm.com',
    },
  );
}

export class IbmPlatformClient {
  private readonly http: PlatformHttp;
  private readonly resourceControllerUrl: string;
  private readonly wmlUrl: string;
  private readonly dataPlatformUrl: string | undefined;

  constructor(options: IbmPlatformOptions) {
    this.http = new PlatformHttp(options);
    this.resourceControllerUrl = baseUrl(
      options.resourceControllerUrl ?? DEFAULT_RESOURCE_CONTROLLER_URL,
      '--resource-controller-url',
    );
    this.wmlUrl = options.wmlUrl ?? DEFAULT_WML_URL;
    this.dataPlatformUrl = options.dataPlatformUrl
      ? baseUrl(options.dataPlatformUrl, '--data-platform-url')
      : undefined;
  }

  /** The resource groups the API key can see. */
  async listResourceGroups(signal?: AbortSignal): Promise<ResourceGroup[]> {
    const { data } = await this.http.call({
      method: 'GET',
      base: this.resourceControllerUrl,
      path: '/v2/resource_groups',
      action: 'list the resource groups',
      signal,
      idempotent: true,
    });
    return list(field(data, 'resources')).map((row) => ({
      id: text(field(row, 'id')) ?? '',
      name: text(field(row, 'name')) ?? '',
      state: text(field(row, 'state')) ?? '',
      default: field(row, 'default') === true,
      accountId: text(field(row, 'account_id')) ?? '',
    }));
  }

  /**
   * Every WML or COS instance the API key can see, all pages; only those of
   * one resource group when `resourceGroupId` is given.
   */
  async listInstances(
    kind: InstanceKind,
    filter: { resourceGroupId?: string } = {},
    signal?: AbortSignal,
  ): Promise<ServiceInstance[]> {
    const group = filter.resourceGroupId;
    const call: PlatformCall = {
      method: 'GET',
      base: this.resourceControllerUrl,
      path: '/v2/resource_instances',
      action: `list the ${kind.toUpperCase()} instances`,
      signal,
      query: {
        resource_id: RESOURCE_IDS[kind],
        ...(group ? { resource_group_id: group } : {}),
        limit: '100',
      },
      idempotent: true,
    };
    const rows = await this.http.allPages(call, (body) => ({
      items: list(field(body, 'resources')),
      next: text(field(body, 'next_url')),
    }));
    return rows.map((row) => ({
      kind,
      name: text(field(row, 'name')) ?? '',
      guid: text(field(row, 'guid')) ?? '',
      crn: text(field(row, 'crn')) ?? '',
      region: text(field(row, 'region_id')) ?? '',
      state: text(field(row, 'state')) ?? '',
      resourceGroupId: text(field(row, 'resource_group_id')) ?? '',
    }));
  }

  /** The deployment spaces of the WML URL's region, all pages. */
  async listSpaces(signal?: AbortSignal): Promise<DeploymentSpace[]> {
    const call: PlatformCall = {
      method: 'GET',
      base: this.dataPlatformUrl ?? dataPlatformUrlFor(this.wmlUrl),
      path: '/v2/spaces',
      action: 'list the deployment spaces',
      signal,
      query: { limit: '100' },
      idempotent: true,
    };
    const rows = await this.http.allPages(call, (body) => ({
      items: list(field(body, 'resources')),
      next: text(field(field(body, 'next'), 'href')),
    }));
    return rows.map((row) => ({
      id: text(field(field(row, 'metadata'), 'id')) ?? '',
      name: text(field(field(row, 'entity'), 'name')) ?? '',
    }));
  }

  /** See cos-credentials.ts. */
  createHmacCredential(
    cosInstance: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<HmacCredential> {
    return createHmacCredential(this.controller(), cosInstance, name, signal);
  }

  /** The credentials of a COS instance, without their values. */
  listCredentials(
    cosInstance: string,
    signal?: AbortSignal,
  ): Promise<CosCredential[]> {
    return listCosCredentials(this.controller(), cosInstance, signal);
  }

  /** The HMAC keys of an existing credential, by GUID or CRN. */
  readHmacCredential(
    credential: string,
    signal?: AbortSignal,
  ): Promise<HmacCredential> {
    return readHmacCredential(this.controller(), credential, signal);
  }

  private controller(): ResourceController {
    return { http: this.http, url: this.resourceControllerUrl };
  }
}

/** The group --resource-group names, by name or ID, among `groups`. */
export function findResourceGroup(
  groups: ResourceGroup[],
  wanted: string,
): ResourceGroup {
  return pickNamed(groups, wanted, {
    what: 'resource group',
    flag: '--resource-group',
    lister: '`maxrec ibm groups`',
    name: (group) => group.name,
    id: (group) => group.id,
    none: 'The API key sees no resource groups: check the account it belongs to.',
  });
}

function baseUrl(url: string, flag: string): string {
  if (!URL.canParse(url)) {
    throw new MaxrecError(ExitCode.configuration, `"${url}" is not a URL.`, {
      hint: `Give ${flag} a URL such as https://host.`,
    });
  }
  return url.replace(/\/+$/, '');
}
