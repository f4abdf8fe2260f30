import type { Clock } from '../common/clock.js';
import { answerKind, backoffInMs, type BatchRequest, type BatchResponse, type GraphBatchClient, type Sleep } from '../graph/index.js';
import type { AccountStateName } from '../ledger/index.js';
import { addMethods } from './authentication-methods.js';
import { ALREADY_EXISTS, codeOf, isTransient, messageOf } from './graph-answers.js';
import { graphUserBody, type UserBodyOptions } from './graph-user-body.js';
import { identityLookup } from './identity-lookup.js';
import type { LegacyRecord } from './legacy-record.js';
import { listFailure, type PremigrateSummary } from './premigrate-summary.js';

/** An account on its way to Entra. */
export interface PendingAccount {
  record: LegacyRecord;
  /** Its line in the source, for the failures list. */
  line: number;
  /** Sends so far. */
  attempts: number;
  /** Not to be sent before this time (a back-off after a transient failure); 0 for at once. */
  notBefore: number;
  /** It may exist already (left `pending` by an earlier run, or a conflict Graph did not look up): looked up first. */
  uncertain: boolean;
}

export interface AccountBatchOptions {
  graph: GraphBatchClient;
  summary: PremigrateSummary;
  userBody: UserBodyOptions;
  methods: { email?: boolean; phone?: boolean };
  dryRun: boolean;
  /** Sends of one account before it is recorded as failed. */
  maxAttempts: number;
  abortSignal?: AbortSignal;
  now: Clock;
  sleep?: Sleep;
  /** For the back-offs' jitter. */
  random?: () => number;
  /** Writes an account's state to the ledger (a no-op in a dry run). */
  record(account: PendingAccount, state: AccountStateName, entraObjectId: string | null, reason: string | null): Promise<void>;
}

type Found = { item: PendingAccount; objectId: string; state: 'created' | 'existing' };

/**
 * One batch of accounts through Graph: those that may exist already are looked up, the others recorded `pending`
 * and created with one `$batch`; a conflict is resolved by a lookup, never a second create; accounts now in Entra get
 * their methods, then are recorded `created` or `existing`. Resolves to the accounts to send again (throttled, a
 * failed dependency, a server error, a lookup Graph did not answer). After an abort nothing more is sent: what the
 * batch has not finished stays `pending` in the ledger, for the next run to look up.
 *
 * @example
 *   const sendBatch = accountBatches({ graph, summary, userBody, methods: {}, dryRun: false, maxAttempts: 8, record });
 *   const again = await sendBatch(accounts);
 */
