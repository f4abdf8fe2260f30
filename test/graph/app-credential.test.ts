import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startEmulator } from '../../src/emulator/index.js';
import { appCredential, GraphErrorCode } from '../../src/graph/index.js';

const TENANT = '00001111-aaaa-2222-bbbb-3333cccc4444';
const CLIENT = '11111111-2222-4333-8444-555555555555';

describe('app credential choice', () => {
  test('a loopback authority gets our client-credentials credential, which works against the emulator', async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      emulator.registerClientApp(CLIENT, 'loopback-secret');
      const { kind, credential } = appCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: CLIENT, clientSecret: 'loopback-secret' });
      assert.equal(kind, 'client-secret (loopback)');
      const token = await credential.getToken('https://graph.microsoft.com/.default');
      assert.ok(token.token.length > 20);
      assert.ok(token.expiresOnTimestamp > Date.now());
    } finally {
      await emulator.close();
    }
    for (const host of ['http://localhost:7080', 'http://127.0.0.2:1', 'http://[::1]:7080']) {
      assert.equal(appCredential({ authorityHost: host, tenantId: TENANT, clientId: CLIENT, clientSecret: 's' }).kind, 'client-secret (loopback)', host);
    }
    assert.throws(() => appCredential({ authorityHost: 'http://127.0.0.1:7080', tenantId: TENANT, clientId: CLIENT }), (error: { code?: string }) => error.code === GraphErrorCode.AUTH_FAILED);
  });

  test('a real authority gets @azure/identity: a secret, else a certificate, else a managed identity', () => {
    const authorityHost = 'https://login.microsoftonline.com';
    assert.equal(appCredential({ authorityHost, tenantId: TENANT, clientId: CLIENT, clientSecret: 's' }).kind, 'client-secret');
    assert.equal(appCredential({ authorityHost, tenantId: TENANT, clientId: CLIENT, certificatePath: '/nowhere/app.pem' }).kind, 'client-certificate');
    assert.equal(appCredential({ authorityHost, tenantId: TENANT, clientId: CLIENT }).kind, 'managed-identity');
    assert.equal(appCredential({ authorityHost, tenantId: TENANT }).kind, 'managed-identity');
    assert.throws(() => appCredential({ authorityHost, tenantId: TENANT, clientSecret: 's' }), /needs the client id/);
  });

  test('an @azure/identity failure is GRAPH_AUTH_FAILED without the secret', async () => {
    const { credential } = appCredential({ authorityHost: 'https://login.microsoftonline.com', tenantId: TENANT, clientId: CLIENT, certificatePath: '/nowhere/app.pem' });
    await assert.rejects(credential.getToken('https://graph.microsoft.com/.default'), (error: Error & { code?: string }) => {
      assert.equal(error.code, GraphErrorCode.AUTH_FAILED);
      assert.match(error.message, /Could not get a Graph token/);
      return true;
    });
  });
});
