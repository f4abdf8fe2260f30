import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { DEFAULT_FIELD_MAP, graphUserBody, readSqlSource, recordOf, type LegacyRecord } from '../../src/bulk/index.js';
import { isLocked } from '../../src/bulk/ldap-source.js';
import { userPatchOf } from '../../src/bulk/steps/sync-patch.js';
import { profileFingerprint } from '../../src/bulk/steps/sync-profile.js';
import { SERVICES, skipUnlessService } from '../support/services.js';

const row = (enabled: unknown) => recordOf({ id: 'u1', email: 'ada@legacy.example', display_name: 'Ada', enabled }, DEFAULT_FIELD_MAP);

test('the enabled field: booleans, 1/0 and the usual words; missing or empty is enabled; anything else is refused, never guessed', () => {
  for (const value of [true, 1, '1', 'true', 'TRUE', 'yes', 't', undefined, null, '']) assert.equal((row(value) as LegacyRecord).enabled, true, String(value));
  for (const value of [false, 0, '0', 'false', 'No', 'f']) assert.equal((row(value) as LegacyRecord).enabled, false, String(value));
  for (const value of ['blocked', 2, 'maybe']) assert.deepEqual(row(value), { reason: 'enabled is not true or false (1/0, yes/no)' }, String(value));
  // Not an extra attribute: the attribute map never sees it.
  assert.deepEqual((row('false') as LegacyRecord).extra, {});
  // premigrate creates a blocked account disabled.
  assert.equal(graphUserBody(row('false') as LegacyRecord, { tenantDomain: 'contoso.onmicrosoft.com', flagAttribute: 'extension_0_toBeMigrated' }).accountEnabled, false);
  assert.equal(graphUserBody(row(undefined) as LegacyRecord, { tenantDomain: 'contoso.onmicrosoft.com', flagAttribute: 'extension_0_toBeMigrated' }).accountEnabled, true);
});

test('a directory entry is blocked by userAccountControl bit 2, nsAccountLock TRUE or the permanent pwdAccountLockedTime, never by a lockout that ends', () => {
  const entry = (attributes: Record<string, string>) => ({ dn: 'uid=x,dc=example', ...attributes });
  assert.equal(isLocked(entry({ userAccountControl: '514' })), true);
  assert.equal(isLocked(entry({ userAccountControl: '512' })), false);
  assert.equal(isLocked(entry({ nsaccountlock: 'TRUE' })), true, 'attribute names match without regard to case');
  assert.equal(isLocked(entry({ nsAccountLock: 'false' })), false);
  assert.equal(isLocked(entry({ pwdAccountLockedTime: '000001010000Z' })), true);
  assert.equal(isLocked(entry({ pwdAccountLockedTime: '20261202063000Z' })), false, 'a lockout after failed passwords ends by itself');
  assert.equal(isLocked(entry({})), false);
});

test('the PATCH sends only what differs and gives the identities collection back whole, the e-mail identity replaced in its place', () => {
  const record = recordOf({ id: 'u1', email: 'new@legacy.example', display_name: 'Ada', given_name: 'Ada' }, DEFAULT_FIELD_MAP) as LegacyRecord;
  const principal = { signInType: 'userPrincipalName', issuer: 'contoso.onmicrosoft.com', issuerAssignedId: 'x@contoso.onmicrosoft.com' };
  const user = {
    displayName: 'Ada',
    givenName: 'Ada',
    surname: null,
    mail: 'old@legacy.example',
    identities: [{ signInType: 'emailAddress', issuer: 'contoso.onmicrosoft.com', issuerAssignedId: 'old@legacy.example' }, principal],
    accountEnabled: true,
  };
  const { body, changes } = userPatchOf(user, { record, enabled: undefined, compareProfile: true }, 'contoso.onmicrosoft.com');
  assert.deepEqual(body, {
    mail: 'new@legacy.example',
    identities: [{ signInType: 'emailAddress', issuer: 'contoso.onmicrosoft.com', issuerAssignedId: 'new@legacy.example' }, principal],
  });
  assert.deepEqual(changes.map((change) => change.name), ['mail', 'identities']);
  // Only accountEnabled for an account that left the source.
  assert.deepEqual(userPatchOf(user, { record: null, enabled: false, compareProfile: false }, 'contoso.onmicrosoft.com').body, { accountEnabled: false });
  assert.deepEqual(userPatchOf({ ...user, accountEnabled: false }, { record: null, enabled: false, compareProfile: false }, 'contoso.onmicrosoft.com').body, {});
});

test('the fingerprint changes with each synced field and with nothing else', () => {
  const base = recordOf({ id: 'u1', email: 'ada@legacy.example', display_name: 'Ada', phone: '+1 2065550100', tier: 'gold' }, DEFAULT_FIELD_MAP) as LegacyRecord;
  const fingerprint = profileFingerprint(base);
  assert.match(fingerprint, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(profileFingerprint({ ...base, phone: null, extra: {}, enabled: false }), fingerprint);
  for (const changed of [{ displayName: 'Ada K' }, { givenName: 'Ada' }, { surname: 'K' }, { email: 'k@legacy.example' }]) assert.notEqual(profileFingerprint({ ...base, ...changed }), fingerprint);
});

test('the SQL export\'s booleans and 1/0 read as enabled: PostgreSQL and MariaDB, a blocked column selected inverted', async (t) => {
  const table = `sync_enabled_${process.pid}_${Date.now()}`;
  const read = async (url: string, query: string) => {
    const records: Array<[string, boolean | undefined]> = [];
    for await (const { row } of readSqlSource({ url, query })) records.push([String(row!.id), (recordOf(row!, DEFAULT_FIELD_MAP) as LegacyRecord).enabled]);
    return records;
  };
  await t.test('PostgreSQL', { skip: await skipUnlessService('postgres') }, async () => {
    const client = new pg.Client({ connectionString: SERVICES.postgres.url });
    await client.connect();
    try {
      await client.query(`CREATE TABLE ${table} (id text PRIMARY KEY, email text, active boolean, blocked boolean)`);
      await client.query(`INSERT INTO ${table} VALUES ('a', 'a@legacy.example', true, false), ('b', 'b@legacy.example', false, true), ('c', 'c@legacy.example', NULL, NULL)`);
      assert.deepEqual(await read(SERVICES.postgres.url, `SELECT id, email, active AS enabled FROM ${table}`), [['a', true], ['b', false], ['c', true]]);
      assert.deepEqual(await read(SERVICES.postgres.url, `SELECT id, email, NOT blocked AS enabled FROM ${table}`), [['a', true], ['b', false], ['c', true]]);
    } finally {
      await client.query(`DROP TABLE IF EXISTS ${table}`).finally(() => client.end());
    }
  });
  await t.test('MariaDB', { skip: await skipUnlessService('mariadb') }, async () => {
    const connection = await mysql.createConnection(SERVICES.mariadb.url);
    try {
      await connection.query(`CREATE TABLE ${table} (id varchar(10) PRIMARY KEY, email text, blocked tinyint(1))`);
      await connection.query(`INSERT INTO ${table} VALUES ('a', 'a@legacy.example', 0), ('b', 'b@legacy.example', 1)`);
      assert.deepEqual(await read(SERVICES.mariadb.url, `SELECT id, email, NOT blocked AS enabled FROM ${table}`), [['a', true], ['b', false]]);
    } finally {
      await connection.query(`DROP TABLE IF EXISTS ${table}`).finally(() => connection.end());
    }
  });
});
