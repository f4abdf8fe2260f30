import { ConfigError } from './errors.js';
import { readGraphAccess, type GraphAccessSettings } from './graph-access.js';
import { DEFAULT_LEDGER_DATABASE_URL } from './serve-config.js';
import { SettingsReader, type RawSettings } from './settings.js';

/** Everything `entra-migrate cutover` reads from the environment, validated and frozen: reconcile's settings without the mark. */
export interface CutoverConfig extends GraphAccessSettings {
  readonly flagAttribute: string;
  readonly ledgerDatabaseUrl: string;
}

const FLAG = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,100}$/;

/**
 * Reads `MIGRATION_FLAG_ATTRIBUTE`, `LEDGER_DATABASE_URL` and the Graph access settings (see `readGraphAccess`), as
 * reconcile does; cut-over tells the legacy side nothing, so the LEGACY_MARK_MIGRATED_* settings are not read. Every
 * problem is reported at once.
 *
 * @example
 *   const config = loadCutoverConfig({ ...process.env }, { appFromEnvironment: true });
 */
export function loadCutoverConfig(raw: RawSettings, options: { appFromEnvironment?: boolean } = {}): CutoverConfig {
  const read = new SettingsReader(raw);
  const access = readGraphAccess(read, options);
  const flagAttribute = read.required('MIGRATION_FLAG_ATTRIBUTE', 'the flag attribute extension_<appIdWithoutHyphens>_toBeMigrated, which `entra-migrate setup` creates and prints');
  if (flagAttribute && !FLAG.test(flagAttribute)) read.report('MIGRATION_FLAG_ATTRIBUTE', 'must look like extension_<32 hex digits>_toBeMigrated (the name `entra-migrate setup` prints)');
  const config: CutoverConfig = { ...access, flagAttribute, ledgerDatabaseUrl: read.optional('LEDGER_DATABASE_URL') ?? DEFAULT_LEDGER_DATABASE_URL };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return Object.freeze(config);
}
