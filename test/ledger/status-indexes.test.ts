import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openLedger } from '../../src/ledger/index.js';
import { reconcileListingSql } from '../../src/ledger/reconciliation.js';
import { decisionDaysSql, standingCountSql, stragglerPageSql } from '../../src/ledger/status-queries.js';

const OPTIONS = { unavailableReasons: ['legacy-store-unavailable', 'deadline-exceeded'] };

/** SQLite's plan of a query, one line per step. */
const planOf = (db: Database.Database, sql: string, ...values: unknown[]) =>
  db.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all(...values).map((row) => row.detail).join('\n');

// What keeps `status` fast on a million rows is which index each query uses: a change that loses one still returns
// the right figures (the other tests pass) and takes ten times as long. These tests pin the plans, on a ledger
// without statistics (nobody runs ANALYZE on one), as SQLite plans it in use.
describe('ledger migration 005: the queries of status use its indexes (SQLite)', () => {
  let dir: string;
  let db: Database.Database;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'status-indexes-'));
    await (await openLedger(`sqlite://${join(dir, 'ledger.db')}`)).close();
    db = new Database(join(dir, 'ledger.db'), { readonly: true });
  });
  after(async () => {
    db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the object-id index of 001 gave way to (object_id, action, reason)', () => {
    const indexes = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jit_decisions' AND sql IS NOT NULL ORDER BY name").all().map((row) => row.name);
    // jit_decisions_action_object_at: migration 008, the dashboard's progress over time.
    assert.deepEqual(indexes, ['jit_decisions_action_at', 'jit_decisions_action_object_at', 'jit_decisions_correlation_id', 'jit_decisions_day', 'jit_decisions_object_action']);
  });

  test('the standings fold the answers from the (object_id, action, reason) index alone', () => {
    assert.match(planOf(db, standingCountSql(OPTIONS)), /SCAN jit_decisions USING COVERING INDEX jit_decisions_object_action/);
  });

  test("the days are a range of the day index, a percentile a walk along one day's entries", () => {
    const day = 'substr(at, 1, 10)';
    const sql = decisionDaysSql(OPTIONS, { day, range: `${day} >= ? AND ${day} < ?`, count: (condition) => `sum(${condition})` });
    assert.match(planOf(db, sql, '2026-11-01', '2026-12-01'), /SEARCH jit_decisions USING (COVERING )?INDEX jit_decisions_day \(<expr>>\? AND <expr><\?\)/);
    assert.match(planOf(db, `SELECT latency_ms FROM jit_decisions WHERE ${day} = ? ORDER BY latency_ms LIMIT 1 OFFSET ?`, '2026-11-01', 3), /USING COVERING INDEX jit_decisions_day \(<expr>=\?\)/);
  });

  test("a stragglers page is a range of the accounts' primary key, each account looked up by index", () => {
    const plan = planOf(db, stragglerPageSql({ p: () => '?', collate: '', state: '+p.state' }, true), 'a', 'b');
    assert.match(plan, /SEARCH p USING INDEX sqlite_autoindex_premigration_accounts_1 \(legacy_id>\? AND legacy_id<\?\)/);
    // "Ever answered MigratePassword" is one seek of a covering index: (object_id, action, reason), or since migration 008 (action, object_id, at).
    assert.match(plan, /SEARCH d USING COVERING INDEX (jit_decisions_object_action \(object_id=\? AND action=\?\)|jit_decisions_action_object_at \(action=\? AND object_id=\?\))/);
    assert.doesNotMatch(plan, /SCAN (p|r|d)\b/);
  });

  test("reconcile's pages walk the primary key from the page's key, without sorting every account", () => {
    for (const unmarked of [false, true]) {
      const plan = planOf(db, reconcileListingSql(unmarked, () => '?', '', '+p.state'), 'a', 10);
      assert.match(plan, /SEARCH p USING INDEX sqlite_autoindex_premigration_accounts_1 \(legacy_id>\?\)/);
      assert.doesNotMatch(plan, /TEMP B-TREE FOR ORDER BY/);
    }
  });
});
