import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { CANARY_PASSWORDS } from '../../support/canaries.js';
import { attempt, checkOnce, rejectionOf, settingsFor, shownText, USERNAME } from './fixtures.js';
import { json, startStandIn, type StandIn, type StandInHandler } from './stand-in.js';
import { openRopcAuthority } from '../../../src/legacy/stores/ropc/index.js';

/** Answers no provider documents: statuses, bodies too large or not JSON, odd 200s, hostile text. */
describe('answers outside the documented ones', () => {
  let standIn: StandIn;
  let handler: StandInHandler = json(200, {});
  before(async () => {
    standIn = await startStandIn((request, response) => handler(request, response));
  });
  after(() => standIn.close());
  const url = () => `${standIn.origin}/oauth/token`;

  const rejects = async (answer: StandInHandler, code: string, mention?: RegExp, absent?: string): Promise<void> => {
    handler = answer;
    const error = await rejectionOf(checkOnce(url()));
    assert.equal(error.code, code);
    if (mention) assert.match(error.message, mention);
    assert.ok(!shownText(error).includes(CANARY_PASSWORDS.correct));
    assert.ok(!shownText(error).includes(USERNAME));
    if (absent !== undefined) assert.ok(!shownText(error).includes(absent));
  };
  const html = (status: number): StandInHandler => (_request, response) => {
    response.writeHead(status, { 'content-type': 'text/html' });
    response.end('<html><body>Service Unavailable</body></html>');
  };

  test('429 without a body → unavailable', () => rejects((_q, r) => { r.writeHead(429, { 'retry-after': '10' }); r.end(); }, 'LEGACY_STORE_UNAVAILABLE', /HTTP 429/));
  test("503 with a gateway's HTML page → unavailable", () => rejects(html(503), 'LEGACY_STORE_UNAVAILABLE', /HTTP 503/));
  test('500 with an unknown JSON error → unavailable', () => rejects(json(500, { error: 'internal_failure' }), 'LEGACY_STORE_UNAVAILABLE'));
  test('400 with an unmapped error → answer invalid, never wrong', () => rejects(json(400, { error: 'invalid_request', error_description: 'Missing parameter: username' }), 'LEGACY_ANSWER_INVALID', /error invalid_request/));
  test('400 that is not JSON → answer invalid', () => rejects(html(400), 'LEGACY_ANSWER_INVALID'));
  test('404 → misconfigured, names LEGACY_ROPC_TOKEN_URL', () => rejects(html(404), 'LEGACY_STORE_MISCONFIGURED', /LEGACY_ROPC_TOKEN_URL/));
  test('401 without an OAuth error (a gateway asking for credentials) → misconfigured, names the client settings', () => rejects((_q, r) => { r.writeHead(401, { 'www-authenticate': 'Basic' }); r.end(); }, 'LEGACY_STORE_MISCONFIGURED', /LEGACY_ROPC_CLIENT_ID, LEGACY_ROPC_CLIENT_SECRET and LEGACY_ROPC_TOKEN_URL/));
  test('a redirect is not followed (the password is never re-sent elsewhere) → answer invalid', async () => {
    const count = standIn.requests.length;
    await rejects((_q, r) => { r.writeHead(302, { location: 'https://evil.example/collect' }); r.end(); }, 'LEGACY_ANSWER_INVALID', /HTTP 302/);
    assert.equal(standIn.requests.length, count + 1);
  });
  test('200 that is not JSON (a login page) → answer invalid', () => rejects((_q, r) => { r.writeHead(200, { 'content-type': 'text/html' }); r.end('<html>Sign in</html>'); }, 'LEGACY_ANSWER_INVALID'));
  test('200 with a JSON array, or an object without tokens → answer invalid', async () => {
    await rejects(json(200, [{ access_token: 'x' }]), 'LEGACY_ANSWER_INVALID');
    await rejects(json(200, { token_type: 'Bearer', access_token: '' }), 'LEGACY_ANSWER_INVALID');
  });
  test('a body announced over 64 KiB → answer invalid, unread', () => rejects((_q, r) => { r.writeHead(400, { 'content-type': 'application/json', 'content-length': String(70 * 1024) }); r.end(JSON.stringify({ error: 'invalid_grant', pad: 'x'.repeat(70 * 1024 - 40) })); }, 'LEGACY_ANSWER_INVALID', /64 KiB/));
  test('a chunked body that grows over 64 KiB → answer invalid (even a 200 with tokens)', () => rejects((_q, r) => {
      r.writeHead(200, { 'content-type': 'application/json' });
      r.write('{"access_token":"x","pad":"');
      for (let i = 0; i < 80; i += 1) r.write('y'.repeat(1024));
      r.end('"}');
    }, 'LEGACY_ANSWER_INVALID', /64 KiB/));
  test('a body of exactly 64 KiB is read', async () => {
    const prefix = '{"access_token":"x","pad":"';
    handler = json(200, `${prefix}${'z'.repeat(64 * 1024 - prefix.length - 2)}"}`);
    assert.equal((await checkOnce(url())).outcome, 'correct');
  });
  test("a hostile provider echoing the user's name and password in its description: neither reaches the error", async () => {
    await rejects(
      (request, response) => {
        const form = new URLSearchParams(request.body);
        json(400, { error: 'authentication_failed', error_description: `Authentication failed for ${form.get('username')} with ${form.get('password')}` })(request, response);
      },
      'LEGACY_ANSWER_INVALID',
      /error authentication_failed/,
      'Authentication failed',
    );
  });
  test('an `error` value that is not a plain token (markup, spaces, 10 KB) is ignored, not echoed', async () => {
    await rejects(json(400, { error: `<script>${'a'.repeat(10_000)}</script>` }), 'LEGACY_ANSWER_INVALID', /HTTP 400/, '<script>');
  });
  test('deeply nested JSON is parsed or refused without crashing', () => rejects(json(400, `${'['.repeat(20_000)}${']'.repeat(20_000)}`), 'LEGACY_ANSWER_INVALID'));

  describe('the legacy id of a 200', () => {
    test('an access token alone (no id token) → correct, legacy id unknown', async () => {
      handler = json(200, { access_token: 'opaque', token_type: 'Bearer' });
      assert.deepEqual(await checkOnce(url()), { outcome: 'correct', legacyId: null, mustChangePassword: false });
    });
    test("an id token with `sub` only (Keycloak, Auth0, Okta) → `sub`; with `oid` (B2C, Entra) → `oid`", async () => {
      handler = json(200, { id_token: new UnsecuredJWT({ sub: 'auth0|5f7c8ec7c33c6c004bbafe82' }).encode() });
      assert.deepEqual(await checkOnce(url()), { outcome: 'correct', legacyId: 'auth0|5f7c8ec7c33c6c004bbafe82', mustChangePassword: false });
      const signed = await new SignJWT({ oid: '7d2b1e8f-6a90-4c55-8a9e-2f0a3c1b7d21', sub: 'pairwise-sub' }).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32));
      handler = json(200, { access_token: 'x', id_token: signed });
      assert.deepEqual(await checkOnce(url()), { outcome: 'correct', legacyId: '7d2b1e8f-6a90-4c55-8a9e-2f0a3c1b7d21', mustChangePassword: false });
    });
    test("B2C custom policy's placeholder sub, an undecodable token, an oversized id → correct, legacy id unknown", async () => {
      for (const idToken of [
        new UnsecuredJWT({ sub: 'Not supported currently. Use oid claim.' }).encode(),
        'not.a.jwt',
        new UnsecuredJWT({ oid: 'x'.repeat(300) }).encode(),
        new UnsecuredJWT({ oid: 42, sub: { nested: true } } as Record<string, unknown>).encode(),
      ]) {
        handler = json(200, { access_token: 'x', id_token: idToken });
        assert.deepEqual(await checkOnce(url()), { outcome: 'correct', legacyId: null, mustChangePassword: false });
      }
    });
  });

  test('connection refused → unavailable, names LEGACY_ROPC_TOKEN_URL', async () => {
    const closed = await startStandIn(json(200, {}));
    const origin = closed.origin;
    await closed.close();
    const error = await rejectionOf(checkOnce(`${origin}/oauth/token`));
    assert.equal(error.code, 'LEGACY_STORE_UNAVAILABLE');
    assert.match(error.message, /ECONNREFUSED.*LEGACY_ROPC_TOKEN_URL/);
  });

  test('a closed store refuses checks and pings; close is idempotent', async () => {
    const authority = openRopcAuthority(settingsFor(url()));
    await authority.close();
    await authority.close();
    const check = await rejectionOf(authority.checkPassword(attempt(), { abortSignal: new AbortController().signal, deadlineAt: Date.now() + 1000 }));
    assert.equal(check.code, 'LEGACY_STORE_UNAVAILABLE');
    assert.equal((await rejectionOf(authority.ping())).code, 'LEGACY_STORE_UNAVAILABLE');
  });
});
