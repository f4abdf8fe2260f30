import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LegacyStoreErrorCode, type LegacyAuthority } from '../../../src/legacy/index.js';
import { openLdapAuthority } from '../../../src/legacy/stores/ldap/index.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';
import { skipUnlessSlapd, startSlapd, type Slapd } from '../../support/slapd.js';
import { ADA_UUID, check, lockOut, socketsLeftTo, PEOPLE_LDIF, searchSettings, storeError, templateSettings } from './directory.js';

const { correct, wrong } = CANARY_PASSWORDS;
const skip = skipUnlessSlapd();

describe('LDAP store over TLS, and slapd with ppolicy_use_lockout', { skip }, () => {
  let slapd: Slapd;

  before(async () => {
    slapd = await startSlapd({ entries: PEOPLE_LDIF, tls: true, useLockout: true });
  });
  after(() => slapd?.stop());

  /** Runs `body` with an authority, then closes it and checks that no socket was left open. */
  async function withAuthority(settings: Parameters<typeof openLdapAuthority>[0], body: (authority: LegacyAuthority) => Promise<void>): Promise<void> {
    const authority = await openLdapAuthority(settings);
    try {
      await body(authority);
    } finally {
      await authority.close();
    }
    for (const url of [slapd.url, slapd.ldapsUrl!]) assert.deepEqual(await socketsLeftTo(url), [], `sockets left open to ${url} after close`);
  }

  test('ldap:// with LEGACY_LDAP_STARTTLS=true and LEGACY_LDAP_CA_FILE: search then bind, both upgraded', async () => {
    await withAuthority(searchSettings(slapd, { LEGACY_LDAP_STARTTLS: 'true', LEGACY_LDAP_CA_FILE: slapd.caFile! }), async (authority) => {
      await authority.ping();
      assert.deepEqual(await check(authority, 'ada', correct), { outcome: 'correct', legacyId: ADA_UUID, mustChangePassword: false });
      assert.deepEqual(await check(authority, 'ada', wrong), { outcome: 'wrong', legacyId: ADA_UUID });
    });
  });

  test('ldaps://localhost with LEGACY_LDAP_CA_FILE: the certificate is checked against the host name', async () => {
    await withAuthority(searchSettings(slapd, { LEGACY_LDAP_URL: slapd.ldapsUrl!, LEGACY_LDAP_CA_FILE: slapd.caFile! }), async (authority) => {
      await authority.ping();
      assert.equal((await check(authority, 'ada', correct)).outcome, 'correct');
    });
    await withAuthority(templateSettings(slapd, { LEGACY_LDAP_URL: slapd.ldapsUrl!, LEGACY_LDAP_CA_FILE: slapd.caFile! }), async (authority) => {
      await authority.ping();
      assert.equal((await check(authority, 'ada', correct)).outcome, 'correct');
    });
  });

  test('a certificate from another CA, or the system CAs: MISCONFIGURED naming LEGACY_LDAP_CA_FILE, nothing sent', async () => {
    const cases = [
      searchSettings(slapd, { LEGACY_LDAP_STARTTLS: 'true', LEGACY_LDAP_CA_FILE: slapd.otherCaFile! }),
      searchSettings(slapd, { LEGACY_LDAP_STARTTLS: 'true' }),
      templateSettings(slapd, { LEGACY_LDAP_URL: slapd.ldapsUrl!, LEGACY_LDAP_CA_FILE: slapd.otherCaFile! }),
    ];
    for (const settings of cases) {
      await withAuthority(settings, async (authority) => {
        await assert.rejects(authority.ping(), storeError(LegacyStoreErrorCode.MISCONFIGURED, /LEGACY_LDAP_CA_FILE/));
        await assert.rejects(check(authority, 'ada', correct), storeError(LegacyStoreErrorCode.MISCONFIGURED, /LEGACY_LDAP_CA_FILE/));
      });
    }
  });

  test('a certificate that does not name the host in LEGACY_LDAP_URL: MISCONFIGURED naming LEGACY_LDAP_URL', async () => {
    // Same slapd, same CA, reached as 127.0.0.2, which the certificate (localhost, 127.0.0.1) does not name.
    await withAuthority(searchSettings(slapd, { LEGACY_LDAP_URL: slapd.unnamedUrl!, LEGACY_LDAP_STARTTLS: 'true', LEGACY_LDAP_CA_FILE: slapd.caFile! }), async (authority) => {
      await assert.rejects(authority.ping(), storeError(LegacyStoreErrorCode.MISCONFIGURED, /ERR_TLS_CERT_ALTNAME_INVALID/, /LEGACY_LDAP_URL/));
    });
  });

  test('a CA file that holds no certificate stops the store from opening (OPTIONS_INVALID naming LEGACY_LDAP_CA_FILE)', async () => {
    const settings = searchSettings(slapd, { LEGACY_LDAP_STARTTLS: 'true', LEGACY_LDAP_CA_FILE: import.meta.filename });
    await assert.rejects(openLdapAuthority(settings), storeError(LegacyStoreErrorCode.OPTIONS_INVALID, /LEGACY_LDAP_CA_FILE/));
  });

  test('direct bind: with ppolicy_use_lockout, the password policy control names the lock, so the right password is blocked', async () => {
    await withAuthority(templateSettings(slapd, { LEGACY_LDAP_STARTTLS: 'true', LEGACY_LDAP_CA_FILE: slapd.caFile! }), async (authority) => {
      await lockOut(authority, slapd, 'hopper');
      assert.deepEqual(await check(authority, 'hopper', correct), { outcome: 'blocked', legacyId: null, status: 'locked' });
    });
  });
});
