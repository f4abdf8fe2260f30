import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { MAX_BATCH_SIZE, retryAfterInMs, type BatchRequest, type BatchResponse, type GraphBatchClient, type Pacer } from '../graph/index.js';
import type { AccountStateName, Ledger } from '../ledger/index.js';
import { graphUserBody, type UserBodyOptions } from './graph-user-body.js';
import { DEFAULT_FIELD_MAP, recordOf, type FieldMap, type LegacyRecord, type RejectedRow } from './legacy-record.js';
import type { SourceRow } from './sources.js';

export interface PremigrateOptions {
  source: AsyncIterable<SourceRow>;
  ledger: Ledger;
  graph: GraphBatchClient;
  /** The pacer the Graph client uses: throttled inner requests slow it down. */
  pacer: Pacer;
  userBody: UserBodyOptions;
  fieldMap?: FieldMap;
  /** Validate and look up only; write nothing to Graph or the ledger. */
  dryRun?: boolean;
  /** Stops reading the source; requests in flight finish and are recorded. */
  abortSignal?: AbortSignal;
  onProgress?: (progress: PremigrateSummary) => void;
  now?: Clock;
  /** Sends of one account before it is recorded as failed (throttling, 424). Default 8. */
  maxAttempts?: number;
  /**
   * `$batch` requests in flight at once. Default 4: Graph answers a batch of 20 creates in one to two seconds, so
   * one at a time could not reach the 18 writes/s budget; the pacer, not this, sets the rate.
   */
  concurrency?: number;
}

export interface PremigrateSummary {
  read: number;
  rejected: number;
  duplicates: number;
  /** Already created or existing in the ledger from an earlier run. */
  skipped: number;
  created: number;
  existing: number;
  failed: number;
  throttled: number;
  /** Dry run: accounts that would be created. */
  wouldCreate: number;
  /** Stopped by the abort signal before the source ended. */
  interrupted: boolean;
  elapsedInMs: number;
  /** The first 1,000 rejected rows (line and reason; never the row). */
  rejections: RejectedRow[];
  /** The first 1,000 failures (legacy id and reason). */
  failures: Array<{ legacyId: string; reason: string }>;
}

interface Pending {
  record: LegacyRecord;
  attempts: number;
}

const ALREADY_EXISTS = /already exists/i;
const KEEP = 1000;

/**
 * Phase 1: creates every legacy account in Entra through Graph `$batch`, paced to the write budget, recording each
 * in the ledger — `pending` before it is sent, then `created`, `existing` or `failed`. Never twice: a resumed run
 * first looks up every account left `pending` by a crash, and a Graph conflict is resolved by a lookup too.
 *
 * @example
 *   const summary = await premigrate({ source: readSource('users.jsonl'), ledger, graph, pacer, userBody });
 */
