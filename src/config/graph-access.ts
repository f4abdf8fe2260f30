import { isLoopbackUrl } from '../common/loopback.js';
import type { AppRegistrationSettings } from './credentials-file.js';
import { ConfigError } from './errors.js';
import { SettingsReader, type RawSettings } from './settings.js';

/** How a command reaches Microsoft Graph: the tenant, the endpoints, and the app registration it signs in as. */
export interface GraphAccessSettings {
  readonly tenantId: string;
  readonly graphBaseUrl: string;
  readonly authorityHost: string;
  /** The tenant the token is asked from: AZURE_TENANT_ID, else ENTRA_TENANT_ID. */
  readonly tokenTenantId: string;
  /** AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (neither: a managed identity). */
  readonly app: AppRegistrationSettings;
}

/**
 * Reads `ENTRA_TENANT_ID`, `GRAPH_BASE_URL`, `AZURE_AUTHORITY_HOST`, `AZURE_TENANT_ID`, and — unless the app
 * registrations come from elsewhere (`appFromEnvironment: false`, e.g. `--credentials`) — `AZURE_CLIENT_ID`,
 * `AZURE_CLIENT_SECRET` and `AZURE_CLIENT_CERTIFICATE_PATH` into `read`, whose caller reports the problems.
 */
export function readGraphAccess(read: SettingsReader, options: { appFromEnvironment?: boolean } = {}): GraphAccessSettings {
  const tenantId = read.guid('ENTRA_TENANT_ID', 'the directory (tenant) id of your External ID tenant');
  const fromEnvironment = options.appFromEnvironment ?? true;
  const access: GraphAccessSettings = {
    tenantId,
    graphBaseUrl: read.url('GRAPH_BASE_URL') ?? 'https://graph.microsoft.com',
    authorityHost: read.url('AZURE_AUTHORITY_HOST') ?? 'https://login.microsoftonline.com',
    tokenTenantId: read.optional('AZURE_TENANT_ID') ?? tenantId,
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

function appRegistration(read: SettingsReader): AppRegistrationSettings {
  const clientId = read.optional('AZURE_CLIENT_ID');
  const clientSecret = read.optional('AZURE_CLIENT_SECRET');
  const certificatePath = read.optional('AZURE_CLIENT_CERTIFICATE_PATH');
  if (clientSecret && certificatePath) read.report('AZURE_CLIENT_CERTIFICATE_PATH', 'set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, not both');
  if ((clientSecret || certificatePath) && !clientId) read.report('AZURE_CLIENT_ID', "is required with a secret or certificate: the app registration's client id (User.ReadWrite.All)");
  return Object.freeze({ ...(clientId && { clientId }), ...(clientSecret && { clientSecret }), ...(certificatePath && { certificatePath }) });
}
