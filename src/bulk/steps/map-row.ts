import { recordOf, type FieldMap, type LegacyRecord } from '../legacy-record.js';
import type { PremigrateFailure } from '../premigrate-summary.js';
import type { SourceRow } from '../sources.js';

/** A row mapped: its record, or why it cannot become an account (never the row itself: it may hold a password). */
export type MappedRow = { record: LegacyRecord; line: number } | { rejection: PremigrateFailure & { line: number } };

/**
 * Maps one source row through the field map to a legacy record, or to its rejection with its line and, when one
 * can be read, its id.
 *
 * @example
 *   mapRow({ line: 3, row: { id: 'u1', email: 'nope' } }, DEFAULT_FIELD_MAP)
 *   // { rejection: { legacyId: 'u1', reason: 'email is not a valid e-mail address', line: 3 } }
 */
export function mapRow({ line, row, error }: SourceRow, map: FieldMap): MappedRow {
  const mapped = row === null ? { reason: error ?? 'unreadable' } : recordOf(row, map);
  if ('reason' in mapped) return { rejection: { legacyId: row === null ? '' : readableId(row, map), reason: mapped.reason, line } };
  return { record: mapped, line };
}

/** The row's id when it can be read (a rejected row may still have one), else ''. */
function readableId(row: Readonly<Record<string, unknown>>, map: FieldMap): string {
  const value = row[map.id];
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'bigint' ? String(value) : '';
  return text.length <= 200 ? text : '';
}
