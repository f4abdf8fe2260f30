import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { openSqlClaimsSource, TokenClaimsErrorCode, type ClaimsSubject, type TokenClaimsSource } from '../../../src/legacy/claims/index.js';
import { LegacyStoreErrorCode } from '../../../src/legacy/index.js';
import type { ClaimsDatabase } from './sql-fixtures.js';

const inTime = (ms = 2000) => ({ abortSignal: new AbortController().signal, deadlineAt: Date.now() + ms });
const subject = (fields: Partial<ClaimsSubject>): ClaimsSubject => ({ objectId: 'nobody', email: null, legacyId: null, ...fields });

/** TOKEN_CLAIMS_QUERY against one real database: the same cases for SQLite, PostgreSQL and MariaDB. */
export function sqlClaimsContract(name: string, open: () => Promise<ClaimsDatabase>, skip: string | false): void {
  describe(`SQL claims source: ${name}`, { skip }, () => {
    let db: ClaimsDatabase;
    let source: TokenClaimsSource;
    const opened: TokenClaimsSource[] = [];
    const openWith = async (query: string, queryTimeoutInMs?: number): Promise<TokenClaimsSource> => {
      const next = await openSqlClaimsSource({ url: db.url, query, ...(queryTimeoutInMs !== undefined && { queryTimeoutInMs }) });
      opened.push(next);
      return next;
    };
    before(async () => {
      db = await open();
      const q = db.quote;
      source = await openWith(
        `SELECT department, roles, level AS ${q('accessLevel')} FROM ${db.table} WHERE id = :legacyId OR object_id = :objectId OR email = :email ORDER BY id`,
      );
    });
    after(async () => {
      for (const each of opened) await each.close();
      await db?.tearDown();
    });

    test('the first row: each column one claim, a JSON array a string array, a number its text, NULL omitted; the alias keeps its case', async () => {
      assert.deepEqual(await source.claimsFor(subject({ legacyId: '42' }), inTime()), { department: 'R&D', roles: ['Writer', 'Editor'], accessLevel: '3' });
      assert.deepEqual(await source.claimsFor(subject({ objectId: 'ada-object-id' }), inTime()), { department: 'R&D', roles: ['Writer', 'Editor'], accessLevel: '3' });
      assert.deepEqual(await source.claimsFor(subject({ email: 'tim@contoso.example' }), inTime()), { roles: [] });
      assert.equal(source.kind, `sql:${db.dialect}`);
    });

    test('several rows: the first one only', async () => {
      assert.deepEqual(await source.claimsFor(subject({ email: 'twin@contoso.example' }), inTime()), { department: 'First', accessLevel: '1' });
    });

    test('no row → no claims', async () => {
      assert.deepEqual(await source.claimsFor(subject({ legacyId: '999', email: 'nobody@contoso.example' }), inTime()), {});
    });

    test('a query on :legacyId alone, for a user the ledger does not know, is not sent and gives no claims', async () => {
      const byId = await openWith(`SELECT department FROM ${db.table} WHERE id = :legacyId`);
      assert.deepEqual(await byId.claimsFor(subject({ legacyId: null }), inTime()), {});
      assert.deepEqual(await byId.claimsFor(subject({ legacyId: '42' }), inTime()), { department: 'R&D' });
    });

    test('hostile values travel as parameters: no injection, no match, the table intact', async () => {
      for (const hostile of [`0' OR '1'='1`, `'; DROP TABLE ${db.table}; --`, '0 OR 1=1', 'a\u0000b', 'é'.repeat(2000), '%', '*']) {
        // PostgreSQL refuses a value that is not a bigint for `id = $1` (and any NUL): the query's error, never a match.
        // (MySQL turns a text compared with a number into its leading digits: hence 0, not 42, before the OR.)
        const answer = await source.claimsFor({ objectId: hostile, email: hostile, legacyId: hostile }, inTime()).catch((error: { code: string }) => error.code);
        assert.ok(answer === LegacyStoreErrorCode.QUERY_INVALID || (typeof answer === 'object' && Object.keys(answer).length === 0), `${db.dialect}: ${JSON.stringify(answer).slice(0, 80)}`);
      }
      assert.equal(await db.count(), 5);
    });

    test('a row over 3 KB is TOKEN_CLAIMS_TOO_LARGE, without the value in the error', async () => {
      await assert.rejects(source.claimsFor(subject({ email: 'big@contoso.example' }), inTime()), (error: Error & { code: string }) => {
        assert.equal(error.code, TokenClaimsErrorCode.TOO_LARGE);
        assert.ok(!inspect(error).includes('xxxxxxxxxx'), 'the value is not in the error');
        return true;
      });
    });

    test('a column that cannot be a claim name is TOKEN_CLAIM_NAME_INVALID', async () => {
      const unnamed = await openWith(`SELECT department AS ${db.quote('has space')} FROM ${db.table} WHERE id = :legacyId`);
      await assert.rejects(unnamed.claimsFor(subject({ legacyId: '42' }), inTime()), { code: TokenClaimsErrorCode.NAME_INVALID });
    });

    test('an unknown :name or no parameter at all is LEGACY_QUERY_INVALID at open', async () => {
      await assert.rejects(openSqlClaimsSource({ url: db.url, query: `SELECT department FROM ${db.table} WHERE id = :username` }), { code: LegacyStoreErrorCode.QUERY_INVALID, publicMessage: /token claims query uses an unknown parameter :username/ });
      await assert.rejects(openSqlClaimsSource({ url: db.url, query: `SELECT department FROM ${db.table}` }), { code: LegacyStoreErrorCode.QUERY_INVALID });
    });

    test('an already aborted call rejects with the abort reason', async () => {
      const controller = new AbortController();
      const reason = new Error('gone');
      controller.abort(reason);
      await assert.rejects(source.claimsFor(subject({ legacyId: '42' }), { abortSignal: controller.signal, deadlineAt: Date.now() + 1000 }), (error) => error === reason);
    });

    test('a store that is not there is LEGACY_STORE_UNAVAILABLE, its password not in the error', async () => {
      const unreachable = openSqlClaimsSource({ url: db.unreachableUrl, query: `SELECT department FROM t WHERE id = :legacyId` }).then((gone) => {
        opened.push(gone);
        return gone.claimsFor(subject({ legacyId: '42' }), inTime());
      });
      await assert.rejects(unreachable, (error: Error & { code: string }) => {
        assert.equal(error.code, LegacyStoreErrorCode.UNAVAILABLE);
        assert.ok(!inspect(error).includes('claims-db-secret'), 'the URL password is not in the error');
        return true;
      });
    });

    // Not for SQLite: it runs in this process and cannot interrupt a statement; its queries are local and bounded
    // by the busy timeout instead. The network databases must give up at the deadline.
    if (name !== 'SQLite') test('a slow query is LEGACY_STORE_TIMEOUT', async () => {
      const slow = await openWith(db.slowQuery!, 200);
      await assert.rejects(slow.claimsFor(subject({ legacyId: '42' }), inTime()), { code: LegacyStoreErrorCode.TIMEOUT });
    });

    test('after close: LEGACY_STORE_UNAVAILABLE', async () => {
      const closing = await openWith(`SELECT department FROM ${db.table} WHERE id = :legacyId`);
      await closing.close();
      await closing.close();
      await assert.rejects(closing.claimsFor(subject({ legacyId: '42' }), inTime()), { code: LegacyStoreErrorCode.UNAVAILABLE });
    });
  });
}
