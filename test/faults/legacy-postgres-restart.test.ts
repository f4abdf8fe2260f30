/**
 * Fault: the legacy PostgreSQL database stopped (`pg_ctl stop -m immediate`, every pooled connection cut) and started
 * again, under a serve that is never restarted. While it is down every callout is answered inside the deadline with
 * the "temporarily unavailable" Block page; once it is back the pool reconnects, the circuit breaker closes (after
 * its 10 s open period) and the right answers come back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
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
  const end = Date.now() + RECOVERY_LIMIT_IN_MS;
  let recovered = false;
  while (!recovered && Date.now() < end) {
    const answer = await serve!.signIn(SIGN_INS[0]);
    assertInsideDeadline(answer, 'recovering');
    if (answer.action === SIGN_INS[0].expected) recovered = true;
    else assert.deepEqual([answer.action, answer.title], ['microsoft.graph.passwordSubmit.Block', UNAVAILABLE_TITLE], 'recovering: unavailable until the circuit closes');
    if (!recovered) await sleep(250);
  }
  assert.ok(recovered, `the right answer again within ${RECOVERY_LIMIT_IN_MS / 1000} s of the restart`);
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
