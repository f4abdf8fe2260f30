/**
 * The scale bench's correctness checks across replicas (issue 15, "Several replicas"): the attempt limit holds over
 * the replicas sharing Redis, and a signing-key rotation costs each replica one metadata and one JWKS fetch, not one
 * per callout. Each check sends its callouts through nginx, as Entra's would arrive, and reads from the replicas'
 * logs which replica answered which.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mintCalloutToken } from '../../src/emulator/index.js';
import { calloutBody, type CalloutIdentity } from '../callouts.js';
import { indexOfCorrelationId, sendAll } from './callouts.js';
import { fetchesBetween, type OpenIdStandIn } from './openid-stand-in.js';
import { answeredBy, type Replica } from './replicas.js';

export interface CheckResult {
  name: string;
  passed: boolean;
  /** One line: what was seen against what was required. */
  detail: string;
}

export interface CheckContext {
  /** nginx's address. */
  url: string;
  token: string;
  identity: CalloutIdentity;
  replicas: readonly Replica[];
  /** Reserves `count` correlation indexes; returns the first. */
  reserve(count: number): number;
  /** Told which callouts got a 200 (a ledger row is due for each) and which did not. */
  answered(indexes: readonly number[]): void;
  notAnswered(indexes: readonly number[]): void;
}

export const TOO_MANY = 'Block (too many attempts)';

/**
 * A burst of wrong passwords for one account, sent one after another through nginx, which spreads them over the
 * replicas (least_conn with nothing in flight is round robin): the first `limit` must be answered Retry and every
 * later one — then the right password too — "Too many attempts". Exact: each attempt is counted in Redis before the
 * legacy check, and nothing else runs between two of them.
 */
export async function checkSequentialBurst(context: CheckContext, account: string, wrong: string, right: string, limit: number): Promise<CheckResult> {
  const extra = 5;
  const first = context.reserve(limit + extra + 1);
  const bodies = await Promise.all(Array.from({ length: limit + extra + 1 }, (_, k) => calloutBody(context.identity, account, k < limit + extra ? wrong : right, first + k)));
  const answers = await sendAll(context.url, context.token, bodies, 1);
  noteAnswered(context, first, answers);
  const expected = [...Array<string>(limit).fill('Retry'), ...Array<string>(extra + 1).fill(TOO_MANY)];
  const spread = answeredBy(context.replicas, first, first + bodies.length);
  const exact = answers.every((answer, k) => answer === expected[k]);
  const spreadOver = spread.filter((n) => n > 0).length;
  return {
    name: 'attempt limit, sequential burst over the replicas',
    passed: exact && spreadOver === context.replicas.length,
    detail:
      `${limit + extra} wrong passwords then the right one for one account, one at a time: ${runsOf(answers)} ` +
      `(required: Retry ×${limit}, then "${TOO_MANY}" ×${extra + 1}, the right password included); answered by replicas ${spread.join('/')}` +
      (spreadOver === context.replicas.length ? '' : ` — not spread over all ${context.replicas.length} replicas, so the check proves nothing`),
  };
}

/**
 * A burst of `3 × limit` wrong passwords for one account, all at once through nginx. Required exactly `limit` Retry
 * and the rest "Too many attempts": the replicas count in Redis with one script that checks and increments in one
 * step before the legacy check (limits/redis-attempt-store.ts), so concurrent attempts cannot overshoot, whichever
 * replica takes them.
 */
export async function checkConcurrentBurst(context: CheckContext, account: string, wrong: string, limit: number): Promise<CheckResult> {
  const count = 3 * limit;
  const first = context.reserve(count);
  const bodies = await Promise.all(Array.from({ length: count }, (_, k) => calloutBody(context.identity, account, wrong, first + k)));
  const answers = await sendAll(context.url, context.token, bodies, count);
  noteAnswered(context, first, answers);
  const retries = answers.filter((answer) => answer === 'Retry').length;
  const blocked = answers.filter((answer) => answer === TOO_MANY).length;
  const spread = answeredBy(context.replicas, first, first + count);
  return {
    name: 'attempt limit, concurrent burst over the replicas',
    passed: retries === limit && blocked === count - limit,
    detail: `${count} wrong passwords for one account at once: ${tally(answers)} (required: Retry ×${limit}, "${TOO_MANY}" ×${count - limit}); answered by replicas ${spread.join('/')}`,
  };
}

/** The least time between two signing-key refreshes of one replica (security/signing-keys.ts), and a margin. */
const REFRESH_COOLDOWN_IN_MS = 30_000;
const COOLDOWN_MARGIN_IN_MS = 2_000;

/**
 * Entra rolls its signing key: the stand-in publishes a new one beside the old, and callouts now carry tokens with
 * the new `kid`. Required: every such callout answered (MigratePassword), each replica fetching the metadata and the
 * key set at most once for it (3 replicas: ≤ 3 + ≤ 3), and before it, during all the load, no fetch but each
 * replica's one at start. Waits first until the replicas' start-up fetch is older than the refresh cooldown, as a
 * real rotation (weeks apart) would find it.
 */
