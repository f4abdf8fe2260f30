/**
 * A real ambiguous commit: the PostgreSQL ledger is reached through a proxy that, once told to, forwards what the
 * client sends but drops every answer. The batch statement reaches the server and commits; its answer never comes,
 * so the driver's query timeout fails the write with `LEDGER_UNAVAILABLE` although the rows are in. The queue retries
 * the same batch under the same id on a new connection, and the ledger writes nothing the second time.
 */
import assert from 'node:assert/strict';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createLogger } from '../../src/common/logger.js';
import { openLedgerWriteBehind, parseLedgerUrl, type Ledger } from '../../src/ledger/index.js';
import { openPostgresLedger } from '../../src/ledger/postgres-ledger.js';
import { SERVICES, skipUnlessService } from '../support/services.js';

const skip = await skipUnlessService('postgres');
const schema = `ledger_ambiguous_${process.pid}_${Date.now()}`;

/** A TCP proxy to the shared PostgreSQL whose answers (server → client) can be dropped while requests still go through. */
async function answerDroppingProxy(): Promise<{ port: number; dropAnswers: boolean; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const state = { dropAnswers: false };
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: SERVICES.postgres.host, port: SERVICES.postgres.port });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => (sockets.delete(socket), client.destroy(), upstream.destroy()));
    }
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (!state.dropAnswers) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    get dropAnswers() {
      return state.dropAnswers;
    },
    set dropAnswers(value: boolean) {
      state.dropAnswers = value;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

let proxy: Awaited<ReturnType<typeof answerDroppingProxy>> | undefined;
let ledger: Ledger | undefined;
before(async () => {
  if (skip) return;
  proxy = await answerDroppingProxy();
  const location = parseLedgerUrl(`postgres://postgres@127.0.0.1:${proxy.port}/test?schema=${schema}`);
  assert.equal(location.kind, 'postgres');
  if (location.kind !== 'postgres') return;
  ledger = await openPostgresLedger(location, { queryTimeoutInMs: 500 });
});
after(async () => {
  await ledger?.close();
  await proxy?.close();
  if (skip) return;
  const client = new pg.Client({ connectionString: SERVICES.postgres.url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end());
});

test('PostgreSQL: a batch committed whose answer was lost is retried under its id and is in the ledger once', { skip }, async () => {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  const writes = openLedgerWriteBehind(ledger!, { logger, firstRetryInMs: 50, flushDelayInMs: 5 });

  proxy!.dropAnswers = true;
  const correlationIds = Array.from({ length: 5 }, (_, n) => `ambiguous-${n}`);
  for (const [n, correlationId] of correlationIds.entries()) {
    writes.recordDecision({ at: new Date(), correlationId, objectId: `o-${n}`, legacyId: String(n), action: 'MigratePassword', reason: 'password-correct', latencyInMs: 3 });
  }
  const direct = new pg.Client({ connectionString: SERVICES.postgres.url });
  await direct.connect();
  try {
    const committed = async () => Number((await direct.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.jit_decisions WHERE correlation_id LIKE 'ambiguous-%'`)).rows[0]!.n);
    const end = Date.now() + 5000;
    while ((await committed()) < 5 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await committed(), 5, 'the batch reached the server and committed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(writes.stats().heldRows, 5, 'but the queue never heard so: the rows are still held');

    const warned = Date.now() + 5000;
    while (!writes.stats().failing && Date.now() < warned) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(writes.stats().failing, true, 'the lost answer failed the write (query timeout)');
    proxy!.dropAnswers = false;
    await writes.flush();
    const settled = Date.now() + 10_000;
    while (writes.stats().heldRows > 0 && Date.now() < settled) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(writes.stats().heldRows, 0, 'written once the answers come back');

    const { rows } = await direct.query<{ correlation_id: string; n: string }>(`SELECT correlation_id, count(*) AS n FROM ${schema}.jit_decisions GROUP BY correlation_id ORDER BY correlation_id`);
    assert.deepEqual(rows.map((row) => [row.correlation_id, Number(row.n)]), correlationIds.map((id) => [id, 1]), 'each row once');
    assert.ok(lines.some((line) => /ledger writes are failing/.test(line.msg)));
    assert.ok(lines.some((line) => /ledger writes succeed again/.test(line.msg)));
  } finally {
    await direct.end();
    await writes.close();
  }
});
