import type { AccountFilter, AccountState, AccountStateName } from './account-state.js';
import type { AccountProfile } from './account-profile.js';
import type { LedgerBatch } from './ledger-batch.js';
import type { SecuritySignalFilter, SecuritySignalRecord } from './security-signal.js';
import type { BulkRunFilter, BulkRunRecord } from './bulk-run.js';
import type { ProgressBucket, ProgressHistoryFilter } from './progress-history.js';
import type { DecisionCountFilter, DecisionFilter, DecisionRecord } from './decision-record.js';
import type { EventCallCountFilter, EventCallCounts, EventCallFilter, EventCallRecord } from './event-call.js';
import type { AccountToReconcile, Confirmation, MarkState, MigratePasswordAnswers, ReconcileFilter, Reconciliation } from './reconciliation.js';
import type { AccountStanding, DecisionDay, DecisionDaysFilter, StatusQueryOptions, StragglerFilter, StragglerPage } from './status-queries.js';

/** The migration ledger: every decision the extension made, and where each legacy account stands in phase 1. */
export interface Ledger {
  readonly kind: 'memory' | 'sqlite' | 'postgres';
  /** Validates and appends one decision; rejects with `LEDGER_RECORD_INVALID` or `LEDGER_UNAVAILABLE`. */
  recordDecision(record: DecisionRecord): Promise<void>;
  /**
   * Validates and appends a batch of decisions in one transaction: all of them or none. A batch written again with
   * the same id writes nothing (a retry after a failure that had in fact committed). Rejects with
   * `LEDGER_RECORD_INVALID` when a row is refused (by validation, naming the row, or by the database; nothing was
   * written, and the same rows would be refused again) or `LEDGER_UNAVAILABLE` (the ledger failed; retrying later may
   * succeed, and the batch may have been written).
   */
  recordDecisions(batch: LedgerBatch<DecisionRecord>): Promise<void>;
  /** As {@link Ledger.recordDecisions}, for event calls. */
  recordEventCalls(batch: LedgerBatch<EventCallRecord>): Promise<void>;
  /** Decisions, newest first, optionally for one user or one correlation id. */
  listDecisions(filter?: DecisionFilter): Promise<DecisionRecord[]>;
  /** How many decisions of each action were recorded. */
  countByAction(): Promise<Partial<Record<DecisionRecord['action'], number>>>;
  /** How many decisions (of one action) were recorded in a time range; `cutover` asks how many migrated on the last day. */
  countDecisions(filter?: DecisionCountFilter): Promise<number>;
  /** Writes (inserts or replaces) one account's phase-1 state. */
  recordAccount(account: AccountState): Promise<void>;
  accountState(legacyId: string): Promise<AccountState | undefined>;
  /** Accounts in legacy-id order (keyset pagination with `after`), optionally in one state. */
  listAccounts(filter?: AccountFilter): Promise<AccountState[]>;
  countAccounts(): Promise<Partial<Record<AccountStateName, number>>>;
  /** Pre-created accounts not yet confirmed (and, with `unmarked`, confirmed but not yet marked), in legacy-id order. */
  listToReconcile(filter?: ReconcileFilter): Promise<AccountToReconcile[]>;
  /** Our MigratePassword answers to each of these users (by object id); users never answered so are absent. */
  migratePasswordAnswers(objectIds: readonly string[]): Promise<Map<string, MigratePasswordAnswers>>;
  /** Writes (inserts or replaces) what reconcile learnt of one account; its mark is kept as it was. */
  recordReconciliation(record: Reconciliation): Promise<void>;
  /** Records the mark of an account already reconciled: done at a time, or failed with an error (kept for the report). */
  recordMark(legacyId: string, mark: { doneAt: Date } | { error: string }): Promise<void>;
  reconciliation(legacyId: string): Promise<(Reconciliation & { mark: MarkState }) | undefined>;
  countReconciliations(): Promise<Partial<Record<Confirmation, number>>>;
  /** Writes (inserts or replaces) the profile last written to Entra for one account (`premigrate`, `premigrate --sync`). */
  recordProfile(profile: AccountProfile): Promise<void>;
  /** The recorded profiles of these accounts; accounts without one are absent. */
  profiles(legacyIds: readonly string[]): Promise<Map<string, AccountProfile>>;
  /** Pre-created accounts counted per standing (migrated, answered, never signed in …; see `AccountStanding`), every standing present. */
  countStandings(options: StatusQueryOptions): Promise<Record<AccountStanding, number>>;
  /** Legacy accounts linked at sign-up (SIGNUP_COLLISION=link), by distinct legacy id. */
  countSignUps(): Promise<number>;
  /** When reconcile last read Graph for an account, or null when it never ran. */
  lastReconcileAt(): Promise<Date | null>;
  /** The extension's answers per UTC day from `since` to before `until` (UTC midnights), oldest first; days without answers are absent. */
  decisionDays(filter: DecisionDaysFilter): Promise<DecisionDay[]>;
  /**
   * Pre-created accounts that have not migrated (never signed in, or tried without migrating) among one page of
   * accounts in legacy-id order; follow `next` until it is absent (a page may hold no straggler).
   */
  listStragglers(filter?: StragglerFilter): Promise<StragglerPage>;
  /**
   * Validates and appends the audit row of one event call (any of the five events); rejects with
   * `LEDGER_RECORD_INVALID` (a field too long, not a token, or not one of the record's fields) or `LEDGER_UNAVAILABLE`.
   */
  recordEventCall(record: EventCallRecord): Promise<void>;
  /** Event calls, newest first, optionally of one event or one correlation id. */
  listEventCalls(filter?: EventCallFilter): Promise<EventCallRecord[]>;
  /** Event calls per event and action answered, optionally of one event and in a time range. */
  countEventCalls(filter?: EventCallCountFilter): Promise<EventCallCounts>;
  /** The legacy id premigrate recorded for this Entra object id (an account created or found), or null. */
  legacyIdForObjectId(objectId: string): Promise<string | null>;
  /**
   * Validates and writes (inserts or replaces, by id) one run of a bulk command; the command calls it at start, about
   * every 10 s and at the end. Rejects with `LEDGER_RECORD_INVALID` (see `checkBulkRunRecord`) or `LEDGER_UNAVAILABLE`.
   */
  recordBulkRun(run: BulkRunRecord): Promise<void>;
  /** Bulk runs, newest `startedAt` first; default 50, at most 1000. */
  listBulkRuns(filter?: BulkRunFilter): Promise<BulkRunRecord[]>;
  /**
   * Where the migration stood at the end of each bucket of a time range, oldest first (see `ProgressBucket`): the
   * last point at `until` = now equals the `status` figures. Rejects a range of more than 1000 buckets or a bucket
   * under 1 s with `LEDGER_RECORD_INVALID`.
   */
  progressHistory(filter: ProgressHistoryFilter): Promise<ProgressBucket[]>;
  /**
   * Validates and appends one security signal (a credential-stuffing signal raised or ended); rejects with
   * `LEDGER_RECORD_INVALID` (see `checkSecuritySignalRecord`) or `LEDGER_UNAVAILABLE`.
   */
  recordSecuritySignal(record: SecuritySignalRecord): Promise<void>;
  /** Security signals, newest first; default 100, at most 10,000. */
  listSecuritySignals(filter?: SecuritySignalFilter): Promise<SecuritySignalRecord[]>;
  ping(): Promise<void>;
  /** Idempotent; later calls of the other methods reject with `LEDGER_UNAVAILABLE`. */
  close(): Promise<void>;
}
