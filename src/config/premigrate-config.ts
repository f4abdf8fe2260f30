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
  readonly clientId: string;
  readonly clientSecret: string;
  readonly ledgerDatabaseUrl: string;
}

const FLAG = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,100}$/;
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/**
 * Reads `ENTRA_TENANT_ID`, `ENTRA_TENANT_DOMAIN`, `MIGRATION_FLAG_ATTRIBUTE`, `GRAPH_BASE_URL`,
 * `AZURE_AUTHORITY_HOST`, `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` and `LEDGER_DATABASE_URL`,
 * reporting every problem at once.
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
    clientId: read.required('AZURE_CLIENT_ID', "the app registration's client id (User.ReadWrite.All)"),
    clientSecret: read.required('AZURE_CLIENT_SECRET', "a client secret of that app registration"),
    ledgerDatabaseUrl: read.optional('LEDGER_DATABASE_URL') ?? DEFAULT_LEDGER_DATABASE_URL,
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return Object.freeze(config);
}