export async function premigrate(options: PremigrateOptions): Promise<PremigrateSummary> {
  const now = options.now ?? systemClock;
  const started = now();
  const map = options.fieldMap ?? DEFAULT_FIELD_MAP;
  const maxAttempts = options.maxAttempts ?? 8;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const summary: PremigrateSummary = { read: 0, rejected: 0, duplicates: 0, skipped: 0, created: 0, existing: 0, failed: 0, throttled: 0, wouldCreate: 0, interrupted: false, elapsedInMs: 0, rejections: [], failures: [] };
  const seenIds = new Set<string>();
  const seenEmails = new Set<string>();
  const identityFilter = (email: string) =>
    `/users?$filter=${encodeURIComponent(`identities/any(c:c/issuerAssignedId eq '${email.replace(/'/g, "''")}' and c/issuer eq '${options.userBody.tenantDomain.replace(/'/g, "''")}')`)}&$select=id`;

  const record = async (legacyId: string, email: string, state: AccountStateName, entraObjectId: string | null, reason: string | null) => {
    if (!options.dryRun) await options.ledger.recordAccount({ legacyId, email, state, entraObjectId, reason, updatedAt: new Date(now()) });
  };
  const fail = async (item: Pending, reason: string) => {
    summary.failed++;
    if (summary.failures.length < KEEP) summary.failures.push({ legacyId: item.record.id, reason });
    await record(item.record.id, item.record.email, 'failed', null, reason.slice(0, 1000));
  };

  /** Looks accounts up by identity (GETs: no write budget); resolves to the object id or null. */
  const lookUp = async (emails: readonly string[]): Promise<Map<string, string | null>> => {
    const found = new Map<string, string | null>();
    for (let i = 0; i < emails.length; i += MAX_BATCH_SIZE) {
      const chunk = emails.slice(i, i + MAX_BATCH_SIZE);
      const responses = await options.graph.send(chunk.map((email, j) => ({ id: String(j), method: 'GET' as const, url: identityFilter(email) })));
      responses.forEach((response, j) => {
        const value = (response.body as { value?: Array<{ id?: string }> } | null)?.value;
        found.set(chunk[j]!, response.status === 200 && value?.[0]?.id ? value[0].id : null);
      });
    }
    return found;
  };

  // 1. Resume: accounts a crash left `pending` may or may not exist; ask Graph, never create blindly.
  if (!options.dryRun) {
    for (let after: string | undefined; ; ) {
      const pending = await options.ledger.listAccounts({ state: 'pending', ...(after !== undefined && { after }), limit: 500 });
      if (pending.length === 0) break;
      const found = await lookUp(pending.map((account) => account.email));
      for (const account of pending) {
        const id = found.get(account.email);
        if (id) await record(account.legacyId, account.email, 'existing', id, null);
      }
      after = pending.at(-1)!.legacyId;
    }
  }

  // 2. Create, up to `concurrency` batches in flight; throttled or dependent requests go round again.
  let queue: Pending[] = [];
  const processBatch = async (batch: Pending[]) => {
    if (options.dryRun) {
      const found = await lookUp(batch.map((item) => item.record.email));
      for (const item of batch) found.get(item.record.email) ? summary.existing++ : summary.wouldCreate++;
      return;
    }
    for (const item of batch) await record(item.record.id, item.record.email, 'pending', null, null);
    const requests: BatchRequest[] = batch.map((item, i) => ({ id: String(i), method: 'POST', url: '/users', body: graphUserBody(item.record, options.userBody) }));
    const responses = await options.graph.send(requests);
    const conflicts: Pending[] = [];
    let retryAfter = 0;
    for (const [i, response] of responses.entries()) {
      const item = batch[i]!;
      item.attempts++;
      if (response.status === 201) {
        summary.created++;
        await record(item.record.id, item.record.email, 'created', String((response.body as { id?: unknown })?.id ?? ''), null);
      } else if (response.status === 400 && ALREADY_EXISTS.test(messageOf(response))) {
        conflicts.push(item);
      } else if (response.status === 429 || response.status === 503 || response.status === 424 || response.status >= 500) {
        if (response.status === 429) summary.throttled++;
        retryAfter = Math.max(retryAfter, retryAfterInMs(response.headers['retry-after'], now()) ?? 1000);
        if (item.attempts >= maxAttempts) await fail(item, `HTTP ${response.status} after ${item.attempts} attempts`);
        else queue.push(item);
      } else {
        await fail(item, `HTTP ${response.status} ${codeOf(response)}: ${messageOf(response)}`.trim());
      }
    }
    if (retryAfter > 0) options.pacer.throttled(retryAfter);
    if (conflicts.length > 0) {
      const found = await lookUp(conflicts.map((item) => item.record.email));
      for (const item of conflicts) {
        const id = found.get(item.record.email);
        if (id) {
          summary.existing++;
          await record(item.record.id, item.record.email, 'existing', id, null);
        } else await fail(item, 'Graph reported a conflict but no user holds this identity');
      }
    }
    options.onProgress?.({ ...summary, elapsedInMs: now() - started });
  };

  const running = new Set<Promise<void>>();
  /** Starts full batches (every remaining one when `all`) while slots are free; waits for a slot otherwise. */
  const pump = async (all: boolean) => {
    for (;;) {
      if (queue.length >= MAX_BATCH_SIZE || (all && queue.length > 0)) {
        if (running.size < concurrency) {
          const task: Promise<void> = processBatch(queue.splice(0, MAX_BATCH_SIZE)).finally(() => running.delete(task));
          running.add(task);
        } else await Promise.race(running);
      } else if (all && running.size > 0) await Promise.race(running);
      else return;
    }
  };

  try {
    for await (const { line, row, error } of options.source) {
      if (options.abortSignal?.aborted) {
        summary.interrupted = true;
        break;
      }
      summary.read++;
      const mapped = row === null ? { reason: error ?? 'unreadable' } : recordOf(row, map);
      if ('reason' in mapped) {
        summary.rejected++;
        if (summary.rejections.length < KEEP) summary.rejections.push({ line, reason: mapped.reason });
        continue;
      }
      if (seenIds.has(mapped.id) || seenEmails.has(mapped.email)) {
        summary.duplicates++;
        if (summary.rejections.length < KEEP) summary.rejections.push({ line, reason: seenIds.has(mapped.id) ? 'duplicate id' : 'duplicate e-mail' });
        continue;
      }
      seenIds.add(mapped.id);
      seenEmails.add(mapped.email);
      const known = options.dryRun ? undefined : await options.ledger.accountState(mapped.id);
      if (known && (known.state === 'created' || known.state === 'existing')) {
        summary.skipped++;
        continue;
      }
      queue.push({ record: mapped, attempts: 0 });
      await pump(false);
    }
    // Interrupted: nothing new is sent; the batches in flight finish and are recorded.
    if (summary.interrupted) queue = [];
    await pump(true);
  } catch (error) {
    // Let the batches in flight finish and record what they did before failing the run.
    await Promise.allSettled(running);
    throw error;
  }
  summary.elapsedInMs = now() - started;
  return summary;
}

function codeOf(response: BatchResponse): string {
  return String((response.body as { error?: { code?: unknown } } | null)?.error?.code ?? '');
}

function messageOf(response: BatchResponse): string {
  return String((response.body as { error?: { message?: unknown } } | null)?.error?.message ?? '').slice(0, 500);
}
