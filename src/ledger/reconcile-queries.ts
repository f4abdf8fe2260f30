import { MAX_FIELD_LENGTH } from './decision-record.js';
import { LedgerError, LedgerErrorCode } from './errors.js';
import { markErrorText, type MigratePasswordAnswers } from './reconciliation.js';

/** Object ids per `IN (…)` query: well under SQLite's 32,766 variables, one page of reconcile at most. */
export const OBJECT_IDS_PER_QUERY = 500;
/** Correlation ids kept per user: enough to find the sign-ins in Entra's logs, bounded for a user who tried often. */
const CORRELATION_IDS_KEPT = 20;

/** A MigratePassword decision as the answer query returns it, newest first. */
export interface AnswerRow {
  object_id: string;
  at: string | Date;
  correlation_id: string;
}

/** Our MigratePassword answers per user, from rows newest first: the latest time, the correlation ids newest first. */
export function answersOfRows(rows: readonly AnswerRow[]): Map<string, MigratePasswordAnswers> {
  const answers = new Map<string, MigratePasswordAnswers>();
  for (const row of rows) {
    const at = new Date(row.at);
    const seen = answers.get(row.object_id);
    if (!seen) answers.set(row.object_id, { lastAt: at, correlationIds: [row.correlation_id] });
    else {
      if (at > seen.lastAt) seen.lastAt = at;
      if (seen.correlationIds.length < CORRELATION_IDS_KEPT && !seen.correlationIds.includes(row.correlation_id)) seen.correlationIds.push(row.correlation_id);
    }
  }
  return answers;
}

/** A mark as the drivers write it: done (its time, no error) or failed (no time, its error); invalid ones refused. */
export function checkMark(legacyId: string, mark: { doneAt: Date } | { error: string }): { doneAt: Date | null; error: string | null } {
  if (typeof legacyId !== 'string' || legacyId.length === 0 || legacyId.length > MAX_FIELD_LENGTH) {
    throw new LedgerError(LedgerErrorCode.RECORD_INVALID, `A mark was refused: legacyId must be 1–${MAX_FIELD_LENGTH} characters.`);
  }
  if ('doneAt' in mark) {
    if (!(mark.doneAt instanceof Date) || Number.isNaN(mark.doneAt.getTime())) throw new LedgerError(LedgerErrorCode.RECORD_INVALID, 'A mark was refused: doneAt is not a valid date.');
    return { doneAt: mark.doneAt, error: null };
  }
  if (typeof mark.error !== 'string') throw new LedgerError(LedgerErrorCode.RECORD_INVALID, 'A mark was refused: error must be text.');
  return { doneAt: null, error: markErrorText(mark.error) };
}