export function accountBatches(options: AccountBatchOptions): (batch: PendingAccount[]) => Promise<PendingAccount[]> {
  const { summary, abortSignal } = options;
  const lookUp = identityLookup(options.graph, options.userBody.tenantDomain);
  const emails = (items: readonly PendingAccount[]) => items.map((item) => item.record.email);

  const fail = async (item: PendingAccount, reason: string) => {
    summary.failed++;
    listFailure(summary, { legacyId: item.record.id, reason, line: item.line });
    await options.record(item, 'failed', null, reason.slice(0, 1000));
  };

  /** Records accounts now in Entra, after their methods when methods are wanted. */
  const settle = async (accounts: readonly Found[]) => {
    const wanted = options.methods.email || options.methods.phone;
    const { problems, unfinished } = wanted
      ? await addMethods(
          accounts.map(({ item, objectId }) => ({ record: item.record, objectId })),
          {
            graph: options.graph,
            methods: options.methods,
            maxAttempts: options.maxAttempts,
            abortSignal,
            sleep: options.sleep,
            random: options.random,
            onAnswer: (response, added) => {
              if (added) summary.methodsAdded++;
              if (response.status === 429) summary.throttled++;
            },
          },
        )
      : { problems: new Map<string, string>(), unfinished: new Set<string>() };
    for (const { item, objectId, state } of accounts) {
      // Stopped before its methods were tried: it stays pending, and the next run finds it and adds them.
      if (unfinished.has(item.record.id)) {
        summary.interrupted = true;
        continue;
      }
      const problem = problems.get(item.record.id);
      if (problem) {
        summary.methodsFailed++;
        listFailure(summary, { legacyId: item.record.id, reason: `${state} in Entra as ${objectId}, but ${problem}`, line: item.line });
      }
      summary[state]++;
      // Recorded with its object id either way: a later run skips it, and the failures CSV lists the method to add.
      await options.record(item, state, objectId, problem ?? null);
    }
  };

  return async (batch) => {
    if (options.dryRun) {
      const found = await lookUp(emails(batch), abortSignal);
      for (const item of batch) {
        if (found.get(item.record.email)) summary.existing++;
        else if (found.has(item.record.email) || !abortSignal?.aborted) summary.wouldCreate++;
        else summary.interrupted = true;
      }
      return [];
    }
    const again: PendingAccount[] = [];
    /**
     * Sends the account again in a later batch: after a jittered back-off when Graph failed transiently (503 without
     * Retry-After, 5xx, a lookup left unanswered), at once when it was throttled (the pacer waits) or a dependency
     * failed. The batch in hand is not held up.
     */
    const retry = async (item: PendingAccount, reason: string, backOff: boolean) => {
      if (item.attempts >= options.maxAttempts) return fail(item, reason);
      item.notBefore = backOff ? options.now() + backoffInMs(item.attempts - 1, { random: options.random }) : 0;
      again.push(item);
    };
    const transient = (response: BatchResponse) => answerKind(response.status, response.headers?.['retry-after']) === 'transient';

    // Accounts that may exist already: ask Graph, never create blindly.
    const uncertain = batch.filter((item) => item.uncertain);
    if (uncertain.length > 0) {
      const found = await lookUp(emails(uncertain), abortSignal);
      const existing: Found[] = [];
      for (const item of uncertain) {
        const objectId = found.get(item.record.email);
        if (objectId) existing.push({ item, objectId, state: 'existing' });
        else if (objectId === null) item.uncertain = false;
        else {
          item.attempts++;
          await retry(item, `Graph did not answer the lookup of this identity after ${item.attempts} attempts`, true);
        }
      }
      await settle(existing);
    }
    const creating = batch.filter((item) => !item.uncertain);
    if (creating.length === 0 || abortSignal?.aborted) return [...again, ...creating];

    for (const item of creating) await options.record(item, 'pending', null, null);
    const requests: BatchRequest[] = creating.map((item, i) => ({ id: String(i), method: 'POST', url: '/users', body: graphUserBody(item.record, options.userBody) }));
    const responses = await options.graph.send(requests, { abortSignal });
    const conflicts: PendingAccount[] = [];
    const created: Found[] = [];
    for (const [i, response] of responses.entries()) {
      const item = creating[i]!;
      item.attempts++;
      if (response.status === 201) created.push({ item, objectId: String((response.body as { id?: unknown })?.id ?? ''), state: 'created' });
      else if (response.status === 400 && ALREADY_EXISTS.test(messageOf(response))) conflicts.push(item);
      else if (isTransient(response.status)) {
        if (response.status === 429) summary.throttled++;
        await retry(item, `HTTP ${response.status} after ${item.attempts} attempts`, transient(response));
      } else await fail(item, `HTTP ${response.status} ${codeOf(response)}: ${messageOf(response)}`.trim());
    }
    await settle(created);
    if (conflicts.length > 0 && !abortSignal?.aborted) {
      const found = await lookUp(emails(conflicts), abortSignal);
      const existing: Found[] = [];
      for (const item of conflicts) {
        const objectId = found.get(item.record.email);
        if (objectId) existing.push({ item, objectId, state: 'existing' });
        else if (objectId === null) await fail(item, 'Graph reported a conflict but no user holds this identity');
        else {
          item.uncertain = true;
          await retry(item, `Graph reported a conflict and did not answer the lookup after ${item.attempts} attempts`, true);
        }
      }
      await settle(existing);
    } else if (conflicts.length > 0) summary.interrupted = true;
    return again;
  };
}
