import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { MAX_BATCH_SIZE, type BatchRequest, type BatchResponse, type DirectoryQuota, type GraphBatchClient } from '../graph/index.js';
import type { AccountStateName, Ledger } from '../ledger/index.js';
import { FingerprintSet } from './fingerprint-set.js';
import { graphUserBody, type UserBodyOptions } from './graph-user-body.js';
import { DEFAULT_FIELD_MAP, recordOf, type FieldMap, type LegacyRecord, type RejectedRow } from './legacy-record.js';
import type { SourceRow } from './sources.js';

export interface PremigrateOptions {
  source: AsyncIterable<SourceRow>;
  ledger: Ledger;
  /** One app registration's client, or a pool of several (`createGraphClientPool`); each paces itself. */
  graph: GraphBatchClient;
  userBody: UserBodyOptions;
  fieldMap?: FieldMap;
  /** Validate and look up only; write nothing to Graph or the ledger. */
  dryRun?: boolean;
  /**
   * Authentication methods to register for each account created (or found existing): its e-mail as an e-mail
   * method, its phone (when the record has one) as a mobile phone method. An account is recorded only once its
   * methods are in place, so a crash in between is resumed by a lookup and the methods are added then.
   */
  methods?: { email?: boolean; phone?: boolean };
  /** Dry run: reads the tenant's directory quota, to report whether the accounts would fit. */
  readQuota?: () => Promise<DirectoryQuota | null>;
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
  /** Dry run: the tenant's directory quota (null when Graph did not say) and whether `wouldCreate` more fit in it. */
  quota: (DirectoryQuota & { fits: boolean }) | null;
  /** Authentication methods registered (e-mail and phone together). */
  methodsAdded: number;
  /** Accounts created or found whose methods could not all be added (listed in `failures`). */
  methodsFailed: number;
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
  /** Left `pending` by an earlier run that stopped mid-batch: it may exist already, so it is looked up first. */
  uncertain: boolean;
}

const ALREADY_EXISTS = /already exists?/i;
const KEEP = 1000;

/**
 * Phase 1: creates every legacy account in Entra through Graph `$batch`, paced to the write budget, recording each
 * in the ledger — `pending` before it is sent, then `created`, `existing` or `failed`. Never twice: a resumed run
 * looks up each account a crash left `pending` before sending it again, and a Graph conflict is resolved by a
 * lookup too. Accounts skipped: those already `created` or `existing` in the ledger.
 *
 * @example
 *   const summary = await premigrate({ source: readSource('users.jsonl'), ledger, graph, userBody });
 */
