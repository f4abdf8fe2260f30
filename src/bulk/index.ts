export { abortableBatchClient } from './ensure-account-graph.js';
export { accountEnsurer, type AccountEnsurer, type AccountToEnsure, type EnsureAccountOptions, type EnsuredAccount } from './ensure-account.js';
export { graphUserBody, type UserBodyOptions } from './graph-user-body.js';
export { countLdapSource, readLdapSource, type LdapSourceOptions } from './ldap-source.js';
export { DEFAULT_FIELD_MAP, recordOf, type FieldMap, type LegacyRecord, type RejectedRow } from './legacy-record.js';
export { premigrate, type PremigrateFailure, type PremigrateOptions, type PremigrateSummary } from './premigrate.js';
export { sync, type FieldChange, type SyncChange, type SyncFailure, type SyncOptions, type SyncSummary } from './sync.js';
export { randomPassword, RANDOM_PASSWORD_LENGTH } from './random-password.js';
export { countSqlSource, estimateRowCount, readSource, readSqlSource, sourceFileProblem, type SourceRow } from './sources.js';
