import type { DecisionFilter, DecisionRecord } from './decision-record.js';

/** The migration ledger: every decision the extension made. Later: phase-1 account state (issue 4). */
export interface Ledger {
  readonly kind: 'memory' | 'sqlite' | 'postgres';
  /** Validates and appends one decision; rejects with `LEDGER_RECORD_INVALID` or `LEDGER_UNAVAILABLE`. */
  recordDecision(record: DecisionRecord): Promise<void>;
  /** Decisions, newest first, optionally for one user or one correlation id. */
  listDecisions(filter?: DecisionFilter): Promise<DecisionRecord[]>;
  /** How many decisions of each action were recorded. */
  countByAction(): Promise<Partial<Record<DecisionRecord['action'], number>>>;
  ping(): Promise<void>;
  /** Idempotent; later calls of the other methods reject with `LEDGER_UNAVAILABLE`. */
  close(): Promise<void>;
}
