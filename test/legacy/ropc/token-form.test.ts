import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CANARY_PASSWORDS } from '../../support/canaries.js';
import { checkOnce, CLIENT_ID, USERNAME } from './fixtures.js';
import { json, startStandIn, type StandIn } from './stand-in.js';

/** The form actually received by a real server, field by field, for each provider shape. */
describe('the exact password-grant form the store sends', () => {
  let standIn: StandIn;
  before(async () => {
    standIn = await startStandIn(json(200, { access_token: 'opaque', token_type: 'Bearer', expires_in: 3600 }));
  });
  after(() => standIn.close());

  const lastRequest = () => standIn.requests.at(-1)!;

  test("Azure AD B2C: Microsoft's documented fields, in its order, with response_type and scope `openid {clientId}`", async () => {
    // https://learn.microsoft.com/en-us/azure/active-directory-b2c/add-ropc-policy#test-the-ropc-flow
    const path = '/fabrikamb2c.onmicrosoft.com/B2C_1_ROPC_Auth/oauth2/v2.0/token';
    await checkOnce(`${standIn.origin}${path}`);
    const request = lastRequest();
    assert.equal(request.method, 'POST');
    assert.equal(request.path, path);
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(request.headers.accept, 'application/json');
    const form = new URLSearchParams(request.body);
    assert.deepEqual([...form.keys()], ['username', 'password', 'grant_type', 'scope', 'client_id', 'response_type']);
    assert.equal(form.get('username'), USERNAME);
    assert.ok(form.get('password') === CANARY_PASSWORDS.correct, 'the password is sent as typed');
    assert.equal(form.get('grant_type'), 'password');
    assert.equal(form.get('scope'), `openid ${CLIENT_ID}`);
    assert.equal(form.get('client_id'), CLIENT_ID);
    assert.equal(form.get('response_type'), 'token id_token');
    // Spaces as `+`, exactly as the documented raw request shows them.
    assert.match(request.body, new RegExp(`&scope=openid\\+${CLIENT_ID}&client_id=${CLIENT_ID}&response_type=token\\+id_token$`));
  });

  test('the B2C `?p=` form of the URL is recognized too', async () => {
    await checkOnce(`${standIn.origin}/fabrikamb2c.onmicrosoft.com/oauth2/v2.0/token?p=B2C_1_ROPC_Auth`);
    assert.equal(lastRequest().path, '/fabrikamb2c.onmicrosoft.com/oauth2/v2.0/token?p=B2C_1_ROPC_Auth');
    assert.equal(new URLSearchParams(lastRequest().body).get('response_type'), 'token id_token');
  });

  test('Keycloak (a confidential client): no response_type, scope openid, client_secret in the body', async () => {
    await checkOnce(`${standIn.origin}/realms/legacy/protocol/openid-connect/token`, { settings: { clientSecret: 's3cr3t-value' } });
    const form = new URLSearchParams(lastRequest().body);
    assert.deepEqual([...form.keys()], ['username', 'password', 'grant_type', 'scope', 'client_id', 'client_secret']);
    assert.equal(form.get('scope'), 'openid');
    assert.equal(form.get('client_secret'), 's3cr3t-value');
  });

  test('Entra, Auth0, Okta: the scope from LEGACY_ROPC_SCOPE, no response_type', async () => {
    for (const path of ['/contoso.onmicrosoft.com/oauth2/v2.0/token', '/oauth/token', '/oauth2/default/v1/token']) {
      await checkOnce(`${standIn.origin}${path}`, { settings: { scope: 'openid profile' } });
      const form = new URLSearchParams(lastRequest().body);
      assert.equal(form.get('scope'), 'openid profile', path);
      assert.equal(form.get('response_type'), null, path);
      assert.equal(form.get('client_secret'), null, path);
    }
  });

  test('a password with form-significant characters arrives unchanged (percent-encoded, UTF-8)', async () => {
    const password = `${CANARY_PASSWORDS.unicode}&grant_type=client_credentials+=%`;
    await checkOnce(`${standIn.origin}/oauth/token`, { password });
    const form = new URLSearchParams(lastRequest().body);
    assert.ok(form.get('password') === password);
    assert.deepEqual(form.getAll('grant_type'), ['password']);
  });

  test('an empty password, or a sign-in name with control characters, is never sent', async () => {
    const before = standIn.requests.length;
    assert.deepEqual(await checkOnce(`${standIn.origin}/oauth/token`, { password: '' }), { outcome: 'wrong', legacyId: null });
    for (const username of ['ada\u0000@example.com', 'ada@example.com\r\nX-Injected: 1', '', 'a'.repeat(1025)]) {
      assert.deepEqual(await checkOnce(`${standIn.origin}/oauth/token`, { username }), { outcome: 'unknown' });
    }
    assert.equal(standIn.requests.length, before);
  });
});
