/** One account Graph confirmed migrated, as the legacy side is told of it. */
export interface MigratedAccount {
  legacyId: string;
  objectId: string;
  /** When reconcile confirmed the migration: `:migratedAt`, ISO 8601 UTC. */
  migratedAt: Date;
}

/**
 * Tells the legacy side that an account migrated: a query (`LEGACY_MARK_MIGRATED_QUERY`, `openSqlMarker`) or a POST
 * (`LEGACY_MARK_MIGRATED_URL`, `openWebMarker`). Delivery is at least once: the mark runs before the ledger records
 * it done, so a crash in between runs it again; what it runs must be safe twice.
 */
export interface LegacyMarker {
  /** Rejects with an error whose message names the setting and never a value but the ids. */
  mark(account: MigratedAccount): Promise<void>;
  close(): Promise<void>;
}
