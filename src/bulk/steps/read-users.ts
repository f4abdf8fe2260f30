import type { Clock } from '../../common/clock.js';
import { answerKind, backoffInMs, GraphError, GraphErrorCode, type BatchResponse, type GraphBatchClient } from '../../graph/index.js';
import type { AccountToReconcile } from '../../ledger/index.js';
import type { ReconcileSummary } from './reconcile-summary.js';
import { listIn } from './reconcile-summary.js';
import type { Queued } from './batch-dispatcher.js';
import { userSeenOf, type UserSeen } from './confirmation-of.js';

/** One account waiting for its GET: sent again (after a back-off when Graph failed transiently) until answered. */
export interface AccountToRead extends Queued {
  account: AccountToReconcile;
  /** GETs sent so far. */
  attempts: number;
}

/** An account Graph answered for. */
export interface AccountRead {
  account: AccountToReconcile;
  user: UserSeen;
}

export interface ReadUsersOptions {
  graph: GraphBatchClient;
  flagAttribute: string;
  summary: ReconcileSummary;
  /** GETs of one account before it is left for the next run. */
  maxAttempts: number;
  now: Clock;
  random?: (() => number) | undefined;
  abortSignal?: AbortSignal | undefined;
}

/**
 * Reads one batch of users, 20 GETs to a `$batch` through the pacer (reads only: never a write). Each GET names
 * what it needs with `$select` — Graph returns extension attributes and `lastPasswordChangeDateTime` only when
 * selected (https://learn.microsoft.com/graph/api/user-get#optional-query-parameters). Resolves to the users read and
 * the accounts to read again: throttled ones at once (the pacer has paused for Retry-After), transient failures
 * after a back-off. 404: the user was deleted in Entra (listed, read again next run). 401/403 fail the run: the app
 * registration cannot read users at all.
 *
 * @example
 *   const { read, again } = await readUsers(batch, { graph, flagAttribute, summary, maxAttempts: 8, now });
 */
export async function readUsers(batch: readonly AccountToRead[], options: ReadUsersOptions): Promise<{ read: AccountRead[]; again: AccountToRead[] }> {
  const select = `$select=id,lastPasswordChangeDateTime,${options.flagAttribute}`;
  const requests = batch.map((item, i) => ({ id: String(i), method: 'GET' as const, url: `/users/${encodeURIComponent(item.account.objectId)}?${select}` }));
  const responses = await options.graph.send(requests, { abortSignal: options.abortSignal });
  const read: AccountRead[] = [];
  const again: AccountToRead[] = [];
  batch.forEach((item, i) => {
    const response = responses[i]!;
    item.attempts++;
    if (response.status === 200) return void read.push({ account: item.account, user: userSeenOf(response.body, options.flagAttribute) });
    if (response.status === 404) return listIn(options.summary.deletedInEntra, { legacyId: item.account.legacyId, objectId: item.account.objectId });
    if (response.status === 401 || response.status === 403) {
      throw new GraphError(GraphErrorCode.REQUEST_FAILED, `Graph refused reading users (HTTP ${response.status}): the app registration needs User.Read.All (or User.ReadWrite.All).`);
    }
    const kind = answerKind(response.status, headerOf(response, 'retry-after'));
    if (kind === 'final' || item.attempts >= options.maxAttempts) return void options.summary.unanswered++;
    item.notBefore = kind === 'throttled' ? 0 : options.now() + backoffInMs(item.attempts - 1, { random: options.random });
    again.push(item);
  });
  return { read, again };
}

function headerOf(response: BatchResponse, name: string): string | undefined {
  const entry = Object.entries(response.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}
