import type { LedgerMigration } from './migration.js';

/**
 * The audit row every custom authentication extension event shares (issue 12): one `event_calls` row per answered
 * call, with the event, the correlation id (Entra's sign-in logs show it), the object id when the event names one,
 * the action and HTTP status answered, why, the legacy id involved, the error code behind a failed answer and the
 * latency. No column for a claim value, a one-time code or an error's text.
 * - `event_calls (at, id)`: the newest calls first (`listEventCalls`), and the counts of a time range.
 * - `event_calls (event, at, id)`: the same for one event.
 * - `event_calls (correlation_id)`: every call of one sign-in.
 * - `premigration_accounts (entra_object_id)`: token issuance asks for the legacy id of the Entra user it names
 *   (`legacyIdForObjectId`) on every sign-in; without it each ask read the whole table.
 */
export const eventCalls: LedgerMigration = {
  version: 6,
  name: 'event-calls',
  sqlite: `
    CREATE TABLE event_calls (
      id             INTEGER PRIMARY KEY AUTOINCREMENT,
      at             TEXT    NOT NULL,
      event          TEXT    NOT NULL,
      correlation_id TEXT    NOT NULL,
      object_id      TEXT,
      action         TEXT    NOT NULL,
      status         INTEGER NOT NULL,
      reason         TEXT    NOT NULL,
      legacy_id      TEXT,
      error_code     TEXT,
      latency_ms     REAL    NOT NULL
    );
    CREATE INDEX event_calls_at ON event_calls (at, id);
    CREATE INDEX event_calls_event_at ON event_calls (event, at, id);
    CREATE INDEX event_calls_correlation_id ON event_calls (correlation_id);
    CREATE INDEX premigration_accounts_entra_object_id ON premigration_accounts (entra_object_id);`,
  postgres: `
    CREATE TABLE event_calls (
      id             bigserial        PRIMARY KEY,
      at             timestamptz      NOT NULL,
      event          text             NOT NULL,
      correlation_id text             NOT NULL,
      object_id      text,
      action         text             NOT NULL,
      status         smallint         NOT NULL,
      reason         text             NOT NULL,
      legacy_id      text,
      error_code     text,
      latency_ms     double precision NOT NULL
    );
    CREATE INDEX event_calls_at ON event_calls (at, id);
    CREATE INDEX event_calls_event_at ON event_calls (event, at, id);
    CREATE INDEX event_calls_correlation_id ON event_calls (correlation_id);
    CREATE INDEX premigration_accounts_entra_object_id ON premigration_accounts (entra_object_id);`,
};
