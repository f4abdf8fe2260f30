import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openRopcAuthority, recognizeProvider } from '../../../src/legacy/stores/ropc/index.js';
import { rejectionOf, settingsFor } from './fixtures.js';
import { json, startStandIn, type StandIn, type StandInHandler } from './stand-in.js';

/** /readyz's check: the provider's OpenID metadata, or a bare connection — never a password grant. */
describe('ping', () => {
  let standIn: StandIn;
  let handler: StandInHandler = json(200, { issuer: 'https://issuer.example/' });
  before(async () => {
    standIn = await startStandIn((request, response) => handler(request, response));
  });
  after(() => standIn.close());

  const ping = async (path: string, options: { pingTimeoutInMs?: number; abortSignal?: AbortSignal } = {}) => {
    const authority = openRopcAuthority(settingsFor(`${standIn.origin}${path}`), options.pingTimeoutInMs ? { pingTimeoutInMs: options.pingTimeoutInMs } : {});
    try {
      await authority.ping(options.abortSignal ? { abortSignal: options.abortSignal } : {});
    } finally {
      await authority.close();
    }
  };

  const SHAPES: Array<[string, string, string]> = [
    ['Azure AD B2C', '/fabrikamb2c.onmicrosoft.com/B2C_1_ROPC_Auth/oauth2/v2.0/token', '/fabrikamb2c.onmicrosoft.com/B2C_1_ROPC_Auth/v2.0/.well-known/openid-configuration'],
    ['Azure AD B2C (?p=)', '/fabrikamb2c.onmicrosoft.com/oauth2/v2.0/token?p=b2c_1a_ropc', '/fabrikamb2c.onmicrosoft.com/v2.0/.well-known/openid-configuration?p=b2c_1a_ropc'],
    ['Entra ID', '/6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21/oauth2/v2.0/token', '/6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21/v2.0/.well-known/openid-configuration'],
    ['Keycloak', '/realms/legacy/protocol/openid-connect/token', '/realms/legacy/.well-known/openid-configuration'],
    ['Keycloak before 17 (/auth)', '/auth/realms/legacy/protocol/openid-connect/token', '/auth/realms/legacy/.well-known/openid-configuration'],
    ['Okta (org server)', '/oauth2/v1/token', '/.well-known/openid-configuration'],
    ['Okta (custom server)', '/oauth2/default/v1/token', '/oauth2/default/.well-known/openid-configuration'],
    ['Auth0', '/oauth/token', '/.well-known/openid-configuration'],
  ];

  for (const [provider, tokenPath, metadataPath] of SHAPES) {
    test(`${provider}: GET ${metadataPath}, and no POST`, async () => {
      handler = json(200, { issuer: 'https://issuer.example/', token_endpoint: `${standIn.origin}${tokenPath}` });
      const before = standIn.requests.length;
      await ping(tokenPath);
      const sent = standIn.requests.slice(before);
      assert.deepEqual(sent.map((request) => `${request.method} ${request.path}`), [`GET ${metadataPath}`]);
      assert.equal(sent[0]!.body, '');
    });
  }

  test('a token URL of no known shape: a connection is opened and closed, no request is sent', async () => {
    assert.equal(recognizeProvider(new URL(`${standIn.origin}/connect/token`)).metadataUrl, null);
    const requests = standIn.requests.length;
    const opened = standIn.connections.opened;
    await ping('/connect/token');
    assert.equal(standIn.connections.opened, opened + 1);
    assert.equal(standIn.requests.length, requests);
  });

  test('metadata 404 → misconfigured LEGACY_ROPC_TOKEN_URL; 500 → unavailable; not JSON → answer invalid', async () => {
    handler = json(404, { error: 'not_found' });
    let error = await rejectionOf(ping('/oauth/token'));
    assert.equal(error.code, 'LEGACY_STORE_MISCONFIGURED');
    assert.match(error.message, /LEGACY_ROPC_TOKEN_URL/);
    handler = json(500, {});
    assert.equal((await rejectionOf(ping('/oauth/token'))).code, 'LEGACY_STORE_UNAVAILABLE');
    handler = (_request, response) => { response.writeHead(200, { 'content-type': 'text/html' }); response.end('<html></html>'); };
    error = await rejectionOf(ping('/oauth/token'));
    assert.equal(error.code, 'LEGACY_ANSWER_INVALID');
  });

  test('a provider that does not answer: LEGACY_STORE_TIMEOUT after pingTimeoutInMs; an abort rejects with its reason', async () => {
    handler = () => undefined;
    const started = Date.now();
    assert.equal((await rejectionOf(ping('/oauth/token', { pingTimeoutInMs: 200 }))).code, 'LEGACY_STORE_TIMEOUT');
    assert.ok(Date.now() - started < 1000);
    const controller = new AbortController();
    const reason = new Error('shutting down');
    setTimeout(() => controller.abort(reason), 30);
    assert.equal(await rejectionOf(ping('/oauth/token', { abortSignal: controller.signal })), reason);
  });

  test('nothing listening: unavailable, for the metadata and for the bare connection', async () => {
    const gone = await startStandIn(json(200, {}));
    await gone.close();
    for (const path of ['/oauth/token', '/connect/token']) {
      const authority = openRopcAuthority(settingsFor(`${gone.origin}${path}`));
      const error = await rejectionOf(authority.ping());
      assert.equal(error.code, 'LEGACY_STORE_UNAVAILABLE', path);
      assert.match(error.message, /ECONNREFUSED/);
      await authority.close();
    }
  });
});
