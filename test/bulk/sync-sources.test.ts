import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_FIELD_MAP, graphUserBody, recordOf, type LegacyRecord } from '../../src/bulk/index.js';
import { isLocked } from '../../src/bulk/ldap-source.js';
import { userPatchOf } from '../../src/bulk/steps/sync-patch.js';
import { profileFingerprint } from '../../src/bulk/steps/sync-profile.js';

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
