/**
 * `maxrec ibm groups|instances|spaces|credentials`: the IBM Cloud values
 * that setup asks for, found with the API key as the original setup found
 * them: the resource groups, the WML and COS instances (of one group with
 * --resource-group), the deployment spaces of a region, and the
 * credentials of a COS instance, without their values. HMAC keys:
 * ibm-hmac-key.ts.
 */
import { aligned } from '../core/columns.js';
import { ExitCode } from '../core/errors.js';
import { requireApiKey } from '../services/ibm/api-key.js';
import { IamTokenSource } from '../services/ibm/iam-token.js';
import { requireSecureUrls } from '../services/secure-url.js';
import {
  DEFAULT_WML_URL,
  findResourceGroup,
  IbmPlatformClient,
  type ResourceGroup,
  type ServiceInstance,
} from '../services/ibm/ibm-platform.js';
import type { Output } from './output.js';

export interface IbmFlags {
  iamUrl?: string;
  resourceControllerUrl?: string;
  dataPlatformUrl?: string;
  json?: boolean;
}

export interface IbmInstancesFlags extends IbmFlags {
  /** Only the instances of this resource group, by name or ID. */
  resourceGroup?: string;
}

export interface IbmSpacesFlags extends IbmFlags {
  wmlUrl?: string;
}

export interface IbmCredentialsFlags extends IbmFlags {
  cosInstance: string;
}

export interface IbmContext {
  output: Output;
  env?: NodeJS.ProcessEnv;
}

const SERVICE_NAMES = { wml: 'WML', cos: 'COS' } as const;

export async function ibmGroupsCommand(
  flags: IbmFlags,
  { output, env = process.env }: IbmContext,
): Promise<number> {
  const groups = await openPlatform(flags, env).listResourceGroups();
  if (groups.length === 0) {
    output.info(
      'The API key sees no resource groups. Check the account the key ' +
        'belongs to, and its access to the groups.',
    );
    return ExitCode.ok;
  }
  printTable(
    output,
    'group',
    ['NAME', 'STATE', 'DEFAULT', 'ID'],
    groups.map((group) => ({
      record: { ...group },
      cells: [group.name, group.state, group.default ? 'yes' : 'no', group.id],
    })),
  );
  output.info('Next: maxrec ibm instances --resource-group NAME');
  return ExitCode.ok;
}

export async function ibmInstancesCommand(
  flags: IbmInstancesFlags,
  { output, env = process.env }: IbmContext,
): Promise<number> {
  const platform = openPlatform(flags, env);
  const groups = await platform.listResourceGroups();
  const group =
    flags.resourceGroup === undefined
      ? undefined
      : findResourceGroup(groups, flags.resourceGroup);
  const filter = group ? { resourceGroupId: group.id } : {};
  const instances = [
    ...(await platform.listInstances('wml', filter)),
    ...(await platform.listInstances('cos', filter)),
  ];
  if (instances.length === 0) {
    output.info(noInstances(group));
    return ExitCode.ok;
  }
  printTable(
    output,
    'instance',
    ['SERVICE', 'NAME', 'GROUP', 'REGION', 'STATE', 'GUID'],
    instances.map((instance) => instanceRow(instance, groups)),
  );
  output.info(
    'Next: maxrec ibm credentials --cos-instance GUID, or maxrec ibm ' +
      'hmac-key --cos-instance GUID --keys-file FILE; then maxrec ibm spaces.',
  );
  return ExitCode.ok;
}

/** A group the key cannot see shows by its ID. */
function instanceRow(instance: ServiceInstance, groups: ResourceGroup[]) {
  const group = groups.find((g) => g.id === instance.resourceGroupId);
  const resourceGroup = group?.name ?? instance.resourceGroupId;
  return {
    record: { ...instance, resourceGroup },
    cells: [
      SERVICE_NAMES[instance.kind],
      instance.name,
      resourceGroup,
      instance.region,
      instance.state,
      instance.guid,
    ],
  };
}

function noInstances(group: ResourceGroup | undefined): string {
  return group
    ? `Resource group "${group.name}" holds no WML or COS instances the ` +
        'API key sees. Leave out --resource-group to list them all.'
    : 'The API key sees no WML or COS instances. Create them in the IBM ' +
        'Cloud catalog, or check the account the key belongs to.';
}

