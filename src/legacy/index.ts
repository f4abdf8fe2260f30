export { LegacyStoreError, LegacyStoreErrorCode } from './errors.js';
export { createMemoryLegacyStore, type MemoryLegacyAccount, type MemoryLegacyStoreOptions } from './memory-store.js';
export type { SqlDialect } from './sql/dialect-syntax.js';
export {
  compileNamedQuery,
  LOOKUP_PARAMETERS,
  QUERY_PARAMETER_NAMES,
  type NamedParameterSet,
  type CompiledQuery,
  type QueryParameterName,
} from './sql/named-parameters.js';
export { countSqlExport, readSqlExport, type SqlExportOptions } from './sql/export-rows.js';
export { openSqlLegacyStore } from './sql/open-sql-store.js';
export { DEFAULT_FILE_CHECK_INTERVAL_IN_MS, DEFAULT_POOL_SIZE, DEFAULT_QUERY_TIMEOUT_IN_MS, type SqlLegacyStoreOptions } from './sql/options.js';
export { RESULT_COLUMNS } from './sql/row.js';
export { redactUrl } from './sql/url.js';
export { legacyStatusOf } from './status.js';
export type {
  LegacyAccount,
  LegacyAccountStatus,
  LegacyLookup,
  LegacyStore,
  LegacyStoreCallOptions,
} from './store.js';
