/**
 * Fault: the PostgreSQL ledger stopped mid-run (`pg_ctl stop -m immediate`, every connection cut) and started again,
 * under a serve that is never restarted. Every callout is answered inside the deadline with the right answer
 * throughout; while the ledger is down its rows are held (one warning); once it is back every decision is in the
 * ledger exactly once (counted by correlation id) and one info line says the held rows were written.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLegacyDatabase, legacyRows, type LegacyDatabase } from '../e2e/legacy-fixtures.js';
import { skipUnlessPrivatePostgres, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { assertInsideDeadline, openServeUnderFault, SIGN_INS, sleep, type Answer, type ServeUnderFault } from './serve-under-fault.js';

const skip = skipUnlessPrivatePostgres();
const SCHEMA = 'entra_migrate';

let ledgerServer: PrivatePostgres | undefined;
let legacy: LegacyDatabase | undefined;
let serve: ServeUnderFault | undefined;
before(async () => {
  if (skip) return;
  ledgerServer = await startPrivatePostgres();
  legacy = await createLegacyDatabase('sqlite', await legacyRows());
  serve = await openServeUnderFault({ LEGACY_DATABASE_URL: legacy.url, LEGACY_USER_QUERY: legacy.query, LEDGER_DATABASE_URL: `${ledgerServer.url}?schema=${SCHEMA}` });
});
after(async () => {
  await serve?.close();
  await legacy?.drop();
  await ledgerServer?.close();
});

test('the ledger stopped and restarted under load: every callout answered right and in time, every decision recorded once', { skip }, async () => {
  const answers: Answer[] = [];
  const signInRound = async (phase: string) => {
    for (const signIn of SIGN_INS) {
      const answer = await serve!.signIn(signIn);
      assert.equal(answer.action, signIn.expected, `${phase}: ${signIn.username}`);
      assertInsideDeadline(answer, phase);
      answers.push(answer);
    }
  };

  for (let round = 0; round < 3; round++) await signInRound('ledger up');
  await serve!.extension.ledgerWrites.flush();
  assert.equal(serve!.extension.ledgerWrites.stats().heldRows, 0);

  await ledgerServer!.stop();
  for (let round = 0; round < 5; round++) {
    await signInRound('ledger down');
    await sleep(100);
  }
  const down = serve!.extension.ledgerWrites.stats();
  assert.equal(down.failing, true, 'the queue knows the ledger fails');
  assert.ok(down.heldRows >= 20, `the rows of the callouts answered while down are held (${down.heldRows})`);
  const ready = await serve!.extension.server.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 200, `a ledger outage does not take serve out of rotation: ${ready.body}`);

  await ledgerServer!.start();
  for (let round = 0; round < 3; round++) await signInRound('ledger back');
  const deadline = Date.now() + 20_000;
  while (serve!.extension.ledgerWrites.stats().heldRows > 0 && Date.now() < deadline) await sleep(50);
  assert.equal(serve!.extension.ledgerWrites.stats().heldRows, 0, 'written within 20 s of the ledger coming back');

  const { rows } = await ledgerServer!.query<{ correlation_id: string; n: string }>(`SELECT correlation_id, count(*) AS n FROM ${SCHEMA}.jit_decisions GROUP BY correlation_id`);
  const recorded = new Map(rows.map((row) => [row.correlation_id, Number(row.n)]));
  const sent = answers.map((answer) => answer.correlationId);
  assert.deepEqual(sent.flatMap((id, i) => (recorded.get(id) === 1 ? [] : [[i, id, recorded.get(id)]])), [], 'every callout’s decision is recorded exactly once');
  assert.equal(recorded.size, sent.length, 'and nothing else');

  const logs = serve!.logs();
  const failing = logs.filter((line) => /ledger writes are failing/.test(line.msg));
  assert.equal(failing.length, 1, 'one warning for the whole outage');
  const recoveredLines = logs.filter((line) => /ledger writes succeed again/.test(line.msg));
  assert.equal(recoveredLines.length, 1, 'one info line once the held rows are written');
  assert.ok(Number(recoveredLines[0]!.heldRows) >= 20, JSON.stringify(recoveredLines[0]));
  assert.deepEqual(logs.filter((line) => /could not be recorded/.test(line.msg)), [], 'nothing lost');
  assert.equal(serve!.extension.ledgerWrites.stats().droppedRows, 0);
});
