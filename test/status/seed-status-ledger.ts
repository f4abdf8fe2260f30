import type { DecisionAction, Ledger } from '../../src/ledger/index.js';
import type { Confirmation } from '../../src/ledger/reconciliation.js';

/** The instant the status tests run at: days shown (3) are 2026-11-28, -29 and -30. */
export const NOW = new Date('2026-11-30T12:00:00.000Z');
export const CHECKED_AT = new Date('2026-11-30T08:00:00.000Z');
const PRE_CREATED_AT = new Date('2026-11-01T00:00:00.000Z');

/**
 * A ledger with one account in every standing (and the stragglers' edge cases), answers on three days with known
 * latencies, sign-ups and an answer outside the range. Expected figures are in status-figures.test.ts. The answers'
 * days are counted back from `today` (default {@link NOW}: 30, 29, 28, 27 and 20 November 2026), so a test through
 * the command line, which reads the real clock, can seed relative to the day it runs.
 */
export async function seedStatusLedger(ledger: Ledger, today: Date = NOW): Promise<void> {
  const midnight = Math.floor(today.getTime() / 86_400_000) * 86_400_000;
  /** `30T01:00:00` is today at 01:00, `29T…` yesterday, and so on (30 is today). */
  const dayAt = (text: string) => new Date(midnight - (30 - Number(text.slice(0, 2))) * 86_400_000 + Date.parse(`1970-01-01T${text.slice(3)}Z`));
  const account = (legacyId: string, options: { email?: string; state?: 'created' | 'existing' | 'pending' | 'failed' } = {}) =>
    ledger.recordAccount({
      legacyId,
      email: options.email ?? `${legacyId}@example.com`,
      state: options.state ?? 'created',
      entraObjectId: options.state === 'pending' || options.state === 'failed' ? null : `o-${legacyId}`,
      reason: options.state === 'failed' ? 'Request_BadRequest: invalid' : null,
      updatedAt: PRE_CREATED_AT,
    });
  const answer = (objectId: string, legacyId: string | null, day: string, action: DecisionAction, reason: string, latencyInMs: number) =>
    ledger.recordDecision({ at: dayAt(day), correlationId: `c-${objectId}-${day}`, objectId, legacyId, action, reason, latencyInMs });
  const reconciled = (legacyId: string, confirmation: Confirmation) =>
    ledger.recordReconciliation({
      legacyId,
      objectId: `o-${legacyId}`,
      confirmation,
      confirmedAt: confirmation.startsWith('migrated') ? CHECKED_AT : null,
      lastPasswordChangeAt: null,
      checkedAt: legacyId === 'a-ext' ? CHECKED_AT : new Date(CHECKED_AT.getTime() - 60_000),
    });

  for (const id of ['a-ext', 'a-reset', 'a-answered', 'a-update', 'a-blocked', 'a-retry', 'a-never1', 'a-pending-recon', 'a-notapplied', 'a-released']) await account(id);
  await account('a-never2', { state: 'existing' });
  await account('=1+2', { email: '-x@example.com, "q"' });
  await account('p-pending', { state: 'pending' });
  await account('f-failed', { state: 'failed' });

  await reconciled('a-ext', 'migrated-by-extension');
  await reconciled('a-reset', 'migrated-by-reset');
  await reconciled('a-answered', 'pending');
  await reconciled('a-pending-recon', 'pending');
  await reconciled('a-notapplied', 'not-applied');
  await reconciled('a-released', 'released-by-cutover');

  // 2026-11-30: latencies 10, 60, 70, 80, 2000 (p50 70, p99 2000), one unavailable.
  await answer('o-a-ext', 'a-ext', '30T01:00:00', 'MigratePassword', 'password-correct', 10);
  await answer('o-a-notapplied', 'a-notapplied', '30T02:00:00', 'MigratePassword', 'password-correct', 60);
  await answer('sign-up', 'l-s1', '30T03:00:00', 'modifyAttributeValues', 'migrated-by-sign-up', 70);
  await answer('sign-up', 'l-s1', '30T03:30:00', 'modifyAttributeValues', 'migrated-by-sign-up', 80);
  await answer('o-nobody', null, '30T23:59:59.999', 'Block', 'deadline-exceeded', 2000);
  // 2026-11-29: 20, 30, 1000 (p50 30, p99 1000), one unavailable.
  await answer('o-a-answered', 'a-answered', '29T00:00:00', 'MigratePassword', 'password-correct', 20);
  await answer('o-a-update', 'a-update', '29T10:00:00', 'UpdatePassword', 'password-correct-policy-too-short', 30);
  await answer('o-a-retry', 'a-retry', '29T11:00:00', 'Block', 'legacy-store-unavailable', 1000);
  // 2026-11-28: 40, 50 (p50 40, p99 50), none unavailable.
  await answer('o-a-blocked', 'a-blocked', '28T00:00:00', 'Block', 'legacy-account-blocked', 40);
  await answer('o-a-retry', 'a-retry', '28T09:00:00', 'Retry', 'password-wrong', 50);
  // Before the range: counted in standings and sign-ups, not in the days.
  await answer('sign-up', 'l-s2', '20T00:00:00', 'modifyAttributeValues', 'migrated-by-sign-up', 5);
  await answer('o-a-ext', 'a-ext', '27T23:59:59.999', 'Retry', 'password-wrong', 5);
}
