export type { AccountProfile } from './account-profile.js';
export {
  BULK_COMMANDS,
  BULK_RUN_OUTCOMES,
  MAX_BULK_RUN_COUNTS,
  type BulkCommand,
  type BulkRunFilter,
  type BulkRunOutcome,
  type BulkRunRecord,
} from './bulk-run.js';
export { ACCOUNT_STATES, type AccountFilter, type AccountState, type AccountStateName } from './account-state.js';
export { DECISION_ACTIONS, MAX_FIELD_LENGTH, MIGRATED_BY_SIGN_UP, SIGN_UP_OBJECT_ID, type DecisionAction, type DecisionCountFilter, type DecisionFilter, type DecisionRecord } from './decision-record.js';
export { LedgerError, LedgerErrorCode } from './errors.js';
export {
  SECURITY_SIGNAL_KINDS,
  SECURITY_SIGNAL_STATES,
  type SecuritySignalFilter,
  type SecuritySignalKind,
  type SecuritySignalRecord,
  type SecuritySignalState,
} from './security-signal.js';
export {
  EVENT_CALL_FIELDS,
  eventCallOf,
  type EventCallCountFilter,
  type EventCallCounts,
  type EventCallFilter,
  type EventCallRecord,
} from './event-call.js';
export type { Ledger } from './ledger.js';
export { MAX_BATCH_ROWS, type LedgerBatch } from './ledger-batch.js';
export { parseLedgerUrl, redactLedgerUrl, type LedgerLocation } from './ledger-url.js';
export { LEDGER_SCHEMA_VERSION } from './migrations/index.js';
export { MAX_PROGRESS_BUCKETS, MIN_PROGRESS_BUCKET_IN_MS, type ProgressBucket, type ProgressHistoryFilter } from './progress-history.js';
export { openLedger } from './open-ledger.js';
export {
  CONFIRMATIONS,
  MIGRATED_CONFIRMATIONS,
  type AccountToReconcile,
  type Confirmation,
  type MarkState,
  type MigratePasswordAnswers,
  type ReconcileFilter,
  type Reconciliation,
} from './reconciliation.js';
export {
  ACCOUNT_STANDINGS,
  type AccountStanding,
  type DecisionDay,
  type DecisionDaysFilter,
  type StatusQueryOptions,
  type Straggler,
  type StragglerFilter,
  type StragglerPage,
} from './status-queries.js';
export { openLedgerWriteBehind, type LedgerWriteBehind, type LedgerWriteBehindOptions, type LedgerWriteBehindStats } from './write-behind.js';
