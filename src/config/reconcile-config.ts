import { ConfigError } from './errors.js';
import { readGraphAccess, type GraphAccessSettings } from './graph-access.js';
import { DEFAULT_LEDGER_DATABASE_URL } from './serve-config.js';
import { SettingsReader, type RawSettings } from './settings.js';

/** Everything `entra-migrate reconcile` reads from the environment, validated and frozen. */
export interface ReconcileConfig extends GraphAccessSettings {
  readonly flagAttribute: string;
  readonly ledgerDatabaseUrl: string;
  /** LEGACY_DATABASE_URL with LEGACY_MARK_MIGRATED_QUERY, compiled once here; null when no mark is configured. */
  readonly markMigrated: { readonly url: string; readonly query: string } | null;
}

const FLAG = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,100}$/;
const MARK_MIGRATED_URL = 'LEGACY_MARK_MIGRATED_URL';
const MARK_MIGRATED_QUERY = 'LEGACY_MARK_MIGRATED_QUERY';

/**
 * Reads `MIGRATION_FLAG_ATTRIBUTE`, `LEDGER_DATABASE_URL`, the Graph access settings (see `readGraphAccess`) and,
 * for the legacy mark, `LEGACY_MARK_MIGRATED_QUERY` with `LEGACY_DATABASE_URL` (the query is compiled for its
 * database when the mark opens, before Graph is read). Every problem is reported at once.
 *
 * @example
 *   const config = loadReconcileConfig({ ...process.env });
 */
export function loadReconcileConfig(raw: RawSettings, options: { appFromEnvironment?: boolean } = {}): ReconcileConfig {
  const read = new SettingsReader(raw);
  const access = readGraphAccess(read, options);
  const flagAttribute = read.required('MIGRATION_FLAG_ATTRIBUTE', 'the flag attribute extension_<appIdWithoutHyphens>_toBeMigrated, which `entra-migrate setup` creates and prints');
  if (flagAttribute && !FLAG.test(flagAttribute)) read.report('MIGRATION_FLAG_ATTRIBUTE', 'must look like extension_<32 hex digits>_toBeMigrated (the name `entra-migrate setup` prints)');
  if (read.optional(MARK_MIGRATED_URL) !== undefined) {
    read.report(MARK_MIGRATED_URL, `is not supported yet: reconcile marks SQL legacy stores only, with ${MARK_MIGRATED_QUERY}; unset it`);
  }
  const config: ReconcileConfig = {
    ...access,
    flagAttribute,
    ledgerDatabaseUrl: read.optional('LEDGER_DATABASE_URL') ?? DEFAULT_LEDGER_DATABASE_URL,
    markMigrated: markMigrated(read),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return Object.freeze(config);
}

function markMigrated(read: SettingsReader): ReconcileConfig['markMigrated'] {
  const query = read.optional(MARK_MIGRATED_QUERY);
  if (query === undefined) return null;
  const url = read.optional('LEGACY_DATABASE_URL');
  if (!url) {
    read.report('LEGACY_DATABASE_URL', `is required with ${MARK_MIGRATED_QUERY}: the legacy database the mark runs against`);
    return null;
  }
  if (!/:(legacyId|objectId)\b/.test(query)) {
    read.report(MARK_MIGRATED_QUERY, 'must use :legacyId or :objectId (and may use :migratedAt); without either it would mark the same rows for every account');
    return null;
  }
  return Object.freeze({ url, query });
}
