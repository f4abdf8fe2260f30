import type { BatchContext } from './batch-context.js';
import type { AccountInEntra, PendingAccount } from './pending-account.js';

/** What the lookups of one batch need: the Graph lookup, the ledger, the accounts to send again. */
export type LookUpContext = Pick<BatchContext, 'lookUp' | 'records' | 'again' | 'summary' | 'abortSignal'>;

/**
 * Accounts that may exist already (left `pending` by an earlier run, or a conflict not yet looked up): asked of
 * Graph, never created blindly. Found: recorded `existing`. Not there: no longer uncertain, to be created now.
 * Unanswered: sent again later, after a back-off.
 *
 * @example
 *   await lookUpUncertain(batch.filter((account) => account.uncertain), context);
 */
export async function lookUpUncertain(accounts: readonly PendingAccount[], context: LookUpContext): Promise<void> {
  if (accounts.length === 0) return;
  const found = await context.lookUp(emailsOf(accounts), context.abortSignal);
  const existing: AccountInEntra[] = [];
  for (const account of accounts) {
    const objectId = found.get(account.record.email);
    if (objectId) existing.push({ account, objectId, state: 'existing' });
    else if (objectId === null) account.uncertain = false;
    else {
      account.attempts++;
      await context.again.add(account, `Graph did not answer the lookup of this identity after ${account.attempts} attempts`, true);
    }
  }
  await context.records.inEntra(existing);
}

/**
 * Accounts whose create conflicted with a user already there — also those a 503 answered after Graph had written
 * them, then sent again — are looked up, never created a second time. Found: recorded `existing`. Not there: failed.
 * Unanswered: uncertain, sent again later. After an abort nothing is looked up: they stay `pending`.
 *
 * @example
 *   await resolveConflicts(conflicts, context);
 */
export async function resolveConflicts(accounts: readonly PendingAccount[], context: LookUpContext): Promise<void> {
  if (accounts.length === 0) return;
  if (context.abortSignal?.aborted) {
    context.summary.interrupted = true;
    return;
  }
  const found = await context.lookUp(emailsOf(accounts), context.abortSignal);
  const existing: AccountInEntra[] = [];
  for (const account of accounts) {
    const objectId = found.get(account.record.email);
    if (objectId) existing.push({ account, objectId, state: 'existing' });
    else if (objectId === null) await context.records.failed(account, 'Graph reported a conflict but no user holds this identity');
    else {
      account.uncertain = true;
      await context.again.add(account, `Graph reported a conflict and did not answer the lookup after ${account.attempts} attempts`, true);
    }
  }
  await context.records.inEntra(existing);
}

/** The accounts' e-mails, in order: what the identity lookup asks about. */
export function emailsOf(accounts: readonly PendingAccount[]): string[] {
  return accounts.map((account) => account.record.email);
}
