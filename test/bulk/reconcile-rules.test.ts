import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { confirmationOf, userSeenOf } from '../../src/bulk/steps/confirmation-of.js';
import { compileMarkQuery, openSqlMarker } from '../../src/bulk/steps/sql-marker.js';

const preCreatedAt = new Date('2026-11-24T12:00:00.400Z');
const now = Date.parse('2026-11-24T15:00:00Z');
const grace = 30 * 60_000;
const answeredAgo = (minutes: number) => ({ lastAt: new Date(now - minutes * 60_000), correlationIds: ['c1'] });
const seen = (flag: unknown, lastPasswordChange: string | null = null) => ({ flag, lastPasswordChangeAt: lastPasswordChange === null ? null : new Date(lastPasswordChange) });

describe('the reconcile states (issue 11)', () => {
  test('each rule, and the boundaries of the grace and of the pre-creation', () => {
    const cases: Array<[string, Parameters<typeof confirmationOf>[0], string]> = [
      ['flag false after our MigratePassword', { user: seen(false), preCreatedAt, answers: answeredAgo(3), now, graceInMs: grace }, 'migrated-by-extension'],
      ['flag false after our MigratePassword, password changed too', { user: seen(false, '2026-11-24T13:00:00Z'), preCreatedAt, answers: answeredAgo(3), now, graceInMs: grace }, 'migrated-by-extension'],
      ['flag false, password changed after the pre-creation, no answer of ours', { user: seen(false, '2026-11-24T12:00:01Z'), preCreatedAt, answers: undefined, now, graceInMs: grace }, 'migrated-by-reset'],
      ['flag false, password set at the pre-creation (same second)', { user: seen(false, '2026-11-24T12:00:00Z'), preCreatedAt, answers: undefined, now, graceInMs: grace }, 'flag-cleared-elsewhere'],
      ['flag false, no password change time', { user: seen(false), preCreatedAt, answers: undefined, now, graceInMs: grace }, 'flag-cleared-elsewhere'],
      ['flag true, never answered', { user: seen(true, '2026-11-24T14:00:00Z'), preCreatedAt, answers: undefined, now, graceInMs: grace }, 'pending'],
      ['flag true, answered within the grace', { user: seen(true), preCreatedAt, answers: answeredAgo(29), now, graceInMs: grace }, 'pending'],
      ['flag true, answered exactly the grace ago', { user: seen(true), preCreatedAt, answers: answeredAgo(30), now, graceInMs: grace }, 'not-applied'],
      ['flag true, answered long ago', { user: seen(true), preCreatedAt, answers: answeredAgo(600), now, graceInMs: grace }, 'not-applied'],
      ['no flag returned', { user: seen(undefined), preCreatedAt, answers: answeredAgo(3), now, graceInMs: grace }, 'flag-missing'],
      ['a flag that is not a boolean', { user: seen('false'), preCreatedAt, answers: answeredAgo(3), now, graceInMs: grace }, 'flag-missing'],
    ];
    for (const [what, input, expected] of cases) assert.equal(confirmationOf(input), expected, what);
  });

  test("Graph's answer is read defensively: hostile or malformed bodies give an unknown flag and no time", () => {
    const flag = 'extension_0123456789abcdef0123456789abcdef_toBeMigrated';
    assert.deepEqual(userSeenOf({ id: 'x', [flag]: false, lastPasswordChangeDateTime: '2026-11-24T12:00:01Z' }, flag), { flag: false, lastPasswordChangeAt: new Date('2026-11-24T12:00:01Z') });
    for (const body of [null, 'text', 42, [], { lastPasswordChangeDateTime: 'yesterday' }, { lastPasswordChangeDateTime: `2026-11-24T12:00:01Z${' '.repeat(100)}` }, JSON.parse(`{"__proto__": {"${flag}": false}}`)]) {
      assert.deepEqual(userSeenOf(body, flag), { flag: undefined, lastPasswordChangeAt: null }, JSON.stringify(body));
    }
  });
});

