import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LegacyDirectory } from '../../../src/legacy/legacy-directory.js';
import { openLdapDirectory } from '../../../src/legacy/stores/ldap/index.js';
import { skipUnlessSlapd, startSlapd, type Slapd } from '../../support/slapd.js';
import { ADA_UUID, PEOPLE_LDIF, searchSettings, socketsLeftTo, storeError, templateSettings } from './directory.js';

const skip = skipUnlessSlapd();
const bounds = (ms = 2000) => ({ abortSignal: new AbortController().signal, deadlineAt: Date.now() + ms });

describe('LDAP store asked by e-mail (sign-up), against slapd', { skip }, () => {
  let slapd: Slapd;
  let directory: LegacyDirectory;

  before(async () => {
    slapd = await startSlapd({ entries: PEOPLE_LDIF });
    directory = await openLdapDirectory(searchSettings(slapd));
  });
  after(async () => {
    await directory?.close();
    await slapd?.stop();
  });

  test('the entry owning the address, with its id and profile (cn stands in for a missing displayName, sn is the surname)', async () => {
    assert.deepEqual(await directory.findByEmail('ada@example.org', bounds()), { legacyId: ADA_UUID, status: 'active', profile: { displayName: 'ada', surname: 'Test' } });
  });

  test('no entry, or two entries with the same mail: null, never a guess', async () => {
    assert.equal(await directory.findByEmail('nobody@example.org', bounds()), null);
    assert.equal(await directory.findByEmail('twin@example.org', bounds()), null);
  });

  test('filter metacharacters in the address are escaped: "*" finds nobody', async () => {
    assert.equal(await directory.findByEmail('*', bounds()), null);
    assert.equal(await directory.findByEmail('*)(uid=ada', bounds()), null);
    assert.equal(await directory.findByEmail('ada@example.org\u0000', bounds()), null);
  });

  test('an AD-disabled entry is blocked', async () => {
    assert.equal((await directory.findByEmail('disabled', bounds()))?.status, 'blocked');
  });

  test('an abort rejects with its reason and leaves no socket behind', async () => {
    const abort = new AbortController();
    const reason = new Error('deadline');
    abort.abort(reason);
    await assert.rejects(directory.findByEmail('ada@example.org', { abortSignal: abort.signal, deadlineAt: Date.now() + 2000 }), (error) => error === reason);
  });

  test('a direct-bind (DN template) configuration cannot look an address up: MISCONFIGURED naming the setting', async () => {
    await assert.rejects(openLdapDirectory(templateSettings(slapd)), storeError('LEGACY_STORE_MISCONFIGURED', /SIGNUP_COLLISION=off/));
  });

  test('closing releases every connection', async () => {
    const closing = await openLdapDirectory(searchSettings(slapd));
    await closing.findByEmail('ada@example.org', bounds());
    assert.notDeepEqual(await socketsLeftTo(slapd.url, 0), [], 'the pool holds a connection while open');
    await directory.close();
    await closing.close();
    assert.deepEqual(await socketsLeftTo(slapd.url), [], 'no socket left to slapd by the closed directory');
  });
});