export async function premigrate(options: PremigrateOptions): Promise<PremigrateSummary> {
  const now = options.now ?? systemClock;
  const started = now();
  const map = options.fieldMap ?? DEFAULT_FIELD_MAP;
  const maxAttempts = options.maxAttempts ?? 8;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const summary: PremigrateSummary = { read: 0, rejected: 0, duplicates: 0, skipped: 0, created: 0, existing: 0, failed: 0, throttled: 0, wouldCreate: 0, quota: null, methodsAdded: 0, methodsFailed: 0, interrupted: false, elapsedInMs: 0, rejections: [], failures: [] };
  // Duplicates inside the source, in 32 bytes per account however many millions there are.
  const seen = new FingerprintSet();
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

  /**
   * Registers the wanted authentication methods of accounts now in Entra; resolves to the reason each failed, if it
   * did. A method that already exists counts as done, so a resumed run may ask again safely.
   */
  const addMethods = async (accounts: ReadonlyArray<{ item: Pending; objectId: string }>): Promise<Map<string, string>> => {
    const problems = new Map<string, string>();
    let requests: Array<{ legacyId: string; request: BatchRequest; attempts: number }> = [];
    for (const { item, objectId } of accounts) {
      const base = `/users/${encodeURIComponent(objectId)}/authentication`;
      if (options.methods?.email) requests.push({ legacyId: item.record.id, attempts: 0, request: { id: '', method: 'POST', url: `${base}/emailMethods`, body: { emailAddress: item.record.email } } });
      if (options.methods?.phone && item.record.phone) {
        requests.push({ legacyId: item.record.id, attempts: 0, request: { id: '', method: 'POST', url: `${base}/phoneMethods`, body: { phoneNumber: item.record.phone, phoneType: 'mobile' } } });
      }
    }
    while (requests.length > 0) {
      const again: typeof requests = [];
      for (let i = 0; i < requests.length; i += MAX_BATCH_SIZE) {
        const chunk = requests.slice(i, i + MAX_BATCH_SIZE);
        const responses = await options.graph.send(chunk.map((entry, j) => ({ ...entry.request, id: String(j) })));
        responses.forEach((response, j) => {
          const entry = chunk[j]!;
          entry.attempts++;
          const what = entry.request.url.endsWith('emailMethods') ? 'e-mail' : 'phone';
          if (response.status === 201 || (response.status === 400 && ALREADY_EXISTS.test(messageOf(response)))) summary.methodsAdded++;
          else if (isTransient(response.status) && entry.attempts < maxAttempts) again.push(entry);
          else problems.set(entry.legacyId, `the ${what} method was not added: HTTP ${response.status} ${codeOf(response)}`.trim());
          if (response.status === 429) summary.throttled++;
        });
      }
      requests = again;
    }
    return problems;
  };

  /** Records accounts now in Entra — after their methods, when methods are wanted. */
  const settle = async (accounts: ReadonlyArray<{ item: Pending; objectId: string; state: 'created' | 'existing' }>) => {
    const problems = options.methods?.email || options.methods?.phone ? await addMethods(accounts) : new Map<string, string>();
    for (const { item, objectId, state } of accounts) {
      const problem = problems.get(item.record.id);
      if (problem) {
        summary.methodsFailed++;
        if (summary.failures.length < KEEP) summary.failures.push({ legacyId: item.record.id, reason: `${state} in Entra as ${objectId}, but ${problem}` });
      }
      summary[state]++;
      // Recorded with its object id either way: a later run skips it, and the failures CSV lists the method to add.
      await record(item.record.id, item.record.email, state, objectId, problem ?? null);
    }
  };

  // Create, up to `concurrency` batches in flight; throttled or dependent requests go round again.
  let queue: Pending[] = [];
  const processBatch = async (batch: Pending[]) => {
    await sendBatch(batch);
    options.onProgress?.({ ...summary, elapsedInMs: now() - started });
  };
  const sendBatch = async (batch: Pending[]) => {
    if (options.dryRun) {
      const found = await lookUp(batch.map((item) => item.record.email));
      for (const item of batch) found.get(item.record.email) ? summary.existing++ : summary.wouldCreate++;
      return;
    }
    // Accounts a crash left `pending` may or may not exist: ask Graph, never create blindly.
    const uncertain = batch.filter((item) => item.uncertain);
    if (uncertain.length > 0) {
      const found = await lookUp(uncertain.map((item) => item.record.email));
      const existing = uncertain.flatMap((item) => {
        const objectId = found.get(item.record.email);
        item.uncertain = false;
        return objectId ? [{ item, objectId, state: 'existing' as const }] : [];
      });
      await settle(existing);
      batch = batch.filter((item) => !existing.some((entry) => entry.item === item));
      if (batch.length === 0) return;
    }
    for (const item of batch) await record(item.record.id, item.record.email, 'pending', null, null);
    const requests: BatchRequest[] = batch.map((item, i) => ({ id: String(i), method: 'POST', url: '/users', body: graphUserBody(item.record, options.userBody) }));
    const responses = await options.graph.send(requests);
    const conflicts: Pending[] = [];
    const created: Array<{ item: Pending; objectId: string; state: 'created' }> = [];
    for (const [i, response] of responses.entries()) {
      const item = batch[i]!;
      item.attempts++;
      if (response.status === 201) {
        created.push({ item, objectId: String((response.body as { id?: unknown })?.id ?? ''), state: 'created' });
      } else if (response.status === 400 && ALREADY_EXISTS.test(messageOf(response))) {
        conflicts.push(item);
      } else if (isTransient(response.status)) {
        if (response.status === 429) summary.throttled++;
        if (item.attempts >= maxAttempts) await fail(item, `HTTP ${response.status} after ${item.attempts} attempts`);
        else queue.push(item);
      } else {
        await fail(item, `HTTP ${response.status} ${codeOf(response)}: ${messageOf(response)}`.trim());
      }
    }
    await settle(created);
    if (conflicts.length > 0) {
      const found = await lookUp(conflicts.map((item) => item.record.email));
      const existing: Array<{ item: Pending; objectId: string; state: 'existing' }> = [];
      for (const item of conflicts) {
        const objectId = found.get(item.record.email);
        if (objectId) existing.push({ item, objectId, state: 'existing' });
        else await fail(item, 'Graph reported a conflict but no user holds this identity');
      }
      await settle(existing);
    }
  };

  const running = new Set<Promise<void>>();
  /** The first batch that failed as a whole (Graph gone, ledger gone): the run stops and reports it. */
  let failure: { error: unknown } | undefined;
  /** Starts full batches (every remaining one when `all`) while slots are free; waits for a slot otherwise. */
  const pump = async (all: boolean) => {
    for (;;) {
      if (failure) throw failure.error;
      if (queue.length >= MAX_BATCH_SIZE || (all && queue.length > 0)) {
        if (running.size < concurrency) {
          // Caught at once, so a batch failing while the source is read is never an unhandled rejection.
          const task: Promise<void> = processBatch(queue.splice(0, MAX_BATCH_SIZE))
            .catch((error: unknown) => void (failure ??= { error }))
            .finally(() => running.delete(task));
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
      const duplicateId = seen.has(`id:${mapped.id}`);
      if (duplicateId || seen.has(`email:${mapped.email}`)) {
        summary.duplicates++;
        if (summary.rejections.length < KEEP) summary.rejections.push({ line, reason: duplicateId ? 'duplicate id' : 'duplicate e-mail' });
        continue;
      }
      seen.add(`id:${mapped.id}`);
      seen.add(`email:${mapped.email}`);
      const known = options.dryRun ? undefined : await options.ledger.accountState(mapped.id);
      if (known && (known.state === 'created' || known.state === 'existing')) {
        summary.skipped++;
        continue;
      }
      queue.push({ record: mapped, attempts: 0, uncertain: known?.state === 'pending' });
      await pump(false);
    }
    // Interrupted: nothing new is sent; the batches in flight finish and are recorded.
    if (summary.interrupted) queue = [];
    await pump(true);
    if (failure) throw failure.error;
  } catch (error) {
    // Let the batches in flight finish and record what they did before failing the run.
    await Promise.allSettled(running);
    throw error;
  }
  if (options.dryRun && options.readQuota) {
    const quota = await options.readQuota();
    summary.quota = quota && { ...quota, fits: quota.used + summary.wouldCreate <= quota.total };
  }
  summary.elapsedInMs = now() - started;
  return summary;
}

/** Answers worth sending again: throttled, a failed dependency, or a server error. */
function isTransient(status: number): boolean {
  return status === 429 || status === 424 || status >= 500;
}

function codeOf(response: BatchResponse): string {
  return String((response.body as { error?: { code?: unknown } } | null)?.error?.code ?? '');
}

function messageOf(response: BatchResponse): string {
  return String((response.body as { error?: { message?: unknown } } | null)?.error?.message ?? '').slice(0, 500);
}
