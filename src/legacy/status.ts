import type { LegacyAccountStatus } from './store.js';

/** Raw statuses (compared trimmed and case-insensitively) that mean "this account may sign in". */
const ACTIVE_STATUSES: ReadonlySet<string> = new Set(['active', '']);

/**
 * Maps a legacy status column to `active` or `blocked`. Fails closed:
 *
 * - `active`, null and the empty string (after trimming, any case) → `active`;
 * - `locked`, `disabled`, `blocked` → `blocked`;
 * - **any other value** → `blocked` as well: a status we do not understand (`pending`, `2`, `suspended`) must not
 *   let a password through. The raw value stays on the account (`rawStatus`) so the ledger shows why, and a query
 *   can map its own vocabulary: `CASE WHEN enabled THEN 'active' ELSE 'disabled' END AS status`.
 *
 * @example
 *   legacyStatusOf(' Active ') // 'active'
 *   legacyStatusOf('pending')  // 'blocked'
 */
export function legacyStatusOf(raw: string | null): LegacyAccountStatus {
  if (raw === null) return 'active';
  return ACTIVE_STATUSES.has(raw.trim().toLowerCase()) ? 'active' : 'blocked';
}
