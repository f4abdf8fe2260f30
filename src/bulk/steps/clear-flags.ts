import type { Clock } from '../../common/clock.js';
import { headerOf } from '../../graph/answer-kind.js';
import { answerKind, backoffInMs, GraphError, GraphErrorCode, type GraphBatchClient } from '../../graph/index.js';
import type { AccountToReconcile, Ledger } from '../../ledger/index.js';
import type { Queued } from './batch-dispatcher.js';
import type { CutoverSummary } from './cutover-summary.js';
import { listIn } from './reconcile-summary.js';

/** A straggler on its way to release: its flag is still true in Entra. */
export interface FlagToClear extends Queued {
  account: AccountToReconcile;
  /** `lastPasswordChangeDateTime` as read, kept in its reconciliation. */
  lastPasswordChangeAt: Date | null;
  /** PATCHes sent so far. */
  attempts: number;
}

export interface ClearFlagsOptions {
  /** Paced for writes: each PATCH takes one of the app registration's identity writes. */
  graph: GraphBatchClient;
  flagAttribute: string;
  ledger: Pick<Ledger, 'recordReconciliation'>;
  summary: CutoverSummary;
  /** PATCHes of one account before it is listed as a failure. */
  maxAttempts: number;
  now: Clock;
  random?: (() => number) | undefined;
  abortSignal?: AbortSignal | undefined;
}

/**
 * Clears the flag of one batch of stragglers, 20 PATCHes `{ "<flag>": false }` to a `$batch` through the write
 * pacer, so that Entra no longer calls the extension for them and their next sign-in is Entra's own (their password
 * is the random one: they reset it with "Forgot password"). Each account Graph cleared is recorded
 * `released-by-cutover` at once, so a run stopped half-way resumes with the accounts left. Throttled answers (429, 503
 * with Retry-After) are sent again once the pacer has waited; transient ones (5xx) after a back-off; what Graph
 * refuses (400) or still fails after `maxAttempts` is listed. 404: deleted in Entra since the read (listed, not a
 * failure). 401/403 fail the run: the app registration cannot write users at all.
 *
 * @example
 *   const again = await clearFlags(batch, { graph: writer, flagAttribute, ledger, summary, maxAttempts: 8, now });
 */
export async function clearFlags(batch: readonly FlagToClear[], options: ClearFlagsOptions): Promise<FlagToClear[]> {
  const requests = batch.map((item, i) => ({ id: String(i), method: 'PATCH' as const, url: `/users/${encodeURIComponent(item.account.objectId)}`, body: { [options.flagAttribute]: false } }));
  const responses = await options.graph.send(requests, { abortSignal: options.abortSignal });
  const again: FlagToClear[] = [];
  for (const [i, item] of batch.entries()) {
    const response = responses[i]!;
    item.attempts++;
    const ids = { legacyId: item.account.legacyId, objectId: item.account.objectId };
    if (response.status === 204 || response.status === 200) {
      await recordRelease(item.account, item.lastPasswordChangeAt, options);
      options.summary.released++;
      continue;
    }
    if (response.status === 404) {
      listIn(options.summary.deletedInEntra, ids);
      continue;
    }
    if (response.status === 401 || response.status === 403) {
      throw new GraphError(GraphErrorCode.REQUEST_FAILED, `Graph refused clearing ${options.flagAttribute} (HTTP ${response.status}): the app registration needs User.ReadWrite.All.`);
    }
    const kind = answerKind(response.status, headerOf(response, 'retry-after'));
    if (kind === 'final' || item.attempts >= options.maxAttempts) {
      listIn(options.summary.failures, { ...ids, error: `HTTP ${response.status}${graphCodeOf(response.body)}${kind === 'final' ? '' : ` after ${item.attempts} attempts`}` });
      continue;
    }
    item.notBefore = kind === 'throttled' ? 0 : options.now() + backoffInMs(item.attempts - 1, { random: options.random });
    again.push(item);
  }
  return again;
}

/**
 * Records an account released by cut-over: never "migrated" (no `confirmedAt`, never marked on the legacy side), and
 * no longer read by reconcile, which lists only accounts still pending or not applied.
 */
export async function recordRelease(account: AccountToReconcile, lastPasswordChangeAt: Date | null, options: { ledger: Pick<Ledger, 'recordReconciliation'>; now: Clock }): Promise<void> {
  await options.ledger.recordReconciliation({
    legacyId: account.legacyId,
    objectId: account.objectId,
    confirmation: 'released-by-cutover',
    confirmedAt: null,
    lastPasswordChangeAt,
    checkedAt: new Date(options.now()),
  });
}

/** `: <Graph's error code>` from an error body, bounded; empty when there is none. */
function graphCodeOf(body: unknown): string {
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  return typeof code === 'string' && code.length > 0 ? `: ${code.slice(0, 100)}` : '';
}