export async function ibmSpacesCommand(
  flags: IbmSpacesFlags,
  { output, env = process.env }: IbmContext,
): Promise<number> {
  // ML_ENV names the WML URL for training too; spaces live in its region.
  const wmlUrl = flags.wmlUrl ?? (env['ML_ENV'] || DEFAULT_WML_URL);
  const spaces = await openPlatform(flags, env, wmlUrl).listSpaces();
  if (spaces.length === 0) {
    output.info(
      `No deployment spaces for ${wmlUrl}. Create one in watsonx ` +
        '(Deployments > New deployment space), or pass --wml-url for ' +
        'another region.',
    );
    return ExitCode.ok;
  }
  printTable(
    output,
    'space',
    ['ID', 'NAME'],
    spaces.map((space) => ({
      record: { ...space },
      cells: [space.id, space.name],
    })),
  );
  output.info('Next: maxrec setup CONFIG --backend ibm --space-id ID');
  return ExitCode.ok;
}

export async function ibmCredentialsCommand(
  flags: IbmCredentialsFlags,
  { output, env = process.env }: IbmContext,
): Promise<number> {
  const { cosInstance } = flags;
  const credentials = await openPlatform(flags, env).listCredentials(
    cosInstance,
  );
  if (credentials.length === 0) {
    output.info(
      `COS instance ${cosInstance} has no credentials. Create one with ` +
        `HMAC keys: maxrec ibm hmac-key --cos-instance ${cosInstance} ` +
        '--keys-file FILE',
    );
    return ExitCode.ok;
  }
  printTable(
    output,
    'credential',
    ['NAME', 'HMAC', 'CREATED', 'GUID'],
    credentials.map((credential) => ({
      record: { ...credential },
      cells: [
        credential.name,
        credential.hmac,
        minutes(credential.createdAt),
        credential.guid,
      ],
    })),
  );
  if (credentials.some((credential) => credential.hmac === 'hidden')) {
    output.info(
      'hidden: IBM withholds its values from this API key (one-time view, ' +
        'or the Administrator role on the instance is missing).',
    );
  }
  output.info(
    `Next: maxrec ibm hmac-key --cos-instance ${cosInstance} ` +
      '--credential NAME --keys-file FILE',
  );
  return ExitCode.ok;
}

export function openPlatform(
  flags: IbmFlags,
  env: NodeJS.ProcessEnv,
  wmlUrl?: string,
): IbmPlatformClient {
  const apiKey = requireApiKey(env, 'maxrec ibm');
  // A flag wins; its environment variable is the default.
  const iamUrl = flags.iamUrl ?? (env['MAXREC_IAM_URL'] || undefined);
  const resourceControllerUrl =
    flags.resourceControllerUrl ??
    (env['MAXREC_RESOURCE_CONTROLLER_URL'] || undefined);
  const dataPlatformUrl =
    flags.dataPlatformUrl ?? (env['MAXREC_DATA_PLATFORM_URL'] || undefined);
  // The key and the token never go anywhere in the clear.
  requireSecureUrls(
    [
      [source('--iam-url', 'MAXREC_IAM_URL', flags.iamUrl), iamUrl],
      [
        source(
          '--resource-controller-url',
          'MAXREC_RESOURCE_CONTROLLER_URL',
          flags.resourceControllerUrl,
        ),
        resourceControllerUrl,
      ],
      [
        source(
          '--data-platform-url',
          'MAXREC_DATA_PLATFORM_URL',
          flags.dataPlatformUrl,
        ),
        dataPlatformUrl,
      ],
      ['--wml-url (or ML_ENV)', wmlUrl],
    ],
    ExitCode.invocation,
  );
  return new IbmPlatformClient({
    // MAXREC_IAM_URL is already in iamUrl, under the flag.
    tokens: new IamTokenSource({ apiKey, iamUrl, env: {} }),
    resourceControllerUrl,
    dataPlatformUrl,
    wmlUrl,
  });
}

/** Where a URL came from, for a refusal: the flag, or its variable. */
function source(flag: string, variable: string, given?: string): string {
  return given === undefined ? variable : flag;
}

interface TableRow {
  /** The --json record. */
  record: Record<string, unknown>;
  cells: string[];
}

/** A header line, then one record a row, its text the aligned cells. */
function printTable(
  output: Output,
  type: string,
  header: string[],
  rows: TableRow[],
): void {
  const lines = aligned([header, ...rows.map((row) => row.cells)]);
  output.info(lines[0]!);
  rows.forEach((row, n) => output.record(type, row.record, lines[n + 1]!));
}

/** `2026-01-15T09:30:12.5Z` as `2026-01-15 09:30Z`; anything else as is. */
function minutes(iso: string): string {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)[^Z]*Z$/.exec(iso);
  return match ? `${match[1]} ${match[2]}Z` : iso;
}
