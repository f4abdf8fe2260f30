import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { CalloutErrorCode, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { startStubExtension, type StubExtension } from './stub-extension.js';

const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const FLAG = `extension_${APP_ID.replace(/-/g, '')}_toBeMigrated`;

describe('emulator', () => {
  let emulator: RunningEmulator;
  let stub: StubExtension;
  let userCount = 0;

  /** A fresh flagged user, so every test starts from phase 1. */
  const flaggedUser = async (flag = true) => {
    const email = `user${++userCount}@contoso.example`;
    await emulator.directory.createUser({
      displayName: `User ${userCount}`,
      mail: email,
      identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: email }],
      password: 'Random-Initial-Password-1!',
      extensionAttributes: { [FLAG]: flag },
    });
    return email;
  };
  const signIn = async (username: string, password: string, locale?: string) => {
    const response = await fetch(`${emulator.url}/api/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password, ...(locale && { locale }) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const flagOf = (email: string) => emulator.directory.getExtensionAttributes(emulator.directory.findUserBySignInName(email)!.id)[FLAG];

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    stub = await startStubExtension();
    emulator.configureExtension({ targetUrl: stub.url, appId: APP_ID, encryptionCertificatePem: stub.key.certificatePem, timeoutInMs: 500, maximumRetries: 1 });
  });
  after(async () => {
    await emulator.close();
    await stub.close();
  });
  beforeEach(() => {
    stub.behaviour = { kind: 'answer', action: 'MigratePassword' };
    stub.received.length = 0;
  });

  test('serves OpenID metadata whose JWKS verifies the callout tokens, with the claims Entra puts in them', async () => {
    const metadata = (await (await fetch(emulator.openIdConfigurationUrl)).json()) as { issuer: string; jwks_uri: string };
    assert.equal(metadata.issuer, `https://${emulator.tenant.tenantId}.ciamlogin.com/${emulator.tenant.tenantId}/v2.0`);
    await signIn(await flaggedUser(), CANARY_PASSWORDS.correct);
    const token = stub.received[0]!.authorization!.replace(/^Bearer /, '');
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(metadata.jwks_uri)), {
      issuer: metadata.issuer,
      audience: APP_ID,
      algorithms: ['RS256'],
    });
    assert.equal(protectedHeader.kid, emulator.tenant.signingKey().kid);
    assert.equal(payload.azp, '99045fe1-7639-4a75-9d4a-577b6ca3810f');
    assert.equal(payload.tid, emulator.tenant.tenantId);
    assert.equal(payload.ver, '2.0');
  });

  test('the request body and the encrypted context have the documented shape', async () => {
    const email = await flaggedUser();
    await signIn(email, CANARY_PASSWORDS.correct, 'fr-FR');
    const { body, header, claims } = stub.received[0]!;
    assert.equal(body.type, 'microsoft.graph.authenticationEvent.passwordSubmit');
    assert.equal(body.data['@odata.type'], 'microsoft.graph.onPasswordSubmitCalloutData');
    assert.equal(body.data.tenantId, emulator.tenant.tenantId);
    assert.equal(body.data.authenticationContext.client.locale, 'fr-FR');
    assert.equal(body.data.authenticationContext.user.mail, email);
    assert.deepEqual(Object.keys(header).sort(), ['alg', 'enc', 'x5t', 'zip']);
    assert.deepEqual({ alg: header.alg, enc: header.enc, zip: header.zip, x5t: header.x5t }, { alg: 'RSA-OAEP', enc: 'A128CBC-HS256', zip: 'DEF', x5t: stub.key.x5t });
    assert.equal(claims['user-password'], CANARY_PASSWORDS.correct);
    assert.equal(claims.username, email);
    assert.equal(claims.aud, APP_ID);
    // api://{hostname}/{appId}: the target URL's host name, never its port (the stub listens on one).
    assert.ok(new URL(stub.url).port);
    assert.equal(claims.iss, `api://${new URL(stub.url).hostname}/${APP_ID}`);
    assert.equal(Number(claims.exp) - Number(claims.iat), 600);
  });

  test('MigratePassword stores the password and clears the flag; the next sign-in makes no callout', async () => {
    const email = await flaggedUser();
    assert.deepEqual((await signIn(email, CANARY_PASSWORDS.correct)).body, { outcome: 'signed-in', migrated: true });
    assert.equal(flagOf(email), false);
    const callouts = emulator.calloutCount();
    assert.deepEqual((await signIn(email, CANARY_PASSWORDS.correct)).body, { outcome: 'signed-in', migrated: false });
    assert.equal(emulator.calloutCount(), callouts);
  });

  test('a flagged user whose password already matches (a reset) signs in without a callout and is marked migrated', async () => {
    const email = await flaggedUser();
    assert.deepEqual((await signIn(email, 'Random-Initial-Password-1!')).body, { outcome: 'signed-in', migrated: false });
    assert.equal(stub.received.length, 0);
    assert.equal(flagOf(email), false);
  });

  test('without the flag, a wrong password is refused without a callout', async () => {
    const email = await flaggedUser(false);
    assert.equal((await signIn(email, CANARY_PASSWORDS.wrong)).body.outcome, 'invalid-credentials');
    assert.equal(stub.received.length, 0);
    assert.equal((await signIn('nobody@contoso.example', CANARY_PASSWORDS.wrong)).body.outcome, 'invalid-credentials');
  });

  test('Retry and Block carry the extension\'s texts', async () => {
    stub.behaviour = { kind: 'answer', action: 'Retry', message: 'Nope.' };
    assert.deepEqual((await signIn(await flaggedUser(), CANARY_PASSWORDS.wrong)).body, { outcome: 'invalid-credentials', message: 'Nope.' });
    stub.behaviour = { kind: 'answer', action: 'Block', title: 'Locked', message: 'Call us.' };
    assert.deepEqual((await signIn(await flaggedUser(), CANARY_PASSWORDS.correct)).body, { outcome: 'blocked', title: 'Locked', message: 'Call us.' });
  });

  test('UpdatePassword: a single-use state, the policy enforced, then migrated', async () => {
    stub.behaviour = { kind: 'answer', action: 'UpdatePassword' };
    const email = await flaggedUser();
    const { body } = await signIn(email, CANARY_PASSWORDS.weak);
    assert.equal(body.outcome, 'password-change-required');
    const change = async (state: string, newPassword: string) => {
      const response = await fetch(`${emulator.url}/api/change-password`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state, newPassword }) });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };
    assert.deepEqual(await change(body.state, 'weakweak'), { status: 400, body: { outcome: 'password-rejected', reason: 'too-few-character-classes' } });
    assert.equal(flagOf(email), true);
    assert.deepEqual(await change(body.state, CANARY_PASSWORDS.correct), { status: 200, body: { outcome: 'signed-in', migrated: true } });
    assert.equal(flagOf(email), false);
    assert.deepEqual(await change(body.state, CANARY_PASSWORDS.correct), { status: 400, body: { outcome: 'state-invalid' } });
    assert.deepEqual(await change('made-up', CANARY_PASSWORDS.correct), { status: 400, body: { outcome: 'state-invalid' } });
  });

  const failures: Array<[string, () => void, number, number]> = [
    ['HTTP 500 (retried once)', () => (stub.behaviour = { kind: 'status', status: 500 }), CalloutErrorCode.INVALID_HTTP_STATUS, 2],
    ['HTTP 401 (not retried)', () => (stub.behaviour = { kind: 'status', status: 401 }), CalloutErrorCode.INVALID_HTTP_STATUS, 1],
    ['text/plain', () => (stub.behaviour = { kind: 'content-type', contentType: 'text/plain' }), CalloutErrorCode.INVALID_CONTENT_TYPE, 1],
    ['a body of the wrong shape', () => (stub.behaviour = { kind: 'body', body: { data: { actions: 'MigratePassword' } } }), CalloutErrorCode.INVALID_RESPONSE_BODY, 1],
    ['another nonce', () => (stub.behaviour = { kind: 'wrong-nonce' }), CalloutErrorCode.INVALID_RESPONSE_BODY, 1],
    ['two actions', () => (stub.behaviour = { kind: 'answer', action: 'MigratePassword', actions: 2 }), CalloutErrorCode.INVALID_ACTION_COUNT, 1],
    ['no action', () => (stub.behaviour = { kind: 'answer', action: 'MigratePassword', actions: 0 }), CalloutErrorCode.INVALID_ACTION_COUNT, 1],
    ['an unknown action', () => (stub.behaviour = { kind: 'answer', action: 'Allow' }), CalloutErrorCode.INVALID_ACTION_TYPE, 1],
    ['a timeout (retried once)', () => (stub.behaviour = { kind: 'slow', delayInMs: 800 }), CalloutErrorCode.TIMEOUT, 2],
  ];
  for (const [what, arrange, errorCode, attempts] of failures) {
    test(`an extension answering with ${what} fails the sign-in with ${errorCode}`, async () => {
      arrange();
      const email = await flaggedUser();
      const { body } = await signIn(email, CANARY_PASSWORDS.correct);
      assert.equal(body.outcome, 'extension-error');
      assert.equal(body.errorCode, errorCode);
      assert.equal(body.aadsts, 'AADSTS1100001');
      assert.equal(stub.received.length, attempts);
      assert.equal(flagOf(email), true, 'nothing migrated');
    });
  }

  test('an unreachable extension is 1003001 after one retry', async () => {
    const other = await startEmulator({ port: 0 });
    try {
      other.configureExtension({ targetUrl: 'http://127.0.0.1:1/events/password-submit', appId: APP_ID, encryptionCertificatePem: stub.key.certificatePem });
      const email = 'someone@contoso.example';
      await other.directory.createUser({ displayName: 'x', identities: [{ signInType: 'emailAddress', issuer: other.tenant.domain, issuerAssignedId: email }], password: 'Random-Initial-Password-1!', extensionAttributes: { [FLAG]: true } });
      assert.equal((await other.signIn.signIn({ username: email, password: CANARY_PASSWORDS.correct })).outcome, 'extension-error');
    } finally {
      await other.close();
    }
  });

  test('the result page escapes what the extension says', async () => {
    stub.behaviour = { kind: 'answer', action: 'Block', title: '<script>alert(1)</script>', message: '"><img src=x onerror=alert(1)>' };
    const email = await flaggedUser();
    const response = await fetch(`${emulator.url}/signin`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: email, password: CANARY_PASSWORDS.correct }) });
    const html = await response.text();
    assert.ok(!html.includes('<script>alert'), 'no live script');
    assert.ok(!html.includes('<img src=x'), 'no live tag');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  });

  test('the pages speak in sentences, keep the locale in their links, and answer unknown addresses with an HTML 404', async () => {
    stub.behaviour = { kind: 'answer', action: 'UpdatePassword' };
    const email = await flaggedUser();
    const form = (path: string, fields: Record<string, string>) => fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
    const update = await (await form('/signin', { username: email, password: CANARY_PASSWORDS.weak, locale: 'fr-fr' })).text();
    const state = /name="state" value="([^"]+)"/.exec(update)![1]!;
    assert.match(update, /name="locale" value="fr-fr"/);
    const rejected = await form('/change-password', { state, newPassword: 'short', locale: 'fr-fr' });
    const rejectedPage = await rejected.text();
    assert.equal(rejected.status, 400);
    assert.doesNotMatch(rejectedPage, /too-short|\(too|character-classes/, 'no internal code');
    assert.match(rejectedPage, /It is too short: use at least 8 characters\./);
    assert.match(rejectedPage, /href="\/\?locale=fr-fr"/);

    stub.behaviour = { kind: 'answer', action: 'Block' };
    const blocked = await (await form('/signin', { username: await flaggedUser(), password: CANARY_PASSWORDS.correct, locale: 'de-de' })).text();
    assert.match(blocked, /<a href="\/\?locale=de-de">Back<\/a>/);
    const home = await (await fetch(`${emulator.url}/?locale=de-de`)).text();
    assert.match(home, /<option value="de-de" selected>/);
    assert.doesNotMatch(await (await fetch(`${emulator.url}/?locale=%22%3E%3Cscript%3E`)).text(), /<script>/);

    const missing = await fetch(`${emulator.url}/no-such-page?locale=es-es`);
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type')!, /^text\/html/);
    const missingPage = await missing.text();
    assert.match(missingPage, /Page not found/);
    assert.match(missingPage, /href="\/\?locale=es-es"/);
    const api = await fetch(`${emulator.url}/api/no-such-thing`);
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type')!, /^application\/json/);
    assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
    const graphPath = await fetch(`${emulator.url}/v1.0/no-such-thing`);
    assert.equal(graphPath.status, 404);
    assert.match(graphPath.headers.get('content-type')!, /^application\/json/);
    const tooLarge = await form('/signin', { username: 'a@b.c', password: 'x'.repeat(20_000) });
    assert.equal(tooLarge.status, 413);
    assert.match(tooLarge.headers.get('content-type')!, /^text\/html/);
  });

  test('/api/users pages as Graph does, with @odata.nextLink, and never stops silently at 1,000', async () => {
    for (let i = 0; i < 12; i++) await flaggedUser();
    const total = emulator.directory.countUsers();
    const seen = new Set<string>();
    let next: string | undefined = `${emulator.url}/api/users?$top=5`;
    while (next) {
      const page = (await (await fetch(next)).json()) as { value: Array<{ id: string; extensionAttributes: Record<string, unknown> }>; '@odata.nextLink'?: string };
      assert.ok(page.value.length <= 5);
      for (const user of page.value) seen.add(user.id);
      next = page['@odata.nextLink'];
    }
    assert.equal(seen.size, total);
    const all = (await (await fetch(`${emulator.url}/api/users`)).json()) as { value: unknown[]; '@odata.nextLink'?: string };
    assert.equal(all.value.length, Math.min(total, 100));
    assert.equal((await fetch(`${emulator.url}/api/users?$top=1000`)).status, 400);
  });

  test('the JSON API refuses malformed, oversized and hostile input with 400/413', async () => {
    const call = (body: string, contentType = 'application/json') => fetch(`${emulator.url}/api/sign-in`, { method: 'POST', headers: { 'content-type': contentType }, body });
    for (const body of ['{', '[]', '{}', '{"username": 1, "password": "x"}', '{"username": "a", "password": ""}', '{"username": "a", "password": "b", "locale": "<script>"}', '{"__proto__": {"x": 1}}']) {
      assert.equal((await call(body)).status, 400, body);
    }
    assert.equal((await call(JSON.stringify({ username: 'a', password: 'x'.repeat(20_000) }))).status, 413);
  });

  test('the user list shows flags and never a password', async () => {
    const listing = await (await fetch(`${emulator.url}/api/users`)).text();
    assert.match(listing, new RegExp(FLAG));
    assert.ok(!/password/i.test(listing.replace(/"passwordPolicies"/g, '')), 'no password field');
  });

  test('extension settings are validated as Graph would', () => {
    const settings = { targetUrl: stub.url, appId: APP_ID, encryptionCertificatePem: stub.key.certificatePem };
    assert.throws(() => emulator.configureExtension({ ...settings, targetUrl: 'http://example.com/x' }), /https/);
    assert.throws(() => emulator.configureExtension({ ...settings, timeoutInMs: 5000 }), /200–2000/);
    assert.throws(() => emulator.configureExtension({ ...settings, maximumRetries: 3 }), /0 or 1/);
    assert.throws(() => emulator.configureExtension({ ...settings, appId: 'not-a-guid' }), /GUID/);
    emulator.configureExtension({ ...settings, timeoutInMs: 500 });
  });

  test('the directory refuses a second user with the same identity, case-insensitively', async () => {
    const email = await flaggedUser();
    await assert.rejects(
      emulator.directory.createUser({ displayName: 'Twin', identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: email.toUpperCase() }], password: 'Random-Initial-Password-1!' }),
      /already exists/,
    );
  });
});
