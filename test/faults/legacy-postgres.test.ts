/**
 * Faults of the legacy PostgreSQL database, under one serve that is never restarted:
 * - stopped (`pg_ctl stop -m immediate`, every pooled connection cut) and started again: while it is down every
 *   callout is answered inside the deadline with the "temporarily unavailable" Block page; once it is back the pool
 *   reconnects, the circuit breaker closes (after its 10 s open period) and the right answers come back;
 * - hanging: another session holds `LOCK TABLE … IN ACCESS EXCLUSIVE MODE` on the users' table, so the server accepts
 *   serve's queries and never answers them (a real hang of the real server, not a stand-in); every callout is still
 *   answered inside the deadline, "temporarily unavailable", and once the lock is released the right answers return.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { skipUnlessPrivatePostgres, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { assertInsideDeadline, openServeUnderFault, privateLegacyTable, SIGN_INS, sleep, UNAVAILABLE_TITLE, type ServeUnderFault } from './serve-under-fault.js';

const skip = skipUnlessPrivatePostgres();
/** The circuit stays open 10 s (circuit-breaker.ts); the first probe after it closes it. */
const RECOVERY_LIMIT_IN_MS = 30_000;

let legacyServer: PrivatePostgres | undefined;
let serve: ServeUnderFault | undefined;
before(async () => {
  if (skip) return;
  legacyServer = await startPrivatePostgres();
  serve = await openServeUnderFault({ ...(await privateLegacyTable(legacyServer)), LEDGER_DATABASE_URL: 'memory:' });
});
after(async () => {
  await serve?.close();
  await legacyServer?.close();
});

test('the legacy database stopped and restarted: "temporarily unavailable" in time while down, the right answers again after, without a restart', { skip }, async () => {
  for (const signIn of SIGN_INS) {
    const answer = await serve!.signIn(signIn);
    assert.equal(answer.action, signIn.expected, `before: ${signIn.username}`);
    assertInsideDeadline(answer, 'before');
  }

  await legacyServer!.stop();
  for (let round = 0; round < 3; round++) {
    for (const signIn of SIGN_INS) {
      const answer = await serve!.signIn(signIn);
      assert.deepEqual([answer.action, answer.title], ['microsoft.graph.passwordSubmit.Block', UNAVAILABLE_TITLE], `down: ${signIn.username}`);
      assertInsideDeadline(answer, 'legacy database down');
    }
  }
  assert.equal(serve!.extension.legacy.circuitState(), 'open', '12 failures in a row open the circuit');

  await legacyServer!.start();
  await untilRecovered('the restart');
  assert.equal(serve!.extension.legacy.circuitState(), 'closed');
  for (const signIn of SIGN_INS) {
    const answer = await serve!.signIn(signIn);
    assert.equal(answer.action, signIn.expected, `after: ${signIn.username}`);
    assertInsideDeadline(answer, 'after');
  }

  await serve!.extension.ledgerWrites.flush();
  const reasons = (await serve!.extension.ledger.listDecisions({ limit: 1000 })).map((decision) => decision.reason);
  assert.ok(reasons.includes('legacy-store-unavailable'), `the outage is in the ledger: ${[...new Set(reasons)].join(', ')}`);
});

test('the legacy table locked: "temporarily unavailable" inside the deadline while it hangs, the right answers again once released', { skip }, async () => {
  for (const signIn of SIGN_INS) assert.equal((await serve!.signIn(signIn)).action, signIn.expected, `before: ${signIn.username}`);

  const locker = new pg.Client({ connectionString: legacyServer!.url });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE legacy_users IN ACCESS EXCLUSIVE MODE');
    const first = serve!.signIn(SIGN_INS[0]);
    await sleep(300);
    const waiting = await legacyServer!.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'");
    assert.ok(Number(waiting.rows[0]!.n) >= 1, 'the server really holds serve’s query behind the lock');
    const answer = await first;
    assert.deepEqual([answer.action, answer.title], ['microsoft.graph.passwordSubmit.Block', UNAVAILABLE_TITLE], 'locked: the first sign-in');
    assertInsideDeadline(answer, 'legacy table locked');
    for (let round = 0; round < 2; round++) {
      for (const signIn of SIGN_INS) {
        const answer = await serve!.signIn(signIn);
        assert.deepEqual([answer.action, answer.title], ['microsoft.graph.passwordSubmit.Block', UNAVAILABLE_TITLE], `locked: ${signIn.username}`);
        assertInsideDeadline(answer, 'legacy table locked');
      }
    }
    await locker.query('COMMIT');
  } finally {
    await locker.end();
  }

  await untilRecovered('the release');
  for (const signIn of SIGN_INS) {
    const answer = await serve!.signIn(signIn);
    assert.equal(answer.action, signIn.expected, `after: ${signIn.username}`);
    assertInsideDeadline(answer, 'after');
  }

  await serve!.extension.ledgerWrites.flush();
  const reasons = new Set((await serve!.extension.ledger.listDecisions({ limit: 1000 })).map((decision) => decision.reason));
  assert.ok(reasons.has('deadline-exceeded') || reasons.has('legacy-store-unavailable'), `the hang is in the ledger: ${[...reasons].join(', ')}`);
});

/** Signs in every 250 ms until the right answer comes back: "temporarily unavailable" meanwhile, each inside the deadline. */
async function untilRecovered(since: string): Promise<void> {
  const end = Date.now() + RECOVERY_LIMIT_IN_MS;
  for (;;) {
    const answer = await serve!.signIn(SIGN_INS[0]);
    assertInsideDeadline(answer, 'recovering');
    if (answer.action === SIGN_INS[0].expected) return;
    assert.deepEqual([answer.action, answer.title], ['microsoft.graph.passwordSubmit.Block', UNAVAILABLE_TITLE], 'recovering: unavailable until the circuit closes');
    assert.ok(Date.now() < end, `the right answer again within ${RECOVERY_LIMIT_IN_MS / 1000} s of ${since}`);
    await sleep(250);
  }
}
