import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LegacyStoreErrorCode, type LegacyAuthority } from '../../../src/legacy/index.js';
import { openLdapAuthority } from '../../../src/legacy/stores/ldap/index.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';
import { PEOPLE, skipUnlessSlapd, startSlapd, type Slapd } from '../../support/slapd.js';
import { ADA_UUID, check, lockOut, GUID_STRING, PEOPLE_LDIF, SPECIAL_UID, storeError, templateSettings } from './directory.js';

const { correct, wrong } = CANARY_PASSWORDS;
const skip = skipUnlessSlapd();

describe('LDAP store, direct bind with LEGACY_LDAP_USER_DN_TEMPLATE, against slapd', { skip }, () => {
  let slapd: Slapd;
  let authority: LegacyAuthority;

  before(async () => {
    slapd = await startSlapd({ entries: PEOPLE_LDIF });
    authority = await openLdapAuthority(templateSettings(slapd));
  });
  after(async () => {
    await authority?.close();
    await slapd?.stop();
  });

  test('the right password is correct, with the id read from the user\'s own entry', async () => {
    assert.deepEqual(await check(authority, 'ada', correct), { outcome: 'correct', legacyId: ADA_UUID, mustChangePassword: false });
  });

  test('a wrong password, or a DN that names nobody, is wrong (slapd answers both with 49)', async () => {
    assert.deepEqual(await check(authority, 'ada', wrong), { outcome: 'wrong', legacyId: null });
    assert.deepEqual(await check(authority, 'nobody', correct), { outcome: 'wrong', legacyId: null });
  });

  test('objectGUID as id attribute, and userAccountControl ACCOUNTDISABLE after the right password', async () => {
    const ad = await openLdapAuthority(templateSettings(slapd, { LEGACY_LDAP_ID_ATTRIBUTE: 'objectGUID' }));
    try {
      assert.deepEqual(await check(ad, 'guid', correct), { outcome: 'correct', legacyId: GUID_STRING, mustChangePassword: false });
      assert.deepEqual(await check(ad, 'disabled', correct), { outcome: 'blocked', legacyId: null, status: 'disabled' });
      assert.deepEqual(await check(ad, 'disabled', wrong), { outcome: 'wrong', legacyId: null });
    } finally {
      await ad.close();
    }
  });

  test('a reset password is correct but must be changed (slapd restricts the connection, so no id)', async () => {
    assert.deepEqual(await check(authority, 'reset', correct), { outcome: 'correct', legacyId: null, mustChangePassword: true });
  });

  test('an expired password is correct but must be changed (the password policy control says passwordExpired)', async () => {
    assert.deepEqual(await check(authority, 'expired', correct), { outcome: 'correct', legacyId: null, mustChangePassword: true });
  });

  test('a uid holding every RFC 4514 special character binds: the DN is escaped, not rejected', async () => {
    assert.equal((await check(authority, SPECIAL_UID, correct)).outcome, 'correct');
  });

  test('the directory\'s own matching rules still apply: case and surrounding spaces do not count for uid (RFC 4518 §2.6.1)', async () => {
    // Escaped, ` ada` is the value " ada"; slapd's caseIgnoreMatch drops the insignificant spaces, as it would in a
    // search. The same account, by the directory's rules; not a way into another one.
    for (const name of ['ADA', ' ada', 'ada ']) assert.equal((await check(authority, name, correct)).outcome, 'correct', JSON.stringify(name));
  });

  describe('DN-special characters in a name stay inside one attribute value', () => {
    test('a leading # is a literal character, not the start of a BER-encoded value', async () => {
      assert.deepEqual(await check(authority, '#0403616461', correct), { outcome: 'wrong', legacyId: null });
    });

    for (const special of [',', '+', '"', '\\', '<', '>', ';', '=']) {
      test(`a name with ${JSON.stringify(special)} is one attribute value, never a second RDN or attribute`, async () => {
        for (const name of [`ada${special}`, `ada${special}cn=ada`, `ada${special}ou=people,dc=example,dc=org`, `${special}ada`]) {
          assert.deepEqual(await check(authority, name, correct), { outcome: 'wrong', legacyId: null }, name);
        }
      });
    }

    test('control characters and 10 KB names are never sent', async () => {
      const down = await openLdapAuthority(templateSettings(slapd, { LEGACY_LDAP_URL: 'ldap://127.0.0.1:1' }));
      try {
        for (const name of ['ada\u0000', 'ada\u0000,ou=x', 'ada\r\n', 'a'.repeat(10 * 1024)]) {
          assert.deepEqual(await check(down, name, correct), { outcome: 'unknown' });
        }
        assert.deepEqual(await check(down, 'ada', ''), { outcome: 'wrong', legacyId: null });
      } finally {
        await down.close();
      }
    });
  });

  test('without ppolicy_use_lockout, slapd does not say a direct bind hit a lock: the right password then reads as wrong', async () => {
    // Documented limitation: with no service account nothing reads pwdAccountLockedTime. (tls.test.ts shows the
    // same account blocked when slapd sends accountLocked in the control.)
    await lockOut(authority, slapd, 'hopper');
    assert.deepEqual(await check(authority, 'hopper', correct), { outcome: 'wrong', legacyId: null });
  });

  test('ping reads the root DSE anonymously; a directory that is down is UNAVAILABLE', async () => {
    await authority.ping();
    const down = await openLdapAuthority(templateSettings(slapd, { LEGACY_LDAP_URL: 'ldap://127.0.0.1:1' }));
    try {
      await assert.rejects(down.ping(), storeError(LegacyStoreErrorCode.UNAVAILABLE, /ECONNREFUSED/));
      await assert.rejects(check(down, 'ada', correct), storeError(LegacyStoreErrorCode.UNAVAILABLE));
    } finally {
      await down.close();
    }
  });
});
