export type { LegacyAuthority, LegacyCheck, PasswordCheckOptions, SignInAttempt } from './authority.js';
export { withCircuitBreaker, type CircuitBreakerOptions, type CircuitState, type GuardedAuthority } from './circuit-breaker.js';
export { LegacyStoreError, LegacyStoreErrorCode } from './errors.js';
export { hashStoreAuthority, type HashDefaults } from './hash-store-authority.js';
export { createMemoryLegacyStore, type MemoryLegacyAccount, type MemoryLegacyStoreOptions } from './memory-store.js';
export type { SqlDialect } from './stores/sql/dialect-syntax.js';
export {
  compileNamedQuery,
  LOOKUP_PARAMETERS,
  QUERY_PARAMETER_NAMES,
  type NamedParameterSet,
  type CompiledQuery,
  type QueryParameterName,
} from './stores/sql/named-parameters.js';
export { countSqlExport, readSqlExport, type SqlExportOptions } from './stores/sql/export-rows.js';
export { openSqlLegacyStore } from './stores/sql/open-sql-store.js';
export { DEFAULT_FILE_CHECK_INTERVAL_IN_MS, DEFAULT_POOL_SIZE, DEFAULT_QUERY_TIMEOUT_IN_MS, type SqlLegacyStoreOptions } from './stores/sql/options.js';
export { RESULT_COLUMNS } from './stores/sql/row.js';
export { redactUrl } from './stores/sql/url.js';
export { legacyStatusOf } from './status.js';
export type {
  LegacyAccount,
  LegacyAccountStatus,
  LegacyLookup,
  LegacyStore,
  LegacyStoreCallOptions,
} from './store.js';
