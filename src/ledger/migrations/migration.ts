/** One step of the ledger's schema, applied once, in order, inside a transaction. Never edited once released. */
export interface LedgerMigration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}
