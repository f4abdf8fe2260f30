import { isLoopbackUrl } from '../common/loopback.js';
import type { AppRegistrationSettings } from './credentials-file.js';
import { ConfigError } from './errors.js';
import { SettingsReader, type RawSettings } from './settings.js';

/** How a command reaches Microsoft Graph: the tenant, the endpoints, and the app registration it signs in as. */
export interface GraphAccessSettings {
  /** ENTRA_TENANT_ID or AZURE_TENANT_ID (either may be set; both must then name the same tenant), lower-cased. */
  readonly tenantId: string;
  readonly graphBaseUrl: string;
  readonly authorityHost: string;
  /** The tenant the token is asked from: always {@link tenantId}, kept for callers that name it so. */
  readonly tokenTenantId: string;
  /** AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (neither: a managed identity). */
  readonly app: AppRegistrationSettings;
}

/**
 * Reads the tenant (`ENTRA_TENANT_ID` or `AZURE_TENANT_ID`, the name `@azure/identity` uses), `GRAPH_BASE_URL`,
 * `AZURE_AUTHORITY_HOST`, and — unless the app registrations come from elsewhere (`appFromEnvironment: false`,
 * e.g. `--credentials`) — `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` and `AZURE_CLIENT_CERTIFICATE_PATH` into
 * `read`, whose caller reports the problems.
 *
 * @example
 *   const read = new SettingsReader({ AZURE_TENANT_ID: '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21', AZURE_CLIENT_ID: '…', AZURE_CLIENT_SECRET: '…' });
 *   const access = readGraphAccess(read); // access.tenantId === '6d1f4f3a-…'
 */
export function readGraphAccess(read: SettingsReader, options: { appFromEnvironment?: boolean } = {}): GraphAccessSettings {
  const tenantId = readTenantId(read);
  const fromEnvironment = options.appFromEnvironment ?? true;
  const access: GraphAccessSettings = {
    tenantId,
    graphBaseUrl: read.url('GRAPH_BASE_URL') ?? 'https://graph.microsoft.com',
    authorityHost: read.url('AZURE_AUTHORITY_HOST') ?? 'https://login.microsoftonline.com',
    tokenTenantId: tenantId,
    app: fromEnvironment ? appRegistration(read) : Object.freeze({}),
  };
  if (fromEnvironment && isLoopbackUrl(access.authorityHost) && !access.app.clientSecret) {
    read.report('AZURE_CLIENT_SECRET', 'is required when AZURE_AUTHORITY_HOST is a local emulator (no certificate or managed identity there)');
  }
  return access;
}

/** The Graph access settings alone, for `setup` and `doctor`; every problem reported at once. */
export function loadGraphAccessConfig(raw: RawSettings): GraphAccessSettings {
  const read = new SettingsReader(raw);
  const access = readGraphAccess(read);
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return Object.freeze(access);
}

/**
 * The tenant from ENTRA_TENANT_ID (this tool's name) or AZURE_TENANT_ID (the `@azure/identity` environment), so
 * either environment works alone; both set to different tenants is a mistake that would ask one tenant for a token
 * and write to another, so it stops with a line naming both.
 */
function readTenantId(read: SettingsReader): string {
  const entra = read.optional('ENTRA_TENANT_ID');
  const azure = read.optional('AZURE_TENANT_ID');
  if (entra && azure && entra.toLowerCase() !== azure.toLowerCase()) {
    read.report('ENTRA_TENANT_ID', `(${entra.slice(0, 64)}) and AZURE_TENANT_ID (${azure.slice(0, 64)}) name different tenants; set one of them, or both to the same tenant id`);
    return '';
  }
  if (!entra && azure) return read.guid('AZURE_TENANT_ID', '');
  return read.guid('ENTRA_TENANT_ID', 'the directory (tenant) id of your External ID tenant (AZURE_TENANT_ID is accepted too)');
}

function appRegistration(read: SettingsReader): AppRegistrationSettings {
  const clientId = read.optional('AZURE_CLIENT_ID');
  const clientSecret = read.optional('AZURE_CLIENT_SECRET');
  const certificatePath = read.optional('AZURE_CLIENT_CERTIFICATE_PATH');
  if (clientSecret && certificatePath) read.report('AZURE_CLIENT_CERTIFICATE_PATH', 'set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, not both');
  if ((clientSecret || certificatePath) && !clientId) read.report('AZURE_CLIENT_ID', "is required with a secret or certificate: the app registration's client id (User.ReadWrite.All)");
  return Object.freeze({ ...(clientId && { clientId }), ...(clientSecret && { clientSecret }), ...(certificatePath && { certificatePath }) });
}
