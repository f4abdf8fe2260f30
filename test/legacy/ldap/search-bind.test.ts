import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from 'ldapts';
import { LegacyStoreErrorCode, type LegacyAuthority } from '../../../src/legacy/index.js';
import { openLdapAuthority } from '../../../src/legacy/stores/ldap/index.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';
import { PEOPLE, SERVICE_DN, skipUnlessSlapd, startSlapd, type Slapd } from '../../support/slapd.js';
import { ADA_UUID, check, GUID_STRING, PEOPLE_LDIF, searchSettings, SPECIAL_UID, storeError } from './directory.js';

const { correct, wrong, unicode } = CANARY_PASSWORDS;
const skip = skipUnlessSlapd();

describe('LDAP store, search then bind, against slapd', { skip }, () => {
  let slapd: Slapd;
  let authority: LegacyAuthority;

  before(async () => {
    slapd = await startSlapd({ entries: PEOPLE_LDIF });
    authority = await openLdapAuthority(searchSettings(slapd));
  });
  after(async () => {
    await authority?.close();
    await slapd?.stop();
  });

  test('the right password is correct, with the entryUUID as legacy id; by mail or by uid', async () => {
    assert.deepEqual(await check(authority, 'ada@example.org', correct), { outcome: 'correct', legacyId: ADA_UUID, mustChangePassword: false });
    assert.deepEqual(await check(authority, 'ada', correct), { outcome: 'correct', legacyId: ADA_UUID, mustChangePassword: false });
  });

  test('a wrong password is wrong, and says which account', async () => {
    assert.deepEqual(await check(authority, 'ada@example.org', wrong), { outcome: 'wrong', legacyId: ADA_UUID });
  });

  test('a name that matches no entry is unknown', async () => {
    assert.deepEqual(await check(authority, 'nobody@example.org', correct), { outcome: 'unknown' });
  });

  test('a name that matches several entries is unknown, even with their right password', async () => {
    assert.deepEqual(await check(authority, 'twin@example.org', correct), { outcome: 'unknown' });
  });

  test('non-ASCII names and passwords travel as UTF-8 (filter value left unescaped, bind password intact)', async () => {
    assert.equal((await check(authority, 'zoë', unicode)).outcome, 'correct');
    assert.equal((await check(authority, 'zoë', correct)).outcome, 'wrong');
    assert.equal((await check(authority, 'zoe', unicode)).outcome, 'unknown');
  });

  test('every RFC 4515 and RFC 4514 special character in a real uid is found by the search and bound by its DN', async () => {
    assert.equal((await check(authority, SPECIAL_UID, correct)).outcome, 'correct');
  });

  test('an empty password is never sent and is never correct', async () => {
    assert.deepEqual(await check(authority, 'ada@example.org', ''), { outcome: 'wrong', legacyId: null });
  });

  test('OpenLDAP ppolicy: after 3 wrong passwords the account is blocked, even with the right one', async () => {
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      assert.equal((await check(authority, 'grace@example.org', wrong)).outcome, 'wrong', `attempt ${attempt}`);
    }
    assert.deepEqual(await check(authority, 'grace@example.org', correct), { outcome: 'blocked', legacyId: (await legacyIdOf('grace')), status: 'locked' });
    assert.equal((await check(authority, 'grace@example.org', wrong)).outcome, 'blocked');
  });

  test('OpenLDAP ppolicy: a password reset by an administrator (pwdReset) is correct but must be changed', async () => {
    assert.equal((await check(authority, 'reset', correct)).outcome, 'correct');
    assert.equal(((await check(authority, 'reset', correct)) as { mustChangePassword: boolean }).mustChangePassword, true);
    assert.equal((await check(authority, 'reset', wrong)).outcome, 'wrong');
  });

  test('OpenLDAP ppolicy: an expired password (pwdMaxAge, no grace) is correct but must be changed; a wrong one stays wrong', async () => {
    const expired = await check(authority, 'expired', correct);
    assert.equal(expired.outcome, 'correct');
    assert.equal((expired as { mustChangePassword: boolean }).mustChangePassword, true);
    assert.equal((await check(authority, 'expired', wrong)).outcome, 'wrong');
  });

  test('OpenLDAP ppolicy: a grace bind with an expired password (pwdGraceAuthNLimit) is correct but must be changed', async () => {
    const grace = await check(authority, 'graceful', correct);
    assert.equal(grace.outcome, 'correct');
    assert.equal((grace as { mustChangePassword: boolean }).mustChangePassword, true);
  });

  test('Active Directory userAccountControl ACCOUNTDISABLE: blocked after the right password only', async () => {
    assert.equal((await check(authority, 'disabled', correct)).outcome, 'blocked');
    assert.equal((await check(authority, 'disabled', wrong)).outcome, 'wrong');
    assert.equal((await check(authority, 'enabled', correct)).outcome, 'correct');
  });

  test('LEGACY_LDAP_ID_ATTRIBUTE=objectGUID reads the GUID in AD byte order; a sAMAccountName filter finds it', async () => {
    const ad = await openLdapAuthority(searchSettings(slapd, {
      LEGACY_LDAP_SEARCH_FILTER: '(&(objectClass=testAdAccount)(|(sAMAccountName={username})(userPrincipalName={username})))',
      LEGACY_LDAP_ID_ATTRIBUTE: 'objectGUID',
    }));
    try {
      assert.deepEqual(await check(ad, 'guid', correct), { outcome: 'correct', legacyId: GUID_STRING, mustChangePassword: false });
      assert.deepEqual(await check(ad, 'guid@corp.example.org', wrong), { outcome: 'wrong', legacyId: GUID_STRING });
    } finally {
      await ad.close();
    }
  });

  test('another id attribute (uid) is read as text; an attribute the entry lacks gives a null id', async () => {
    const byUid = await openLdapAuthority(searchSettings(slapd, { LEGACY_LDAP_ID_ATTRIBUTE: 'uid' }));
    const byMissing = await openLdapAuthority(searchSettings(slapd, { LEGACY_LDAP_ID_ATTRIBUTE: 'employeeNumber' }));
    try {
      assert.deepEqual(await check(byUid, 'ada@example.org', correct), { outcome: 'correct', legacyId: 'ada', mustChangePassword: false });
      assert.deepEqual(await check(byMissing, 'ada@example.org', correct), { outcome: 'correct', legacyId: null, mustChangePassword: false });
    } finally {
      await Promise.all([byUid.close(), byMissing.close()]);
    }
  });

  describe('injection attempts in the sign-in name never match another entry', () => {
    // With (&(objectClass=inetOrgPerson)(uid={username})) each of these, put in unescaped, selects exactly the
    // admin entry, whose password is the one sent: only escaping stands between them and `correct`.
    const filter = '(&(objectClass=inetOrgPerson)(uid={username}))';
    const dangerous = ['adm*', '*)(uid=admin', 'admin)(|(uid=*'];
    let strict: LegacyAuthority;
    before(async () => {
      strict = await openLdapAuthority(searchSettings(slapd, { LEGACY_LDAP_SEARCH_FILTER: filter }));
    });
    after(() => strict?.close());

    for (const name of dangerous) {
      test(`${JSON.stringify(name)}: unescaped it finds admin; escaped it finds nobody`, async () => {
        assert.deepEqual(await rawSearch(filter.replace('{username}', name)), [`uid=admin,${PEOPLE}`], 'the test input really is an injection');
        assert.deepEqual(await check(strict, name, correct), { outcome: 'unknown' });
      });
    }

    for (const name of ['*', '*)(uid=*', '*)(|(mail=*', 'admin\\00', 'admin\\2a', '\\2a']) {
      test(`${JSON.stringify(name)} is unknown: no wildcard, no escape of our own`, async () => {
        assert.deepEqual(await check(authority, name, correct), { outcome: 'unknown' });
        assert.deepEqual(await check(strict, name, correct), { outcome: 'unknown' });
      });
    }

    test('a NUL, any control character and a 10 KB name are never sent: unknown even from a directory that is down', async () => {
      const down = await openLdapAuthority(searchSettings(slapd, { LEGACY_LDAP_URL: 'ldap://127.0.0.1:1' }));
      try {
        for (const name of ['admin\u0000', 'admin\u0000*', 'ad\nmin', 'admin\u007f', 'admin\u0085', 'a'.repeat(10 * 1024), 'é'.repeat(257), 'admin\ud800']) {
          assert.deepEqual(await check(down, name, correct), { outcome: 'unknown' }, JSON.stringify(name.slice(0, 20)));
          assert.deepEqual(await check(strict, name, correct), { outcome: 'unknown' });
        }
        // 256 characters is still a name: it is sent (and this one, to a directory that is down, fails to be).
        await assert.rejects(check(down, 'é'.repeat(256), correct), storeError(LegacyStoreErrorCode.UNAVAILABLE));
      } finally {
        await down.close();
      }
    });

    test('an empty password is never sent: wrong even from a directory that is down', async () => {
      const down = await openLdapAuthority(searchSettings(slapd, { LEGACY_LDAP_URL: 'ldap://127.0.0.1:1' }));
      try {
        assert.deepEqual(await check(down, 'ada@example.org', ''), { outcome: 'wrong', legacyId: null });
      } finally {
        await down.close();
      }
    });
  });

  describe('the directory refusing us names the settings to fix', () => {
    test('a wrong service password: MISCONFIGURED naming LEGACY_LDAP_BIND_DN and LEGACY_LDAP_BIND_PASSWORD, on check and ping', async () => {
      const secret = 'Not-The-Service-Password-42';
      const misconfigured = await openLdapAuthority(searchSettings(slapd, { LEGACY_LDAP_BIND_PASSWORD: secret }));
      try {
        for (const call of [() => check(misconfigured, 'ada@example.org', correct), () => misconfigured.ping()]) {
          const error = await call().then(() => assert.fail('expected a rejection'), (caught: unknown) => caught);
          assert.ok(storeError(LegacyStoreErrorCode.MISCONFIGURED)(error));
          const { message, publicMessage } = error as { message: string; publicMessage: string };
          for (const text of [message, publicMessage]) {
            assert.match(text, /LEGACY_LDAP_BIND_DN/);
            assert.match(text, /LEGACY_LDAP_BIND_PASSWORD/);
            assert.ok(!text.includes(secret) && !text.includes('ada'), text);
          }
        }
      } finally {
        await misconfigured.close();
      }
    });

    test('a search base that names nothing: MISCONFIGURED naming LEGACY_LDAP_SEARCH_BASE, on check and ping', async () => {
      const misconfigured = await openLdapAuthority(searchSettings(slapd, { LEGACY_LDAP_SEARCH_BASE: 'ou=nowhere,dc=example,dc=org' }));
      try {
        await assert.rejects(check(misconfigured, 'ada@example.org', correct), storeError(LegacyStoreErrorCode.MISCONFIGURED, /LEGACY_LDAP_SEARCH_BASE/));
        await assert.rejects(misconfigured.ping(), storeError(LegacyStoreErrorCode.MISCONFIGURED, /LEGACY_LDAP_SEARCH_BASE/));
      } finally {
        await misconfigured.close();
      }
    });

    test('StartTLS asked of a directory without TLS: MISCONFIGURED naming LEGACY_LDAP_STARTTLS', async () => {
      const misconfigured = await openLdapAuthority(searchSettings(slapd, { LEGACY_LDAP_STARTTLS: 'true' }));
      try {
        await assert.rejects(misconfigured.ping(), storeError(LegacyStoreErrorCode.MISCONFIGURED, /LEGACY_LDAP_STARTTLS/));
        await assert.rejects(check(misconfigured, 'ada@example.org', correct), storeError(LegacyStoreErrorCode.MISCONFIGURED, /LEGACY_LDAP_STARTTLS/));
      } finally {
        await misconfigured.close();
      }
    });

    test('nothing listening: UNAVAILABLE naming the host', async () => {
      const down = await openLdapAuthority(searchSettings(slapd, { LEGACY_LDAP_URL: 'ldap://127.0.0.1:1' }));
      try {
        await assert.rejects(check(down, 'ada@example.org', correct), storeError(LegacyStoreErrorCode.UNAVAILABLE, /127\.0\.0\.1:1\b/, /ECONNREFUSED/));
        await assert.rejects(down.ping(), storeError(LegacyStoreErrorCode.UNAVAILABLE));
      } finally {
        await down.close();
      }
    });

    test('ping with the right service account resolves; a closed store rejects UNAVAILABLE', async () => {
      const store = await openLdapAuthority(searchSettings(slapd));
      await store.ping();
      await store.close();
      await store.close(); // idempotent
      await assert.rejects(check(store, 'ada@example.org', correct), storeError(LegacyStoreErrorCode.UNAVAILABLE));
      await assert.rejects(store.ping(), storeError(LegacyStoreErrorCode.UNAVAILABLE));
    });
  });

  test('concurrent checks share the service connections (more checks than connections) and all get their answer', async () => {
    const small = await openLdapAuthority(searchSettings(slapd), { serviceConnections: 2 });
    try {
      // Ten right passwords for two accounts, ten wrong ones spread over five accounts, two each: whatever order slapd
      // sees them in, no account reaches ppolicy's three failures in a row, so every answer is the password's own.
      const wrongNames = ['ada@example.org', 'hopper@example.org', 'admin', 'twin1', 'enabled'];
      const attempts = Array.from({ length: 20 }, (_, index) =>
        index % 2 === 0 ? { name: index % 4 === 0 ? 'ada@example.org' : 'hopper@example.org', password: correct } : { name: wrongNames[(index >> 1) % 5]!, password: wrong },
      );
      const checks = await Promise.all(attempts.map(({ name, password }) => check(small, name, password)));
      assert.deepEqual(checks.map((result) => result.outcome), attempts.map(({ password }) => (password === correct ? 'correct' : 'wrong')));
    } finally {
      await small.close();
    }
  });

  /** DNs a service-account search with `filter`, sent exactly as written, finds. */
  async function rawSearch(filter: string): Promise<string[]> {
    const client = new Client({ url: slapd.url });
    try {
      await client.bind(SERVICE_DN, slapd.servicePassword);
      const { searchEntries } = await client.search(PEOPLE, { scope: 'sub', filter, attributes: ['1.1'] });
      return searchEntries.map((entry) => entry.dn);
    } finally {
      await client.unbind();
    }
  }

  async function legacyIdOf(uid: string): Promise<string> {
    const client = new Client({ url: slapd.url });
    try {
      await client.bind(SERVICE_DN, slapd.servicePassword);
      const { searchEntries } = await client.search(`uid=${uid},${PEOPLE}`, { scope: 'base', attributes: ['entryUUID'] });
      return searchEntries[0]!.entryUUID as string;
    } finally {
      await client.unbind();
    }
  }
});
