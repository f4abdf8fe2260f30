import type { Ledger } from '../../ledger/index.js';

/**
 * What an earlier run left in the ledger for an account: `done` (created or found existing: nothing to do),
 * `pending` (a create may have been sent: look it up before sending again), or `none` (never sent, or failed).
 *
 * @example
 *   if ((await earlierRun(ledger, record.id)) === 'done') summary.skipped++;
 */
export async function earlierRun(ledger: Pick<Ledger, 'accountState'>, legacyId: string): Promise<'done' | 'pending' | 'none'> {
  const known = await ledger.accountState(legacyId);
  if (known?.state === 'created' || known?.state === 'existing') return 'done';
  return known?.state === 'pending' ? 'pending' : 'none';
}
