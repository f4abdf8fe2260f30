import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger, type Logger } from '../../src/common/logger.js';
import { LedgerError, LedgerErrorCode, openLedger, openLedgerWriteBehind, type DecisionRecord, type EventCallRecord, type Ledger, type LedgerBatch } from '../../src/ledger/index.js';
import { ledgerKinds } from '../support/ledger-kinds.js';

const decision = (n: number, overrides: Partial<DecisionRecord> = {}): DecisionRecord => ({
  at: new Date(Date.UTC(2026, 11, 1, 10, 0, 0, n)),
  correlationId: `c-${n}`,
  objectId: `o-${n}`,
  legacyId: String(n),
  action: 'MigratePassword',
  reason: 'password-correct',
  latencyInMs: 10 + n,
  ...overrides,
});

const eventCall = (n: number): EventCallRecord => ({
  at: new Date(Date.UTC(2026, 11, 1, 10, 0, 0, n)),
  event: 'OnTokenIssuanceStart',
  correlationId: `e-${n}`,
  objectId: `o-${n}`,
  action: 'provideClaimsForToken',
  status: 200,
  reason: 'claims-from-legacy',
  legacyId: String(n),
  errorCode: null,
  latencyInMs: 5,
});

interface LogLine {
  level: number;
  msg: string;
  correlationId?: string;
  [field: string]: unknown;
}

function capturedLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { logger: createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } }), lines };
}

