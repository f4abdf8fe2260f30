import type { Clock } from '../../common/clock.js';
import type { Ledger } from '../../ledger/index.js';
import type { UserBodyOptions } from '../graph-user-body.js';
import { identityLookup } from '../identity-lookup.js';
import type { BatchContext } from './batch-context.js';
import { createAccounts } from './create-accounts.js';
import { lookUpUncertain, resolveConflicts } from './look-up-existing.js';
import type { PendingAccount } from './pending-account.js';
import { accountRecords } from './record-accounts.js';
import type { RegisterMethodsOptions } from './register-methods.js';
import { SendAgain } from './send-again.js';

export interface AccountWritesOptions extends RegisterMethodsOptions {
  ledger: Pick<Ledger, 'recordAccount'>;
  userBody: UserBodyOptions;
  now: Clock;
}

/**
 * Writes one batch of accounts to Entra, for the `BatchDispatcher`: those that may exist already are looked
 * up, the others created; a conflict is resolved by a lookup, never a second create; accounts now in Entra get their
 * methods, then are recorded. Resolves to the accounts to send again. After an abort nothing more is sent: what the
 * batch has not finished stays `pending` in the ledger, for the next run to look up.
 *
 * @example
 *   const send = accountWrites({ graph, ledger, summary, userBody, methods: {}, maxAttempts: 8, now });
 *   const again = await send(accounts);
 */
export function accountWrites(options: AccountWritesOptions): (batch: PendingAccount[]) => Promise<PendingAccount[]> {
  const lookUp = identityLookup(options.graph, options.userBody.tenantDomain);
  const records = accountRecords(options);

  return async (batch) => {
    const again = new SendAgain({ maxAttempts: options.maxAttempts, now: options.now, random: options.random, fail: records.failed });
    const context: BatchContext = { graph: options.graph, userBody: options.userBody, lookUp, records, again, summary: options.summary, abortSignal: options.abortSignal };

    await lookUpUncertain(batch.filter((account) => account.uncertain), context);
    const creating = batch.filter((account) => !account.uncertain);
    if (creating.length === 0 || options.abortSignal?.aborted) return [...again.accounts, ...creating];
    const conflicts = await createAccounts(creating, context);
    await resolveConflicts(conflicts, context);
    return again.accounts;
  };
}