export async function checkKeyRotation(context: CheckContext, standIn: OpenIdStandIn, accounts: readonly string[], password: string): Promise<CheckResult> {
  const youngest = Math.max(...context.replicas.map((replica) => replica.listeningAtMs));
  const wait = youngest + REFRESH_COOLDOWN_IN_MS + COOLDOWN_MARGIN_IN_MS - performance.now();
  if (wait > 0) {
    console.log(`(waiting ${Math.ceil(wait / 1000)} s for the replicas' start-up key fetch to pass the 30 s refresh cooldown)`);
    await sleep(wait);
  }
  const before = standIn.counts();
  const atStart = context.replicas.map((replica) => before.get(replica.number) ?? { metadata: 0, jwks: 0 });
  await standIn.tenant.rotateSigningKey();
  const token = await mintCalloutToken(standIn.tenant, { audience: context.identity.appId, now: Date.now() });
  const count = 60;
  const first = context.reserve(count);
  const bodies = await Promise.all(Array.from({ length: count }, (_, k) => calloutBody(context.identity, accounts[k % accounts.length]!, password, first + k)));
  const answers = await sendAll(context.url, token, bodies, 20);
  noteAnswered(context, first, answers);
  const { total, byReplica } = fetchesBetween(before, standIn.counts());
  const spread = answeredBy(context.replicas, first, first + count);
  const perReplica = context.replicas.map((replica) => byReplica.get(replica.number) ?? { metadata: 0, jwks: 0 });
  const allMigrated = answers.every((answer) => answer === 'MigratePassword');
  const onceEach = perReplica.every((fetches) => fetches.metadata <= 1 && fetches.jwks <= 1);
  const fetched = total.metadata >= 1 && total.jwks >= 1;
  const quietBefore = atStart.every((fetches) => fetches.metadata === 1 && fetches.jwks === 1);
  return {
    name: 'signing-key rotation without a stampede',
    passed: allMigrated && onceEach && fetched && quietBefore,
    detail:
      `${count} callouts with the new kid, 20 in flight: ${tally(answers)} (required: all MigratePassword); fetches for the rotation ` +
      `(metadata/JWKS by replica) ${perReplica.map((f) => `${f.metadata}/${f.jwks}`).join(', ')}, total ${total.metadata}/${total.jwks} ` +
      `(required: ≤ 1/1 each, ≤ ${context.replicas.length}/${context.replicas.length} in all); before it, through all the load, ` +
      `${atStart.map((f) => `${f.metadata}/${f.jwks}`).join(', ')} (required: 1/1 each, the start-up fetch); the callouts were answered by replicas ${spread.join('/')}`,
  };
}

/**
 * Every answered callout's decision is in the ledger exactly once: one row per correlation id answered with a 200,
 * none twice, none for a callout never sent. `rows` are the ledger's counts by correlation id once it has settled.
 */
export function checkLedgerExactlyOnce(rows: ReadonlyMap<string, number>, answered: ReadonlySet<number>, notAnswered: ReadonlySet<number>, waitedMs: number): CheckResult {
  let missing = 0;
  let twice = 0;
  let unknown = 0;
  let total = 0;
  const seen = new Set<number>();
  for (const [correlationId, count] of rows) {
    total += count;
    const i = indexOfCorrelationId(correlationId);
    seen.add(i);
    if (count > 1) twice++;
    if (!answered.has(i) && !notAnswered.has(i)) unknown++;
  }
  for (const i of answered) if (!seen.has(i)) missing++;
  return {
    name: 'every decision in the ledger exactly once',
    passed: missing === 0 && twice === 0 && unknown === 0 && total === answered.size,
    detail:
      `${answered.size} callouts answered, ${total} rows in jit_decisions after the replicas' SIGTERM (settled in ${(waitedMs / 1000).toFixed(1)} s): ` +
      `${missing} missing, ${twice} correlation ids with more than one row, ${unknown} rows of no callout sent` +
      (notAnswered.size > 0 ? ` (${notAnswered.size} callouts not answered with a 200 were not required either way)` : ''),
  };
}

function noteAnswered(context: CheckContext, first: number, answers: readonly string[]): void {
  const failed = (answer: string) => answer.startsWith('HTTP') || answer.startsWith('connection');
  context.answered(answers.flatMap((answer, k) => (failed(answer) ? [] : [first + k])));
  context.notAnswered(answers.flatMap((answer, k) => (failed(answer) ? [first + k] : [])));
}

/** `Retry 10, Block (too many attempts) 20`. */
export function tally(answers: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const answer of answers) counts.set(answer, (counts.get(answer) ?? 0) + 1);
  return [...counts].map(([answer, n]) => `${answer} ${n}`).join(', ');
}

/** `Retry ×10, Block (too many attempts) ×6`: consecutive equal answers run together, in order. */
function runsOf(answers: readonly string[]): string {
  const runs: Array<[string, number]> = [];
  for (const answer of answers) {
    const last = runs.at(-1);
    if (last && last[0] === answer) last[1]++;
    else runs.push([answer, 1]);
  }
  return runs.map(([answer, n]) => `${answer} ×${n}`).join(', ');
}