async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutInMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutInMs;
  while (!(await condition())) {
    if (Date.now() > end) assert.fail(`still not true after ${timeoutInMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A ledger in front of a real one that can be made to fail: `down` rejects every batch with `LEDGER_UNAVAILABLE`
 * before writing; `lostAnswers` writes the batch and then rejects (a COMMIT whose answer never came); `refuse` rejects
 * with `LEDGER_RECORD_INVALID` any batch holding a row it matches. Every batch attempted is kept in `attempts`.
 */
function faultyLedger(real: Ledger) {
  const faults = { down: false, lostAnswers: 0, refuse: (_correlationId: string) => false };
  const attempts: Array<{ id: string; correlationIds: string[] }> = [];
  const batchWrite = <T extends { correlationId: string }>(write: (batch: LedgerBatch<T>) => Promise<void>) => async (batch: LedgerBatch<T>) => {
    attempts.push({ id: batch.id, correlationIds: batch.rows.map((row) => row.correlationId) });
    if (faults.down) throw new LedgerError(LedgerErrorCode.UNAVAILABLE, 'The ledger at test failed while recording.');
    if (batch.rows.some((row) => faults.refuse(row.correlationId))) throw new LedgerError(LedgerErrorCode.RECORD_INVALID, 'A row was refused.');
    await write(batch);
    if (faults.lostAnswers > 0) {
      faults.lostAnswers--;
      throw new LedgerError(LedgerErrorCode.UNAVAILABLE, 'The ledger at test failed while recording: Connection terminated unexpectedly.');
    }
  };
  const ledger: Ledger = { ...real, recordDecisions: batchWrite((batch) => real.recordDecisions(batch)), recordEventCalls: batchWrite((batch) => real.recordEventCalls(batch)) };
  return { ledger, faults, attempts };
}

const correlationIdsOf = async (ledger: Ledger) => (await ledger.listDecisions({ limit: 10_000 })).map((row) => row.correlationId).reverse();

for (const kind of ledgerKinds('write-behind')) {
  const skip = await kind.skip();
  describe(`ledger write-behind queue: ${kind.name}`, { skip }, () => {
    let real: Ledger;
    before(async () => {
      real = await openLedger(await kind.url());
    });
    after(async () => {
      await real?.close();
      await kind.cleanUp();
    });
    const fresh = async () => {
      // Each test reads only its own rows: correlation ids carry a prefix of its own.
      return faultyLedger(real);
    };

    test('rows queued in one turn of the event loop, or while a write is on its way, make one batch (group commit); an idle queue writes at the end of the turn', async () => {
      const { ledger, attempts } = await fresh();
      const { logger } = capturedLogger();
      const writes = openLedgerWriteBehind(ledger, { logger, maxBatchRows: 200 });
      for (let n = 0; n < 450; n++) writes.recordDecision(decision(n, { correlationId: `group-${n}` }));
      writes.recordEventCall({ ...eventCall(2), correlationId: 'group-call' });
      assert.equal(attempts.length, 0, 'nothing is written in the turn that queues it');
      await new Promise(setImmediate);
      assert.equal(attempts[0]?.correlationIds.length, 200, 'the turn is over: the first batch is on its way');
      await writes.flush();
      assert.deepEqual(attempts.map((attempt) => attempt.correlationIds.length), [200, 200, 50, 1], 'at most maxBatchRows each, one batch per kind');
      assert.deepEqual((await correlationIdsOf(real)).filter((id) => id.startsWith('group-')), Array.from({ length: 450 }, (_, n) => `group-${n}`), 'in the order queued');

      writes.recordDecision(decision(1, { correlationId: 'group-alone' }));
      await new Promise(setImmediate);
      assert.deepEqual(attempts.at(-1)?.correlationIds, ['group-alone'], 'a row queued alone is on its way when its turn ends');
      if (kind.name === 'sqlite') assert.equal((await real.listDecisions({ correlationId: 'group-alone' })).length, 1, 'SQLite, synchronous, has it then');
      await writes.close();
    });

    test('with flushDelayInMs, rows queued at once are written in batches of at most maxBatchRows, in order, one transaction each', async () => {
      const { ledger, attempts } = await fresh();
      const { logger } = capturedLogger();
      const writes = openLedgerWriteBehind(ledger, { logger, maxBatchRows: 200, flushDelayInMs: 20 });
      const before = await real.countDecisions();
      for (let n = 0; n < 450; n++) writes.recordDecision(decision(n, { correlationId: `batch-${n}` }));
      writes.recordEventCall(eventCall(1));
      assert.equal(attempts.length, 0, 'nothing is written on the caller’s turn');
      await writes.flush();
      assert.deepEqual(attempts.map((attempt) => attempt.correlationIds.length), [200, 200, 50, 1]);
      assert.equal((await real.countDecisions()) - before, 450);
      const ids = (await correlationIdsOf(real)).filter((id) => id.startsWith('batch-'));
      assert.deepEqual(ids, Array.from({ length: 450 }, (_, n) => `batch-${n}`), 'in the order queued');
      assert.deepEqual((await real.listEventCalls({ correlationId: 'e-1' })).length, 1);
      assert.deepEqual(writes.stats(), { heldRows: 0, writtenRows: 451, droppedRows: 0, failing: false });
      await writes.close();
    });

    test('a batch written twice under the same id is in the ledger once', async () => {
      const batch = { id: `same-id-${kind.name}`, rows: [decision(1, { correlationId: 'twice-1' }), decision(2, { correlationId: 'twice-2' })] };
      await real.recordDecisions(batch);
      await real.recordDecisions(batch);
      const calls = { id: `same-id-calls-${kind.name}`, rows: [{ ...eventCall(1), correlationId: 'twice-call' }] };
      await real.recordEventCalls(calls);
      await real.recordEventCalls(calls);
      assert.equal((await real.listDecisions({ correlationId: 'twice-1' })).length, 1);
      assert.equal((await real.listDecisions({ correlationId: 'twice-2' })).length, 1);
      assert.equal((await real.listEventCalls({ correlationId: 'twice-call' })).length, 1);
    });

    test('a batch whose commit took effect but whose answer was lost is retried with its id, and written once', async () => {
      const { ledger, faults, attempts } = await fresh();
      const { logger, lines } = capturedLogger();
      const writes = openLedgerWriteBehind(ledger, { logger, firstRetryInMs: 10, flushDelayInMs: 5 });
      faults.lostAnswers = 2;
      for (let n = 0; n < 3; n++) writes.recordDecision(decision(n, { correlationId: `lost-answer-${n}` }));
      await eventually(() => writes.stats().heldRows === 0, 'the batch is settled');
      assert.equal(attempts.length, 3, 'written, answer lost twice, then answered');
      assert.equal(new Set(attempts.map((attempt) => attempt.id)).size, 1, 'the same batch id on every attempt');
      for (let n = 0; n < 3; n++) assert.equal((await real.listDecisions({ correlationId: `lost-answer-${n}` })).length, 1, `lost-answer-${n} once`);
      assert.equal(lines.filter((line) => line.level === 40).length, 1, 'one warning');
      assert.equal(lines.filter((line) => line.level === 30 && /succeed again/.test(line.msg)).length, 1, 'one info line on recovery');
      await writes.close();
    });

    test('while the ledger is down rows are held and retried, with one warning and one recovery line; then all are written once', async () => {
      const { ledger, faults, attempts } = await fresh();
      const { logger, lines } = capturedLogger();
      const writes = openLedgerWriteBehind(ledger, { logger, firstRetryInMs: 5, maxRetryInMs: 20 });
      faults.down = true;
      for (let n = 0; n < 5; n++) writes.recordDecision(decision(n, { correlationId: `outage-${n}` }));
      await eventually(() => attempts.length >= 6, 'several attempts');
      for (let n = 5; n < 8; n++) writes.recordDecision(decision(n, { correlationId: `outage-${n}` }));
      await eventually(() => attempts.length >= 10, 'more attempts');
      assert.deepEqual({ ...writes.stats(), writtenRows: undefined }, { heldRows: 8, writtenRows: undefined, droppedRows: 0, failing: true });
      const warnings = lines.filter((line) => line.level === 40);
      assert.equal(warnings.length, 1, 'one warning however many attempts');
      assert.match(warnings[0]!.msg, /ledger writes are failing/);
      assert.equal(warnings[0]!.code, 'LEDGER_UNAVAILABLE');
      faults.down = false;
      await eventually(() => writes.stats().heldRows === 0, 'written once the ledger is back');
      assert.deepEqual((await correlationIdsOf(real)).filter((id) => id.startsWith('outage-')), Array.from({ length: 8 }, (_, n) => `outage-${n}`));
      const recovered = lines.filter((line) => line.level === 30);
      assert.equal(recovered.length, 1);
      assert.equal(recovered[0]!.heldRows, 8);
      assert.equal(recovered[0]!.writtenRows, 8);
      assert.equal(writes.stats().failing, false);
      assert.equal(lines.filter((line) => line.level >= 50).length, 0, 'nothing lost');
      await writes.close();
    });

    test('past maxHeldRows the oldest rows waiting are dropped (not the one being written), each logged with its correlation id as not recorded', async () => {
      const { ledger, faults } = await fresh();
      const { logger, lines } = capturedLogger();
      const writes = openLedgerWriteBehind(ledger, { logger, maxHeldRows: 10, firstRetryInMs: 5, maxRetryInMs: 20 });
      faults.down = true;
      writes.recordDecision(decision(0, { correlationId: 'bound-0' }));
      await new Promise(setImmediate); // its write is on its way (and failing)
      for (let n = 1; n < 15; n++) writes.recordDecision(decision(n, { correlationId: `bound-${n}` }));
      const lost = lines.filter((line) => line.level === 50);
      assert.deepEqual(lost.map((line) => line.correlationId), ['bound-1', 'bound-2', 'bound-3', 'bound-4', 'bound-5'], 'bound-0 is on its way: kept');
      for (const line of lost) assert.match(line.msg, /could not be recorded/);
      assert.deepEqual({ held: writes.stats().heldRows, dropped: writes.stats().droppedRows }, { held: 10, dropped: 5 });
      faults.down = false;
      await writes.flush();
      await eventually(() => writes.stats().heldRows === 0, 'the rest written');
      assert.deepEqual((await correlationIdsOf(real)).filter((id) => id.startsWith('bound-')), ['bound-0', ...Array.from({ length: 9 }, (_, n) => `bound-${n + 6}`)]);
      await writes.close();
    });

    test('a batch refused for one of its rows is written row by row: the others are recorded, the one refused is logged', async () => {
      const { ledger, faults } = await fresh();
      const { logger, lines } = capturedLogger();
      const writes = openLedgerWriteBehind(ledger, { logger });
      faults.refuse = (correlationId) => correlationId === 'refused-2';
      for (let n = 0; n < 5; n++) writes.recordDecision(decision(n, { correlationId: `refused-${n}` }));
      writes.recordEventCall({ ...eventCall(9), correlationId: 'refused-call' });
      await eventually(() => writes.stats().heldRows === 0, 'settled');
      assert.deepEqual((await correlationIdsOf(real)).filter((id) => id.startsWith('refused-')), ['refused-0', 'refused-1', 'refused-3', 'refused-4']);
      assert.equal((await real.listEventCalls({ correlationId: 'refused-call' })).length, 1);
      const lost = lines.filter((line) => line.level === 50);
      assert.deepEqual(lost.map((line) => line.correlationId), ['refused-2']);
      assert.match(lost[0]!.msg, /could not be recorded in the ledger: the ledger refused it/);
      // The queue goes on in batches afterwards.
      for (let n = 10; n < 20; n++) writes.recordDecision(decision(n, { correlationId: `after-refusal-${n}` }));
      await writes.flush();
      assert.equal((await correlationIdsOf(real)).filter((id) => id.startsWith('after-refusal-')).length, 10);
      assert.equal(writes.stats().droppedRows, 1);
      await writes.close();
    });

    test('close() writes what is held; while the ledger is down it gives up after closeTimeoutInMs and logs every row', async () => {
      const { ledger, faults } = await fresh();
      const { logger, lines } = capturedLogger();
      const held = openLedgerWriteBehind(ledger, { logger, flushDelayInMs: 60_000 });
      for (let n = 0; n < 3; n++) held.recordDecision(decision(n, { correlationId: `close-${n}` }));
      await held.close();
      assert.equal((await correlationIdsOf(real)).filter((id) => id.startsWith('close-')).length, 3, 'written at close, not after the delay');

      const down = openLedgerWriteBehind(ledger, { logger, closeTimeoutInMs: 300, firstRetryInMs: 20 });
      faults.down = true;
      for (let n = 0; n < 3; n++) down.recordDecision(decision(n, { correlationId: `close-down-${n}` }));
      await down.close();
      const lost = lines.filter((line) => line.level === 50 && typeof line.correlationId === 'string');
      assert.deepEqual(lost.map((line) => line.correlationId), ['close-down-0', 'close-down-1', 'close-down-2']);
      assert.ok(lines.some((line) => line.level === 50 && line.droppedRows === 3 && /3 ledger rows could not be written/.test(line.msg)));
      assert.deepEqual(down.stats().heldRows, 0);
      down.recordDecision(decision(9, { correlationId: 'after-close' }));
      assert.ok(lines.some((line) => line.correlationId === 'after-close' && /serve is stopping/.test(line.msg)));
      faults.down = false;
    });

    test('an invalid record is logged as not recorded and never held', async () => {
      const { ledger } = await fresh();
      const { logger, lines } = capturedLogger();
      const writes = openLedgerWriteBehind(ledger, { logger });
      writes.recordDecision(decision(1, { correlationId: 'invalid-1', action: 'Nonsense' as DecisionRecord['action'] }));
      assert.deepEqual(writes.stats(), { heldRows: 0, writtenRows: 0, droppedRows: 1, failing: false });
      assert.equal(lines[0]?.code, 'LEDGER_RECORD_INVALID');
      assert.equal(lines[0]?.correlationId, 'invalid-1');
      await writes.close();
    });
  });
}

const postgres = ledgerKinds('write-behind-refusal').find((kind) => kind.name === 'postgres');
const postgresSkip = await postgres!.skip();
describe('PostgreSQL: a row the server refuses fails its batch with LEDGER_RECORD_INVALID, and nothing of it is written', { skip: postgresSkip }, () => {
  test('a date before 4713 BC is out of PostgreSQL’s range', async () => {
    const ledger = await openLedger(await postgres!.url());
    try {
      const batch = { id: 'refused-by-server', rows: [decision(1, { correlationId: 'server-ok' }), decision(2, { correlationId: 'server-refused', at: new Date(-8.64e15) })] };
      await assert.rejects(ledger.recordDecisions(batch), (error: unknown) => (error as LedgerError).code === LedgerErrorCode.RECORD_INVALID);
      assert.equal((await ledger.listDecisions({ correlationId: 'server-ok' })).length, 0);
      await ledger.recordDecisions({ id: 'refused-by-server', rows: [decision(1, { correlationId: 'server-ok' })] });
      assert.equal((await ledger.listDecisions({ correlationId: 'server-ok' })).length, 1, 'the refused batch left no mark');
    } finally {
      await ledger.close();
      await postgres!.cleanUp();
    }
  });
});
