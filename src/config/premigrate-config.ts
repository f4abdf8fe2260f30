import type { AppRegistrationSettings } from './credentials-file.js';
import { ConfigError } from './errors.js';
import { SettingsReader, type RawSettings } from './settings.js';
import { DEFAULT_LEDGER_DATABASE_URL } from './serve-config.js';

/** Everything `entra-migrate premigrate` reads from the environment, validated and frozen. */
export interface PremigrateConfig {
  readonly tenantId: string;
  /** The issuer of e-mail identities: `<tenant>.onmicrosoft.com`. */
  readonly tenantDomain: string;
  readonly flagAttribute: string;
  readonly graphBaseUrl: string;
  readonly authorityHost: string;
  /** The tenant the token is asked from: AZURE_TENANT_ID, else ENTRA_TENANT_ID. */
  readonly tokenTenantId: string;
  /** The app registration of AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (none: managed identity). */
  readonly app: AppRegistrationSettings;
  readonly ledgerDatabaseUrl: string;
  /** The legacy store and its export query, when both are set: the source when no `--from` file is given. */
  readonly legacyExport: { readonly url: string; readonly query: string } | null;
}

const FLAG = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,100}$/;
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/**
 * Reads `ENTRA_TENANT_ID`, `ENTRA_TENANT_DOMAIN`, `MIGRATION_FLAG_ATTRIBUTE`, `GRAPH_BASE_URL`,
 * `AZURE_AUTHORITY_HOST`, `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`,
 * `AZURE_CLIENT_CERTIFICATE_PATH`, `LEDGER_DATABASE_URL`, and for a SQL source `LEGACY_DATABASE_URL` with
 * `LEGACY_EXPORT_QUERY`, reporting every problem at once.
 */
export function loadPremigrateConfig(raw: RawSettings): PremigrateConfig {
  const read = new SettingsReader(raw);
  const tenantId = read.guid('ENTRA_TENANT_ID', 'the directory (tenant) id of your External ID tenant');
  const tenantDomain = read.required('ENTRA_TENANT_DOMAIN', 'the tenant domain that issues e-mail identities, e.g. contoso.onmicrosoft.com');
  if (tenantDomain && !DOMAIN.test(tenantDomain)) read.report('ENTRA_TENANT_DOMAIN', 'must be a domain name such as contoso.onmicrosoft.com');
  const flagAttribute = read.required('MIGRATION_FLAG_ATTRIBUTE', 'the flag attribute, extension_<appIdWithoutHyphens>_toBeMigrated');
  if (flagAttribute && !FLAG.test(flagAttribute)) read.report('MIGRATION_FLAG_ATTRIBUTE', 'must look like extension_<32 hex digits>_toBeMigrated');
  const config: PremigrateConfig = {
    tenantId,
    tenantDomain,
    flagAttribute,
    graphBaseUrl: read.url('GRAPH_BASE_URL') ?? 'https://graph.microsoft.com',
    authorityHost: read.url('AZURE_AUTHORITY_HOST') ?? 'https://login.microsoftonline.com',
    tokenTenantId: read.optional('AZURE_TENANT_ID') ?? tenantId,
    app: appRegistration(read),
    ledgerDatabaseUrl: read.optional('LEDGER_DATABASE_URL') ?? DEFAULT_LEDGER_DATABASE_URL,
    legacyExport: legacyExport(read),
  };
  if (isLoopback(config.authorityHost) && !config.app.clientSecret) {
    read.report('AZURE_CLIENT_SECRET', 'is required when AZURE_AUTHORITY_HOST is a local emulator (no certificate or managed identity there)');
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return Object.freeze(config);
}

function appRegistration(read: SettingsReader): AppRegistrationSettings {
  const clientId = read.optional('AZURE_CLIENT_ID');
  const clientSecret = read.optional('AZURE_CLIENT_SECRET');
  const certificatePath = read.optional('AZURE_CLIENT_CERTIFICATE_PATH');
  if (clientSecret && certificatePath) read.report('AZURE_CLIENT_CERTIFICATE_PATH', 'set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, not both');
  if ((clientSecret || certificatePath) && !clientId) read.report('AZURE_CLIENT_ID', "is required with a secret or certificate: the app registration's client id (User.ReadWrite.All)");
  return Object.freeze({ ...(clientId && { clientId }), ...(clientSecret && { clientSecret }), ...(certificatePath && { certificatePath }) });
}

function legacyExport(read: SettingsReader): PremigrateConfig['legacyExport'] {
  const url = read.optional('LEGACY_DATABASE_URL');
  const query = read.optional('LEGACY_EXPORT_QUERY');
  if (query && !url) read.report('LEGACY_DATABASE_URL', 'is required with LEGACY_EXPORT_QUERY: the legacy store to export from');
  return url && query ? Object.freeze({ url, query }) : null;
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
