import { ConfigError } from './errors.js';
import { readGraphAccess, type GraphAccessSettings } from './graph-access.js';
import { readWebServiceSettings, VERIFY_HEALTH_URL, VERIFY_MODE, VERIFY_URL, type WebServiceSettings } from './legacy-web-service-settings.js';
import { DEFAULT_LEDGER_DATABASE_URL } from './serve-config.js';
import { SettingsReader, type RawSettings } from './settings.js';
import { allowsInsecureTransport, legacyUrl } from './transport.js';

/**
 * How reconcile tells the legacy side, or null when no mark is configured:
 * - `query`: LEGACY_MARK_MIGRATED_QUERY run against LEGACY_DATABASE_URL (compiled for its database when the mark opens);
 * - `url`: a POST to LEGACY_MARK_MIGRATED_URL, with the web-service store's client settings (`service.url` is the
 *   mark's URL; `service.auth`, `clientCertificate` and `caFile` come from LEGACY_VERIFY_AUTH and its siblings).
 */
export type MarkMigratedSettings =
  | { readonly kind: 'query'; readonly url: string; readonly query: string }
  | { readonly kind: 'url'; readonly service: WebServiceSettings };

/** Everything `entra-migrate reconcile` reads from the environment, validated and frozen. */
export interface ReconcileConfig extends GraphAccessSettings {
  readonly flagAttribute: string;
  readonly ledgerDatabaseUrl: string;
  readonly markMigrated: MarkMigratedSettings | null;
}

const FLAG = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,100}$/;
const MARK_MIGRATED_URL = 'LEGACY_MARK_MIGRATED_URL';
const MARK_MIGRATED_QUERY = 'LEGACY_MARK_MIGRATED_QUERY';

/**
 * Reads `MIGRATION_FLAG_ATTRIBUTE`, `LEDGER_DATABASE_URL`, the Graph access settings (see `readGraphAccess`) and,
 * for the legacy mark, one of `LEGACY_MARK_MIGRATED_QUERY` (with `LEGACY_DATABASE_URL`; the query is compiled for
 * its database when the mark opens, before Graph is read) or `LEGACY_MARK_MIGRATED_URL` (with the web-service
 * store's `LEGACY_VERIFY_AUTH`, `LEGACY_VERIFY_CLIENT_CERT_FILE`, `LEGACY_VERIFY_CLIENT_KEY_FILE`,
 * `LEGACY_VERIFY_CA_FILE` and `LEGACY_ALLOW_INSECURE_TRANSPORT`). Every problem is reported at once.
 *
 * @example
 *   const config = loadReconcileConfig({ ...process.env });
 */
export function loadReconcileConfig(raw: RawSettings, options: { appFromEnvironment?: boolean } = {}): ReconcileConfig {
  const read = new SettingsReader(raw);
  const access = readGraphAccess(read, options);
  const flagAttribute = read.required('MIGRATION_FLAG_ATTRIBUTE', 'the flag attribute extension_<appIdWithoutHyphens>_toBeMigrated, which `entra-migrate setup` creates and prints');
  if (flagAttribute && !FLAG.test(flagAttribute)) read.report('MIGRATION_FLAG_ATTRIBUTE', 'must look like extension_<32 hex digits>_toBeMigrated (the name `entra-migrate setup` prints)');
  const config: ReconcileConfig = {
    ...access,
    flagAttribute,
    ledgerDatabaseUrl: read.optional('LEDGER_DATABASE_URL') ?? DEFAULT_LEDGER_DATABASE_URL,
    markMigrated: markMigrated(read, raw),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return Object.freeze(config);
}

function markMigrated(read: SettingsReader, raw: RawSettings): MarkMigratedSettings | null {
  const query = read.optional(MARK_MIGRATED_QUERY);
  const url = read.optional(MARK_MIGRATED_URL);
  if (query !== undefined && url !== undefined) {
    read.report(MARK_MIGRATED_URL, `cannot be set with ${MARK_MIGRATED_QUERY}: the legacy side is told one way, by a query (SQL stores) or by a POST (web services); unset one`);
    return null;
  }
  if (url !== undefined) return markByUrl(read, raw);
  if (query === undefined) return null;
  const databaseUrl = read.optional('LEGACY_DATABASE_URL');
  if (!databaseUrl) {
    read.report('LEGACY_DATABASE_URL', `is required with ${MARK_MIGRATED_QUERY}: the legacy database the mark runs against`);
    return null;
  }
  if (!/:(legacyId|objectId)\b/.test(query)) {
    read.report(MARK_MIGRATED_QUERY, 'must use :legacyId or :objectId (and may use :migratedAt); without either it would mark the same rows for every account');
    return null;
  }
  return Object.freeze({ kind: 'query', url: databaseUrl, query });
}

/**
 * LEGACY_MARK_MIGRATED_URL under the web-service store's transport rule (https, or http on loopback unless
 * LEGACY_ALLOW_INSECURE_TRANSPORT=true), and that store's client settings, read by its own reader so they mean and
 * are checked exactly as for `serve`. That reader gets the mark's URL, already checked, in place of LEGACY_VERIFY_URL
 * (reconcile does not need it), and neither the health URL nor the mode, which a mark does not use; its problems
 * (each naming the LEGACY_VERIFY_* setting at fault, never a secret) join ours.
 */
function markByUrl(read: SettingsReader, raw: RawSettings): MarkMigratedSettings | null {
  const url = legacyUrl(read, MARK_MIGRATED_URL, { secure: ['https:'], clear: ['http:'] }, allowsInsecureTransport(read));
  if (url === undefined) return null;
  const client = new SettingsReader({ ...raw, [VERIFY_URL]: url.href, [VERIFY_HEALTH_URL]: undefined, [VERIFY_MODE]: undefined });
  const service = readWebServiceSettings(client, true);
  for (const { setting, problem } of client.problems) read.report(setting, problem);
  return service ? Object.freeze({ kind: 'url', service }) : null;
}