describe('LEGACY_MARK_MIGRATED_QUERY', () => {
  test('compiles :legacyId, :objectId, :migratedAt to each dialect', () => {
    assert.deepEqual(compileMarkQuery('UPDATE users SET migrated_at = :migratedAt WHERE id = :legacyId', 'postgres://db/legacy'), { text: 'UPDATE users SET migrated_at = $1 WHERE id = $2', order: ['migratedAt', 'legacyId'] });
    assert.deepEqual(compileMarkQuery('DELETE FROM users WHERE entra_id = :objectId', 'mysql://db/legacy'), { text: 'DELETE FROM users WHERE entra_id = ?', order: ['objectId'] });
    assert.deepEqual(compileMarkQuery("UPDATE users SET note = ':legacyId' WHERE id = :legacyId", 'sqlite:///tmp/x.db').order, ['legacyId']);
  });

  test('refuses what would mark the wrong rows or cannot run, naming the problem', () => {
    const refused: Array<[string, RegExp]> = [
      ['UPDATE users SET migrated = 1', /uses none of/],
      ['UPDATE users SET migrated_at = :migratedAt', /neither :legacyId nor :objectId/],
      ['UPDATE users SET migrated = 1 WHERE id = :username', /unknown parameter :username/],
      ['UPDATE users SET migrated = 1 WHERE id = ?', /positional parameter/],
      ["UPDATE users SET note = 'open WHERE id = :legacyId", /unterminated string/],
      ['', /is empty/],
    ];
    for (const [sql, message] of refused) assert.throws(() => compileMarkQuery(sql, 'sqlite:///tmp/x.db'), (error: { code?: string; message: string }) => error.code === 'LEGACY_QUERY_INVALID' && message.test(error.message), sql);
    assert.throws(() => compileMarkQuery('UPDATE u SET m = 1 WHERE id = :legacyId', 'oracle://db'), { code: 'LEGACY_STORE_URL_INVALID' });
  });

  test('runs with the values as parameters; hostile ids are data; a failure names the setting, never the URL password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mark-'));
    try {
      const path = join(dir, 'legacy.db');
      const db = new Database(path);
      db.exec("CREATE TABLE users (id TEXT PRIMARY KEY, migrated_at TEXT); INSERT INTO users VALUES ('42', NULL), ('x'' OR 1=1 --', NULL), ('7', NULL)");
      db.close();
      const marker = await openSqlMarker(`sqlite://${path}`, 'UPDATE users SET migrated_at = :migratedAt WHERE id = :legacyId');
      await marker.mark({ legacyId: "x' OR 1=1 --", objectId: 'o', migratedAt: new Date('2026-11-24T12:00:00Z') });
      await marker.mark({ legacyId: '42', objectId: 'o', migratedAt: new Date('2026-11-24T12:00:00Z') });
      await marker.mark({ legacyId: '42', objectId: 'o', migratedAt: new Date('2026-11-24T12:00:00Z') }); // twice: the same row, the same value
      await marker.close();
      const rows = new Database(path, { readonly: true }).prepare('SELECT id, migrated_at FROM users ORDER BY id').all();
      assert.deepEqual(rows, [{ id: '42', migrated_at: '2026-11-24T12:00:00.000Z' }, { id: '7', migrated_at: null }, { id: "x' OR 1=1 --", migrated_at: '2026-11-24T12:00:00.000Z' }]);

      const broken = await openSqlMarker(`sqlite://${path}`, 'UPDATE users SET migrated_at = :migratedAt WHERE id = :legacyId');
      new Database(path).exec('DROP TABLE users');
      await assert.rejects(broken.mark({ legacyId: '42', objectId: 'o', migratedAt: new Date() }), (error: Error) => /^LEGACY_MARK_MIGRATED_QUERY failed against sqlite:/.test(error.message));
      await broken.close();
      await assert.rejects(openSqlMarker('postgres://app:s3cret-pw@127.0.0.1:1/legacy', 'UPDATE users SET m = 1 WHERE id = :legacyId').then((m) => m.mark({ legacyId: '1', objectId: 'o', migratedAt: new Date() })), (error: Error) => {
        assert.ok(!error.message.includes('s3cret-pw'), error.message);
        assert.match(error.message, /LEGACY_MARK_MIGRATED_QUERY failed against postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/legacy/);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
