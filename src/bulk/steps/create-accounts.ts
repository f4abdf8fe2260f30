import { answerKind, type BatchRequest } from '../../graph/index.js';
import { ALREADY_EXISTS, codeOf, isTransient, messageOf } from '../graph-answers.js';
import { graphUserBody } from '../graph-user-body.js';
import type { BatchContext } from './batch-context.js';
import type { AccountInEntra, PendingAccount } from './pending-account.js';

/**
 * Creates accounts with one `$batch` of `POST /users`, each recorded `pending` first. Created: recorded `created`
 * (after its methods). Throttled, a failed dependency, a server error: sent again later — after a back-off unless
 * Graph said how long to wait (the pacer does). Refused: failed with Graph's code and message. Resolves to the
 * accounts that conflicted with a user already there, for `resolveConflicts` to look up.
 *
 * @example
 *   const conflicts = await createAccounts(accounts, context);
 */
export async function createAccounts(accounts: readonly PendingAccount[], context: BatchContext): Promise<PendingAccount[]> {
  const { records, again } = context;
  for (const account of accounts) await records.pending(account);
  const requests: BatchRequest[] = accounts.map((account, i) => ({ id: String(i), method: 'POST', url: '/users', body: graphUserBody(account.record, context.userBody) }));
  const responses = await context.graph.send(requests, { abortSignal: context.abortSignal });
  const conflicts: PendingAccount[] = [];
  const created: AccountInEntra[] = [];
  for (const [i, response] of responses.entries()) {
    const account = accounts[i]!;
    account.attempts++;
    if (response.status === 201) created.push({ account, objectId: String((response.body as { id?: unknown })?.id ?? ''), state: 'created' });
    else if (response.status === 400 && ALREADY_EXISTS.test(messageOf(response))) conflicts.push(account);
    else if (isTransient(response.status)) {
      const backOff = answerKind(response.status, response.headers?.['retry-after']) === 'transient';
      await again.add(account, `HTTP ${response.status} after ${account.attempts} attempts`, backOff);
    } else await records.failed(account, `HTTP ${response.status} ${codeOf(response)}: ${messageOf(response)}`.trim());
  }
  await records.inEntra(created);
  return conflicts;
}
