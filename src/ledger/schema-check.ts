import { LedgerError, LedgerErrorCode } from './errors.js';
import { LEDGER_MIGRATIONS, LEDGER_SCHEMA_VERSION, type LedgerMigration } from './migrations/index.js';

/** The migrations still to apply over `appliedVersion`; a database newer than this code is refused. */
export function pendingMigrations(appliedVersion: number, where: string): readonly LedgerMigration[] {
  if (appliedVersion > LEDGER_SCHEMA_VERSION) {
    throw new LedgerError(
      LedgerErrorCode.SCHEMA_TOO_NEW,
      `The ledger at ${where} has schema version ${appliedVersion}, newer than this entra-migrate understands (${LEDGER_SCHEMA_VERSION}); upgrade entra-migrate.`,
    );
  }
  return LEDGER_MIGRATIONS.filter((migration) => migration.version > appliedVersion);
}
