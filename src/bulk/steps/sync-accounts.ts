import type { Clock } from '../../common/clock.js';
import { answerKind, backoffInMs, GraphError, GraphErrorCode, type BatchRequest, type BatchResponse, type GraphBatchClient } from '../../graph/index.js';
import type { Ledger } from '../../ledger/index.js';
import { codeOf, messageOf } from '../graph-answers.js';
import type { SyncItem } from './sync-item.js';
import { SYNC_SELECT, syncedUserOf, userPatchOf } from './sync-patch.js';
import { profileFingerprint, UNKNOWN_PROFILE } from './sync-profile.js';
import { countChange, countFailure, type SyncChange, type SyncSummary } from './sync-summary.js';

export interface SyncAccountsOptions {
  graph: GraphBatchClient;
  ledger: Pick<Ledger, 'recordProfile'>;
  /** `ENTRA_TENANT_DOMAIN`: the issuer of the e-mail identity. */
  tenantDomain: string;
  summary: SyncSummary;
  /** Read and compare only: no PATCH, nothing recorded. */
  dryRun: boolean;
  /** Sends of one account (reads and PATCHes) before it is listed as failed. */
  maxAttempts: number;
  now: Clock;
  random?: (() => number) | undefined;
  abortSignal?: AbortSignal | undefined;
}

/**
 * Syncs one batch of accounts, for the `BatchDispatcher`: a `$batch` of GETs reads what Graph holds (reads spend no
 * write budget), each account is compared with its source record (`userPatchOf`), and — unless a dry run — a
 * `$batch` of PATCHes writes only what differs; then each account is recorded (`recordProfile`: the fingerprint and
 * whether it is enabled). An account Graph already holds as the source does is recorded without a PATCH: that is
 * how accounts pre-created before profiles were kept get their baseline, and how a run that crashed between a PATCH
 * and its record resumes (the next run reads the user, finds nothing to change, records it). Throttled and
 * transient answers are sent again (read again) later; 404 and refusals are failures, listed; 401/403 fail the run.
 *
 * @example
 *   const send = syncAccounts({ graph, ledger, tenantDomain, summary, dryRun: false, maxAttempts: 8, now });
 *   const again = await send(items);
 */
export function syncAccounts(options: SyncAccountsOptions): (batch: SyncItem[]) => Promise<SyncItem[]> {
  const { summary } = options;

  /** Sends the item again later (into this batch's `again`), or lists it as failed when it has no attempt left. */
  const retryOrFail = (again: SyncItem[], item: SyncItem, response: BatchResponse, what: string) => {
    const kind = answerKind(response.status, headerOf(response, 'retry-after'));
    if (kind === 'final' || item.attempts >= options.maxAttempts) {
      const detail = kind === 'final' ? `${codeOf(response)}: ${messageOf(response)}`.replace(/^: /, '') : `after ${item.attempts} attempts`;
      return countFailure(summary, { legacyId: item.legacyId, objectId: item.objectId, reason: `${what}: HTTP ${response.status} ${detail}`.trim() });
    }
    item.notBefore = kind === 'throttled' ? 0 : options.now() + backoffInMs(item.attempts - 1, { random: options.random });
    again.push(item);
  };

  const record = (item: SyncItem) =>
    options.ledger.recordProfile({
      legacyId: item.legacyId,
      fingerprint: item.record ? profileFingerprint(item.record) : (item.recorded?.fingerprint ?? UNKNOWN_PROFILE),
      enabled: item.enabled ?? item.recorded?.enabled ?? true,
      syncedAt: new Date(options.now()),
    });

  return async (batch) => {
    const again: SyncItem[] = [];
    const reads = await send(options, batch.map((item, i) => ({ id: String(i), method: 'GET', url: `/users/${encodeURIComponent(item.objectId)}?$select=${SYNC_SELECT}` })));
    const patches: Array<{ item: SyncItem; body: Record<string, unknown>; change: SyncChange }> = [];
    for (const [i, item] of batch.entries()) {
      const response = reads[i]!;
      item.attempts++;
      if (response.status === 404) {
        countFailure(summary, { legacyId: item.legacyId, objectId: item.objectId, reason: 'not in Entra: the user was deleted there' });
        continue;
      }
      refuseUnauthorised(response, 'reading');
      if (response.status !== 200) {
        retryOrFail(again, item, response, 'reading the user');
        continue;
      }
      summary.compared++;
      const { body, changes } = userPatchOf(syncedUserOf(response.body), item, options.tenantDomain);
      const change: SyncChange = { legacyId: item.legacyId, objectId: item.objectId, fields: changes };
      if (changes.length === 0) {
        summary.unchanged++;
        if (!options.dryRun) await record(item);
      } else if (options.dryRun) countChange(summary, change);
      else patches.push({ item, body, change });
    }
    if (patches.length === 0 || options.abortSignal?.aborted) {
      if (patches.length > 0) summary.interrupted = true;
      return again;
    }
    const writes = await send(options, patches.map(({ item, body }, i) => ({ id: String(i), method: 'PATCH', url: `/users/${encodeURIComponent(item.objectId)}`, body })));
    for (const [i, { item, change }] of patches.entries()) {
      const response = writes[i]!;
      item.attempts++;
      refuseUnauthorised(response, 'updating');
      if (response.status === 204 || response.status === 200) {
        countChange(summary, change);
        await record(item);
      } else if (response.status === 404) countFailure(summary, { legacyId: item.legacyId, objectId: item.objectId, reason: 'not in Entra: the user was deleted there' });
      else retryOrFail(again, item, response, 'updating the user');
    }
    return again;
  };
}

function send(options: SyncAccountsOptions, requests: BatchRequest[]): Promise<BatchResponse[]> {
  return options.graph.send(requests, { abortSignal: options.abortSignal });
}

/** 401/403 fail the run: the app registration cannot read or write users at all, and every account would fail alike. */
function refuseUnauthorised(response: BatchResponse, doing: string): void {
  if (response.status === 401 || response.status === 403) {
    throw new GraphError(GraphErrorCode.REQUEST_FAILED, `Graph refused ${doing} users (HTTP ${response.status}): the app registration needs User.ReadWrite.All.`);
  }
}

function headerOf(response: BatchResponse, name: string): string | undefined {
  return Object.entries(response.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
}
