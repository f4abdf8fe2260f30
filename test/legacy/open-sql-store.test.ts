import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LegacyStoreErrorCode, openSqlLegacyStore } from '../../src/legacy/index.js';

const QUERY = 'SELECT password_hash FROM users WHERE email = :username';

const refusedWith = (code: string) => (error: Error & { code?: string; publicMessage?: string }) => {
  assert.equal(error.code, code, error.message);
  assert.ok(!error.message.includes('s3cret') && !String(error.publicMessage).includes('s3cret'), 'the URL password is never shown');
  return true;
};

test('unsupported schemes are LEGACY_STORE_URL_INVALID, with the password redacted', async () => {
  for (const url of ['mssql://sa:s3cret@db/legacy', 'ftp://user:s3cret@host/x', 'not a url', 'constructor://x', '']) {
    await assert.rejects(openSqlLegacyStore({ url, query: QUERY }), refusedWith(LegacyStoreErrorCode.URL_INVALID), url);
  }
});

test('pool size and query timeout out of range are LEGACY_STORE_OPTIONS_INVALID', async () => {
  const url = 'postgres://app:s3cret@127.0.0.1:1/legacy';
  for (const options of [{ poolSize: 0 }, { poolSize: 500 }, { queryTimeoutInMs: 0 }, { queryTimeoutInMs: 1.5 }, { queryTimeoutInMs: 3_600_000 }]) {
    await assert.rejects(openSqlLegacyStore({ url, query: QUERY, ...options }), refusedWith(LegacyStoreErrorCode.OPTIONS_INVALID), JSON.stringify(options));
  }
});

test('a query with an unknown parameter is refused before any connection is tried', async () => {
  await assert.rejects(
    openSqlLegacyStore({ url: 'mysql://app:s3cret@127.0.0.1:1/legacy', query: 'SELECT password_hash FROM users WHERE login = :login' }),
    refusedWith(LegacyStoreErrorCode.QUERY_INVALID),
  );
});
