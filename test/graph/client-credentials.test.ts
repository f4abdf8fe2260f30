import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { appCredential, GraphErrorCode } from '../../src/graph/index.js';
import { createClientSecretCredential } from '../../src/graph/client-credentials.js';

const CLIENT = '11111111-2222-4333-8444-555555555555';
const SECRET = 'token-test-secret-value';
const WRONG_TENANT = '99998888-7777-4666-8555-444433332222';
const SCOPE = 'https://graph.microsoft.com/.default';

/** Rejects with GRAPH_AUTH_FAILED and exactly `message`, never the secret. */
const refusedWith = (message: string) => (error: Error & { code?: string; publicMessage?: string }) => {
  assert.equal(error.code, GraphErrorCode.AUTH_FAILED);
  assert.equal(error.publicMessage, message);
  assert.doesNotMatch(`${error.message} ${error.stack}`, /secret-value/);
  return true;
};

describe('client-credentials token refusals name the likely cause and the settings to check', () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(CLIENT, SECRET);
  });
  after(async () => {
    await emulator.close();
  });

  test('a token endpoint answering 404 (a tenant id the authority does not know): the tenant id, AZURE_TENANT_ID and AZURE_AUTHORITY_HOST', async () => {
    const { credential } = appCredential({ authorityHost: emulator.url, tenantId: WRONG_TENANT, clientId: CLIENT, clientSecret: SECRET });
    await assert.rejects(
      credential.getToken(SCOPE),
      refusedWith(
        `The token endpoint refused client ${CLIENT} (HTTP 404): most likely the tenant id ${WRONG_TENANT} is wrong, or ${emulator.url} is not its sign-in authority; check AZURE_TENANT_ID (or ENTRA_TENANT_ID) and AZURE_AUTHORITY_HOST.`,
      ),
    );
  });

  test("Entra's own answer for an unknown tenant (400, AADSTS90002) gets the same cause", async () => {
    // The body login.microsoftonline.com sends for a tenant that does not exist (error_description shortened).
    const fetch = async () =>
      new Response(JSON.stringify({ error: 'invalid_request', error_description: `AADSTS90002: Tenant '${WRONG_TENANT}' not found. Check to make sure you have the correct tenant ID.`, error_codes: [90002] }), {
        status: 400,
        headers: { 'content-type': 'application/json' },
      });
    const credential = createClientSecretCredential({ authorityHost: 'https://login.microsoftonline.com', tenantId: WRONG_TENANT, clientId: CLIENT, clientSecret: SECRET, fetch });
    await assert.rejects(
      credential.getToken(SCOPE),
      refusedWith(
        `The token endpoint refused client ${CLIENT} (HTTP 400, invalid_request): most likely the tenant id ${WRONG_TENANT} is wrong, or https://login.microsoftonline.com is not its sign-in authority; check AZURE_TENANT_ID (or ENTRA_TENANT_ID) and AZURE_AUTHORITY_HOST.`,
      ),
    );
  });

  test('a wrong client secret names the secret setting, not its value', async () => {
    const { credential } = appCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: CLIENT, clientSecret: 'wrong-secret-value' });
    await assert.rejects(
      credential.getToken(SCOPE),
      refusedWith(`The token endpoint refused client ${CLIENT} (HTTP 401, invalid_client): the client secret of ${CLIENT} is wrong or has expired; check AZURE_CLIENT_SECRET (or the --credentials file).`),
    );
  });

  test('a refusal with no known cause keeps the plain message', async () => {
    const fetch = async () => new Response(JSON.stringify({ error: 'temporarily_unavailable' }), { status: 503, headers: { 'content-type': 'application/json' } });
    const credential = createClientSecretCredential({ authorityHost: emulator.url, tenantId: WRONG_TENANT, clientId: CLIENT, clientSecret: SECRET, fetch });
    await assert.rejects(credential.getToken(SCOPE), refusedWith(`The token endpoint refused client ${CLIENT} (HTTP 503, temporarily_unavailable).`));
  });
});
