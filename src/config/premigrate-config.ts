import { ConfigError } from './errors.js';
import { readGraphAccess, type GraphAccessSettings } from './graph-access.js';
import { LDAP_EXPORT_FILTER, readLdapExportSettings, type LdapExportSettings } from './legacy-ldap-export-settings.js';
import { SettingsReader, type RawSettings } from './settings.js';
import { DEFAULT_LEDGER_DATABASE_URL } from './serve-config.js';
import { allowsInsecureTransport } from './transport.js';

/** Everything `entra-migrate premigrate` reads from the environment, validated and frozen. */
export interface PremigrateConfig extends GraphAccessSettings {
  /** The issuer of e-mail identities: `<tenant>.onmicrosoft.com`. */
  readonly tenantDomain: string;
  readonly flagAttribute: string;
  readonly ledgerDatabaseUrl: string;
  /** The legacy store and its export query, when both are set: the source when no `--from` file is given. */
  readonly legacyExport: { readonly url: string; readonly query: string } | null;
  /**
   * The directory whose accounts are listed, when LEGACY_LDAP_EXPORT_FILTER is set (with LEGACY_LDAP_URL and the
   * service account): the source when no `--from` file is given. Never set together with `legacyExport`.
   */
  readonly legacyDirectory: LdapExportSettings | null;
}

const FLAG = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,100}$/;
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/**
 * Reads `ENTRA_TENANT_ID`, `ENTRA_TENANT_DOMAIN`, `MIGRATION_FLAG_ATTRIBUTE`, `GRAPH_BASE_URL`,
 * `AZURE_AUTHORITY_HOST`, `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`,
 * `AZURE_CLIENT_CERTIFICATE_PATH`, `LEDGER_DATABASE_URL`, for a SQL source `LEGACY_DATABASE_URL` with
 * `LEGACY_EXPORT_QUERY`, and for a directory `LEGACY_LDAP_EXPORT_FILTER` with `LEGACY_LDAP_URL` and the service
 * account's settings (see `readLdapExportSettings`); both sources at once is a problem. Every problem is reported at
 * once.
 */
export function loadPremigrateConfig(raw: RawSettings, options: { appFromEnvironment?: boolean } = {}): PremigrateConfig {
  const read = new SettingsReader(raw);
  const access = readGraphAccess(read, options);
  const tenantDomain = read.required('ENTRA_TENANT_DOMAIN', 'the tenant domain that issues e-mail identities, e.g. contoso.onmicrosoft.com');
  if (tenantDomain && !DOMAIN.test(tenantDomain)) read.report('ENTRA_TENANT_DOMAIN', 'must be a domain name such as contoso.onmicrosoft.com');
  const flagAttribute = read.required('MIGRATION_FLAG_ATTRIBUTE', 'the flag attribute extension_<appIdWithoutHyphens>_toBeMigrated, which `entra-migrate setup` creates and prints');
  if (flagAttribute && !FLAG.test(flagAttribute)) read.report('MIGRATION_FLAG_ATTRIBUTE', 'must look like extension_<32 hex digits>_toBeMigrated (the name `entra-migrate setup` prints)');
  const config: PremigrateConfig = {
    ...access,
    tenantDomain,
    flagAttribute,
    ledgerDatabaseUrl: read.optional('LEDGER_DATABASE_URL') ?? DEFAULT_LEDGER_DATABASE_URL,
    legacyExport: legacyExport(read),
    legacyDirectory: legacyDirectory(read),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return Object.freeze(config);
}

function legacyExport(read: SettingsReader): PremigrateConfig['legacyExport'] {
  const url = read.optional('LEGACY_DATABASE_URL');
  const query = read.optional('LEGACY_EXPORT_QUERY');
  if (query && !url) read.report('LEGACY_DATABASE_URL', 'is required with LEGACY_EXPORT_QUERY: the legacy store to export from');
  return url && query ? Object.freeze({ url, query }) : null;
}

/** The directory source; one source only, so an export query beside the export filter is a problem. */
function legacyDirectory(read: SettingsReader): PremigrateConfig['legacyDirectory'] {
  if (read.optional(LDAP_EXPORT_FILTER) === undefined) return null;
  if (read.optional('LEGACY_EXPORT_QUERY') !== undefined) {
    read.report(LDAP_EXPORT_FILTER, 'and LEGACY_EXPORT_QUERY are both set; premigrate reads one source: unset LEGACY_EXPORT_QUERY to list the directory, or LEGACY_LDAP_EXPORT_FILTER to read the SQL export');
  }
  return readLdapExportSettings(read, allowsInsecureTransport(read)) ?? null;
}
