import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAdAccountDisabled, isPpolicyLocked } from '../../../src/legacy/stores/ldap/account-state.js';
import { entryAttributes, readUserEntry } from '../../../src/legacy/stores/ldap/user-entry.js';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

test('pwdAccountLockedTime: locked once its time has come; a future time is not yet in effect', () => {
  assert.equal(isPpolicyLocked([], NOW), false);
  assert.equal(isPpolicyLocked(['20240601115959Z'], NOW), true);
  assert.equal(isPpolicyLocked(['20240601120000Z'], NOW), true);
  assert.equal(isPpolicyLocked(['20240601120000.123456Z'], NOW), true);
  assert.equal(isPpolicyLocked(['202406011200Z'], NOW), true);
  assert.equal(isPpolicyLocked(['20240601120001Z'], NOW), false);
});

test('pwdAccountLockedTime: slapd\'s permanent lock 000001010000Z and anything unreadable are locks', () => {
  assert.equal(isPpolicyLocked(['000001010000Z'], NOW), true);
  for (const value of ['', 'yesterday', '2024', '20240601120000', '20240601120000+0200', '2024060112000Z', 'x'.repeat(10_000)]) {
    assert.equal(isPpolicyLocked([value], NOW), true, value.slice(0, 30));
  }
});

test('userAccountControl: ACCOUNTDISABLE (0x2) alone decides; non-numbers are not flags', () => {
  assert.equal(isAdAccountDisabled(['512']), false); // NORMAL_ACCOUNT
  assert.equal(isAdAccountDisabled(['514']), true); // NORMAL_ACCOUNT | ACCOUNTDISABLE
  assert.equal(isAdAccountDisabled(['66050']), true); // … | DONT_EXPIRE_PASSWORD
  assert.equal(isAdAccountDisabled(['66048']), false);
  assert.equal(isAdAccountDisabled(['-2147483646']), true); // signed 32-bit, as AD may show it
  for (const value of ['', '2x', '0x2', ' 2', '1e1', '99999999999999']) assert.equal(isAdAccountDisabled([value]), false, value);
  assert.equal(isAdAccountDisabled([]), false);
});

test('a search entry: attribute names in any case, id from the configured attribute, binary objectGUID', () => {
  const entry = readUserEntry(
    { dn: 'uid=ada,dc=x', ENTRYUUID: 'abc', PwdAccountLockedTime: '20200101000000Z', useraccountcontrol: '514' },
    'entryUUID',
    NOW,
  );
  assert.deepEqual(entry, { dn: 'uid=ada,dc=x', legacyId: 'abc', locked: true, disabled: true });
  const guid = Buffer.from('c98b91356d19ea409779889d79b753f0', 'hex');
  assert.equal(readUserEntry({ dn: 'x', objectGUID: guid }, 'objectguid', NOW).legacyId, '35918bc9-196d-40ea-9779-889d79b753f0');
  assert.equal(readUserEntry({ dn: 'x', objectGUID: Buffer.alloc(5) }, 'objectGUID', NOW).legacyId, null);
  assert.equal(readUserEntry({ dn: 'x', uid: ['first', 'second'] }, 'uid', NOW).legacyId, 'first');
  assert.equal(readUserEntry({ dn: 'x', uid: [] }, 'uid', NOW).legacyId, null);
  assert.equal(readUserEntry({ dn: 'x', uid: 'u'.repeat(257) }, 'uid', NOW).legacyId, null);
  assert.equal(readUserEntry({ dn: 'x', dn2: 'y' }, 'dn', NOW).legacyId, null); // the DN is not an attribute
});

test('the attributes asked for: the id (objectGUID as bytes) and the two account-state attributes, once each', () => {
  assert.deepEqual(entryAttributes('entryUUID'), { attributes: ['entryUUID', 'userAccountControl', 'pwdAccountLockedTime'], explicitBufferAttributes: [] });
  assert.deepEqual(entryAttributes('OBJECTGUID'), { attributes: ['objectGUID', 'userAccountControl', 'pwdAccountLockedTime'], explicitBufferAttributes: ['objectGUID'] });
  assert.deepEqual(entryAttributes('useraccountcontrol').attributes, ['useraccountcontrol', 'pwdAccountLockedTime']);
});
