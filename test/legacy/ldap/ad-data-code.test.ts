import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adBindVerdict } from '../../../src/legacy/stores/ldap/ad-data-code.js';
import { verdictOf } from '../../../src/legacy/stores/ldap/verdict.js';

/**
 * Active Directory's diagnostic messages for a failed simple bind (result 49), in the exact form domain controllers
 * send them (DSID and version vary by build). No AD is available here, so these strings are the fixture.
 */
const ad = (code: string, dsid = '0C09042A', version = 'v3839'): string =>
  `80090308: LdapErr: DSID-${dsid}, comment: AcceptSecurityContext error, data ${code}, ${version}\u0000`;

test('each AD data code maps as Microsoft documents it', () => {
  assert.deepEqual(adBindVerdict(ad('525')), { outcome: 'unknown' });
  assert.deepEqual(adBindVerdict(ad('52e')), { outcome: 'wrong' });
  assert.deepEqual(adBindVerdict(ad('530')), { outcome: 'blocked', status: 'blocked' });
  assert.deepEqual(adBindVerdict(ad('531')), { outcome: 'blocked', status: 'blocked' });
  assert.deepEqual(adBindVerdict(ad('532')), { outcome: 'correct', mustChangePassword: true });
  assert.deepEqual(adBindVerdict(ad('533')), { outcome: 'blocked', status: 'disabled' });
  assert.deepEqual(adBindVerdict(ad('701')), { outcome: 'blocked', status: 'disabled' });
  assert.deepEqual(adBindVerdict(ad('773')), { outcome: 'correct', mustChangePassword: true });
  assert.deepEqual(adBindVerdict(ad('775')), { outcome: 'blocked', status: 'locked' });
});

test('other builds\' DSIDs and versions, upper-case hex, and Samba AD\'s wording read the same', () => {
  assert.deepEqual(adBindVerdict(ad('52E', '0C0903A9', 'v1db1')), { outcome: 'wrong' });
  assert.deepEqual(adBindVerdict(ad('775', '0C09030B', 'v893')), { outcome: 'blocked', status: 'locked' });
  assert.deepEqual(adBindVerdict('80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1 Code: 0x31'), { outcome: 'wrong' });
});

test('an AD code not in the table is a wrong password (result 49 says so); no AD format is undefined', () => {
  assert.deepEqual(adBindVerdict(ad('568')), { outcome: 'wrong' });
  assert.equal(adBindVerdict(''), undefined);
  assert.equal(adBindVerdict(' Code: 0x31'), undefined); // slapd: no diagnostic text
  assert.equal(adBindVerdict('data 775'), undefined); // not after AD's comment: someone else's text
  assert.equal(adBindVerdict(`${'x'.repeat(2000)}AcceptSecurityContext error, data 775,`), undefined); // only the first 1 KiB is read
});

test('the verdict from an AD 49: 532/773 are correct but must change, 775 is blocked whatever was typed, 525 unknown', () => {
  const entry = { dn: 'CN=Ada,OU=Users,DC=corp,DC=example,DC=org', legacyId: '35918bc9-196d-40ea-9779-889d79b753f0', locked: false, disabled: false };
  const bind = (code: string) => ({ kind: 'invalid-credentials' as const, diagnosticMessage: ad(code), policy: null });
  assert.deepEqual(verdictOf(bind('52e'), entry), { outcome: 'wrong', legacyId: entry.legacyId });
  assert.deepEqual(verdictOf(bind('532'), entry), { outcome: 'correct', legacyId: entry.legacyId, mustChangePassword: true });
  assert.deepEqual(verdictOf(bind('773'), entry), { outcome: 'correct', legacyId: entry.legacyId, mustChangePassword: true });
  assert.deepEqual(verdictOf(bind('773'), { ...entry, disabled: true }), { outcome: 'blocked', legacyId: entry.legacyId, status: 'disabled' });
  assert.deepEqual(verdictOf(bind('775'), entry), { outcome: 'blocked', legacyId: entry.legacyId, status: 'locked' });
  assert.deepEqual(verdictOf(bind('533'), entry), { outcome: 'blocked', legacyId: entry.legacyId, status: 'disabled' });
  assert.deepEqual(verdictOf(bind('525'), null), { outcome: 'unknown' });
});
