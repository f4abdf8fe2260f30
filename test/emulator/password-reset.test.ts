import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { startStubExtension, type StubExtension } from './stub-extension.js';

const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const FLAG = `extension_${APP_ID.replace(/-/g, '')}_toBeMigrated`;
const START = Date.parse('2026-03-01T10:00:00Z');

describe('emulator password reset ("Forgot password?")', () => {
  let emulator: RunningEmulator;
  let stub: StubExtension;
  let clock = START;
  let count = 0;

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const form = async (path: string, fields: Record<string, string>) => {
    const response = await fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
    return { status: response.status, html: await response.text() };
  };
  const flaggedUser = async () => {
    const email = `reset${++count}@contoso.example`;
    const user = await emulator.directory.createUser({
      displayName: `User ${count}`,
      mail: email,
      identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: email }],
      password: 'Random-Initial-Password-1!',
      extensionAttributes: { [FLAG]: true },
    });
    return { email, id: user.id };
  };
  /** e-mail → code → the state for the new password. */
  const verified = async (email: string) => {
    const sent = await post('/api/password-reset/start', { email });
    assert.equal(sent.body.outcome, 'code-sent');
    const checked = await post('/api/password-reset/verify', { verificationId: sent.body.verificationId, code: sent.body.code });
    assert.equal(checked.body.outcome, 'new-password-required');
    return checked.body.state as string;
  };

  before(async () => {
    emulator = await startEmulator({ port: 0, now: () => clock });
    stub = await startStubExtension();
    emulator.configureExtension({ targetUrl: stub.url, appId: APP_ID, encryptionCertificatePem: stub.key.certificatePem, timeoutInMs: 500 });
  });
  after(async () => {
    await emulator.close();
    await stub.close();
  });
  beforeEach(() => {
    stub.received.length = 0;
    clock = START;
  });

  test('sets the new password without calling the extension and updates lastPasswordChangeDateTime; the flagged user then signs in without a callout and is marked migrated', async () => {
    const { email, id } = await flaggedUser();
    assert.equal(emulator.directory.getUser(id)!.lastPasswordChangeDateTime, '2026-03-01T10:00:00Z');
    const state = await verified(email);
    clock += 5 * 60_000;
    assert.deepEqual((await post('/api/password-reset/password', { state, newPassword: CANARY_PASSWORDS.correct })).body, { outcome: 'password-reset', email });
    assert.equal(stub.received.length, 0, 'the reset calls no extension');
    assert.equal(emulator.directory.getUser(id)!.lastPasswordChangeDateTime, '2026-03-01T10:05:00Z');
    assert.equal(emulator.directory.getExtensionAttributes(id)[FLAG], true, 'the flag stays until the next sign-in');
    assert.deepEqual(await emulator.signIn.signIn({ username: email, password: CANARY_PASSWORDS.correct }), { outcome: 'signed-in', migrated: false });
    assert.equal(stub.received.length, 0, 'the sign-in with the new password calls no extension');
    assert.equal(emulator.directory.getExtensionAttributes(id)[FLAG], false, 'Entra marks the user migrated on that sign-in');
    assert.equal(emulator.calloutCount(), 0);
  });

  test('a code expires after 10 minutes and is never valid twice; the new-password state is single-use', async () => {
    const { email } = await flaggedUser();
    const sent = (await post('/api/password-reset/start', { email })).body;
    clock += 10 * 60_000;
    assert.equal((await post('/api/password-reset/verify', { verificationId: sent.verificationId, code: sent.code })).body.reason, 'expired');
    const again = (await post('/api/password-reset/start', { email })).body;
    clock += 9 * 60_000;
    const checked = (await post('/api/password-reset/verify', { verificationId: again.verificationId, code: again.code })).body;
    assert.equal(checked.outcome, 'new-password-required');
    assert.equal((await post('/api/password-reset/verify', { verificationId: again.verificationId, code: again.code })).body.reason, 'unknown');
    assert.equal((await post('/api/password-reset/password', { state: checked.state, newPassword: CANARY_PASSWORDS.correct })).body.outcome, 'password-reset');
    assert.deepEqual((await post('/api/password-reset/password', { state: checked.state, newPassword: CANARY_PASSWORDS.unicode })).body, { outcome: 'state-invalid' });
  });

  test("a password against Entra's policy is refused and the same state may try again", async () => {
    const { email, id } = await flaggedUser();
    const state = await verified(email);
    const refused = (await post('/api/password-reset/password', { state, newPassword: CANARY_PASSWORDS.weak })).body;
    assert.deepEqual(refused, { outcome: 'password-rejected', state, reason: 'too-few-character-classes' });
    assert.equal(await emulator.directory.checkPassword(id, CANARY_PASSWORDS.weak), false);
    assert.equal((await post('/api/password-reset/password', { state, newPassword: CANARY_PASSWORDS.correct })).body.outcome, 'password-reset');
  });

  test('an address no account holds, or a disabled account, gets no code', async () => {
    assert.equal((await post('/api/password-reset/start', { email: 'nobody@contoso.example' })).body.outcome, 'user-not-found');
    const email = `disabled${++count}@contoso.example`;
    await emulator.directory.createUser({ displayName: 'Off', identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: email }], password: 'Random-Initial-Password-1!', accountEnabled: false });
    assert.equal((await post('/api/password-reset/start', { email })).body.outcome, 'user-not-found');
  });

  test('hostile input on the API: malformed JSON, wrong types, oversized bodies', async () => {
    assert.equal((await post('/api/password-reset/start', '{"email"')).status, 400);
    assert.equal((await post('/api/password-reset/start', { email: { $ne: '' } })).status, 400);
    assert.equal((await post('/api/password-reset/start', { email: 'not an address' })).body.outcome, 'email-invalid');
    assert.equal((await post('/api/password-reset/verify', { verificationId: 1, code: '1' })).status, 400);
    assert.equal((await post('/api/password-reset/password', { state: 'x', newPassword: 'y'.repeat(2000) })).status, 400);
    assert.equal((await post('/api/password-reset/password', { state: 'x', newPassword: 'y'.repeat(20_000) })).status, 413);
    assert.deepEqual((await post('/api/password-reset/password', { state: 'never-issued', newPassword: CANARY_PASSWORDS.correct })).body, { outcome: 'state-invalid' });
  });

  test('the pages: the sign-in page links to them, the code is shown, a mismatch is caught, and the reset completes', async () => {
    const signInPage = await (await fetch(`${emulator.url}/`)).text();
    assert.match(signInPage, /href="\/reset-password"/);
    assert.match(signInPage, /href="\/signup"/);
    assert.match(await (await fetch(`${emulator.url}/reset-password`)).text(), /<form method="post" action="\/reset-password">/);
    const { email, id } = await flaggedUser();
    const sent = await form('/reset-password', { email });
    const code = /id="one-time-code">(\d{8})</.exec(sent.html)![1]!;
    const verificationId = /name="verificationId" value="([^"]+)"/.exec(sent.html)![1]!;
    const chosen = await form('/reset-password/verify', { verificationId, code });
    const state = /name="state" value="([^"]+)"/.exec(chosen.html)![1]!;
    const mismatch = await form('/reset-password/password', { state, newPassword: CANARY_PASSWORDS.correct, confirmPassword: CANARY_PASSWORDS.unicode });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.html, /The passwords do not match/);
    const done = await form('/reset-password/password', { state, newPassword: CANARY_PASSWORDS.correct, confirmPassword: CANARY_PASSWORDS.correct });
    assert.match(done.html, /Your password has been reset/);
    assert.equal(await emulator.directory.checkPassword(id, CANARY_PASSWORDS.correct), true);
    assert.equal((await form('/reset-password', { email: 'x'.repeat(300) })).status, 400);
  });
});
