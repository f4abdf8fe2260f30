import type { Ledger } from './ledger.js';
import { parseLedgerUrl } from './ledger-url.js';
import { openPostgresLedger } from './postgres-ledger.js';
import { openSqliteLedger } from './sqlite-ledger.js';

/**
 * Opens the ledger `LEDGER_DATABASE_URL` names and brings its schema up to date.
 *
 * @example
 *   const ledger = await openLedger('sqlite://./data/ledger.db');
 *   await ledger.recordDecision({ at: new Date(), correlationId, objectId, legacyId: '42', action: 'MigratePassword', reason: 'password-correct', latencyInMs: 87 });
 */
export async function openLedger(url: string): Promise<Ledger> {
  const location = parseLedgerUrl(url);
  switch (location.kind) {
    case 'memory':
      return openSqliteLedger(':memory:');
    case 'sqlite':
      return openSqliteLedger(location.path);
    case 'postgres':
      return openPostgresLedger(location);
  }
}
