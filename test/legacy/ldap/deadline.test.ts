import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { LegacyStoreErrorCode } from '../../../src/legacy/index.js';
import { openLdapAuthority } from '../../../src/legacy/stores/ldap/index.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';
import { skipUnlessSlapd, startSlapd, type Slapd } from '../../support/slapd.js';
import { check, socketsLeftTo, PEOPLE_LDIF, searchSettings, storeError, templateSettings } from './directory.js';

const { correct } = CANARY_PASSWORDS;
const skip = skipUnlessSlapd();
/** How late after the deadline a rejection may come: timers and the event loop, not the directory. */
const SLACK_IN_MS = 150;

describe('LDAP store: deadline and abort against a frozen slapd (SIGSTOP)', { skip }, () => {
  let slapd: Slapd;

  before(async () => {
    slapd = await startSlapd({ entries: PEOPLE_LDIF });
  });
  afterEach(() => slapd?.resume());
  after(() => slapd?.stop());

  for (const [mode, settingsOf] of [['search then bind', searchSettings], ['direct bind', templateSettings]] as const) {
    test(`${mode}: TIMEOUT within the deadline, its sockets closed, and answers again once slapd is back`, async () => {
      const authority = await openLdapAuthority(settingsOf(slapd));
      try {
        assert.equal((await check(authority, 'ada', correct)).outcome, 'correct');
        // The count sees our sockets: the pooled service connection stays open; the user's bind connection does not.
        if (mode === 'search then bind') assert.ok((await socketsLeftTo(slapd.url, 0)).length >= 1);
        else assert.deepEqual(await socketsLeftTo(slapd.url), []);
        await slapd.pause();
        const started = Date.now();
        await assert.rejects(check(authority, 'ada', correct, { ms: 300 }), storeError(LegacyStoreErrorCode.TIMEOUT));
        const elapsed = Date.now() - started;
        assert.ok(elapsed >= 290 && elapsed < 300 + SLACK_IN_MS, `rejected after ${elapsed} ms`);
        assert.deepEqual(await socketsLeftTo(slapd.url), [], 'the stalled connection was not closed');
        await slapd.resume();
        assert.equal((await check(authority, 'ada', correct)).outcome, 'correct');
      } finally {
        await authority.close();
      }
      assert.deepEqual(await socketsLeftTo(slapd.url), []);
    });

    test(`${mode}: an abort rejects at once with the signal's reason and closes the connection`, async () => {
      const authority = await openLdapAuthority(settingsOf(slapd));
      try {
        await slapd.pause();
        const controller = new AbortController();
        const reason = new Error('the server is closing');
        const pending = check(authority, 'ada', correct, { abortSignal: controller.signal, ms: 5000 });
        setTimeout(() => controller.abort(reason), 100);
        const started = Date.now();
        await assert.rejects(pending, (error) => error === reason);
        assert.ok(Date.now() - started < 100 + SLACK_IN_MS, `rejected after ${Date.now() - started} ms`);
        assert.deepEqual(await socketsLeftTo(slapd.url), []);
      } finally {
        await authority.close();
      }
    });
  }

  test('a deadline already past or a signal already aborted: rejected before anything is sent', async () => {
    const authority = await openLdapAuthority(searchSettings(slapd, { LEGACY_LDAP_URL: 'ldap://127.0.0.1:1' }));
    try {
      await assert.rejects(check(authority, 'ada', correct, { deadlineAt: Date.now() - 1 }), storeError(LegacyStoreErrorCode.TIMEOUT));
      const controller = new AbortController();
      const reason = new Error('gone');
      controller.abort(reason);
      await assert.rejects(check(authority, 'ada', correct, { abortSignal: controller.signal }), (error) => error === reason);
    } finally {
      await authority.close();
    }
  });

  test('every service connection busy with a frozen slapd: the next check waits its turn within its own deadline', async () => {
    const authority = await openLdapAuthority(searchSettings(slapd), { serviceConnections: 1 });
    try {
      await slapd.pause();
      const first = check(authority, 'ada', correct, { ms: 400 });
      const second = check(authority, 'ada', correct, { ms: 200 });
      const started = Date.now();
      await assert.rejects(second, storeError(LegacyStoreErrorCode.TIMEOUT));
      assert.ok(Date.now() - started < 200 + SLACK_IN_MS);
      await assert.rejects(first, storeError(LegacyStoreErrorCode.TIMEOUT));
      await slapd.resume();
      assert.equal((await check(authority, 'ada', correct)).outcome, 'correct');
    } finally {
      await authority.close();
    }
    assert.deepEqual(await socketsLeftTo(slapd.url), []);
  });

  test('ping gives up after pingTimeoutInMs with TIMEOUT, and on abort with the reason', async () => {
    const authority = await openLdapAuthority(searchSettings(slapd), { pingTimeoutInMs: 200 });
    try {
      await slapd.pause();
      await assert.rejects(authority.ping(), storeError(LegacyStoreErrorCode.TIMEOUT));
      const controller = new AbortController();
      const reason = new Error('probe cancelled');
      setTimeout(() => controller.abort(reason), 20);
      await assert.rejects(authority.ping({ abortSignal: controller.signal }), (error) => error === reason);
    } finally {
      await authority.close();
    }
    assert.deepEqual(await socketsLeftTo(slapd.url), []);
  });

  test('close() during a stalled check ends it and leaves no socket', async () => {
    const authority = await openLdapAuthority(searchSettings(slapd));
    await slapd.pause();
    const pending = check(authority, 'ada', correct, { ms: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await authority.close();
    await assert.rejects(pending, storeError(LegacyStoreErrorCode.UNAVAILABLE));
    assert.deepEqual(await socketsLeftTo(slapd.url), []);
  });
});
