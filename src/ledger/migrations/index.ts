import { jitDecisions } from './001-jit-decisions.js';
import { premigrationAccounts } from './002-premigration-accounts.js';
import { reconciliations } from './003-reconciliations.js';
import { accountProfiles } from './004-account-profiles.js';
import { statusIndexes } from './005-status-indexes.js';
import { eventCalls } from './006-event-calls.js';
import { bulkRuns } from './007-bulk-runs.js';
import { progressIndex } from './008-progress-index.js';
import { ledgerBatches } from './009-ledger-batches.js';
import { securitySignals } from './010-security-signals.js';
import type { LedgerMigration } from './migration.js';

export type { LedgerMigration } from './migration.js';

/** Every migration, in version order. Append only. */
export const LEDGER_MIGRATIONS: readonly LedgerMigration[] = [jitDecisions, premigrationAccounts, reconciliations, accountProfiles, statusIndexes, eventCalls, bulkRuns, progressIndex, ledgerBatches, securitySignals];

/** The schema version this code writes. */
export const LEDGER_SCHEMA_VERSION = LEDGER_MIGRATIONS.at(-1)!.version;
