import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { encryptionKeyCredential, generateDecryptionKey, type GeneratedDecryptionKey } from '../../src/security/index.js';

const ADMIN = '5a1d9c3e-7b2f-4e6a-8c0d-1f2e3a4b5c6d';

describe('emulated Graph: tenant configuration objects refuse what Graph refuses', () => {
  let emulator: RunningEmulator;
  let token: string;
  let key: GeneratedDecryptionKey;
  const graph = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as Record<string, any> };
  };

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(ADMIN, 'admin-secret');
    const response = await fetch(`${emulator.url}/${emulator.tenant.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: ADMIN, client_secret: 'admin-secret', scope: 'https://graph.microsoft.com/.default' }) });
    token = ((await response.json()) as { access_token: string }).access_token;
    key = await generateDecryptionKey({ subject: 'CN=routes', validityInDays: 30 });
  });
  after(() => emulator.close());

  test('a new tenant has the b2c-extensions-app and Graph\'s service principal; filters by name and appId work, others are 400', async () => {
    const b2c = await graph('GET', `/v1.0/applications?$filter=${encodeURIComponent("startswith(displayName,'b2c-extensions-app')")}`);
    assert.equal(b2c.body.value.length, 1);
    const sp = await graph('GET', `/v1.0/servicePrincipals?$filter=${encodeURIComponent("appId eq '00000003-0000-0000-c000-000000000000'")}`);
    assert.equal(sp.body.value[0].appRoles.some((role: { value: string }) => role.value === 'CustomAuthenticationExtension.Receive.Payload'), true);
    assert.equal((await graph('GET', `/v1.0/applications?$filter=${encodeURIComponent("signInAudience eq 'x'")}`)).status, 400);
    assert.equal((await graph('GET', '/v1.0/applications/00000000-0000-4000-8000-000000000000')).status, 404);
    assert.equal((await fetch(`${emulator.url}/v1.0/applications`)).status, 401);
  });

  test('key credentials: a certificate, dates inside its validity, tokenEncryptionKeyId naming one; GET never returns the key', async () => {
    const app = (await graph('POST', '/v1.0/applications', { displayName: 'keys' })).body;
    const credential = encryptionKeyCredential(key.certificateDer);
    const refused: Array<[string, unknown]> = [
      ['not a certificate', { keyCredentials: [{ ...credential, key: Buffer.from('hello').toString('base64') }] }],
      ['end after the certificate', { keyCredentials: [{ ...credential, endDateTime: '2099-01-01T00:00:00Z' }] }],
      ['wrong usage', { keyCredentials: [{ ...credential, usage: 'Sign' }] }],
      ['keyId not a GUID', { keyCredentials: [{ ...credential, keyId: 'one' }] }],
      ['tokenEncryptionKeyId names nothing', { tokenEncryptionKeyId: '00000000-0000-4000-8000-000000000000' }],
      ['identifier URI not a URI', { identifierUris: ['contoso'] }],
      ['token version 3', { api: { requestedAccessTokenVersion: 3 } }],
    ];
    for (const [what, body] of refused) assert.equal((await graph('PATCH', `/v1.0/applications/${app.id}`, body)).status, 400, what);
    assert.equal((await graph('PATCH', `/v1.0/applications/${app.id}`, '{not json')).status, 400);
    assert.equal((await graph('PATCH', `/v1.0/applications/${app.id}`, { keyCredentials: [credential], tokenEncryptionKeyId: credential.keyId })).status, 204);
    const read = (await graph('GET', `/v1.0/applications/${app.id}`)).body;
    assert.equal(read.keyCredentials[0].key, null);
    assert.equal(read.keyCredentials[0].customKeyIdentifier, credential.customKeyIdentifier);
    // PATCH replaces the collection: a credential sent back without its key is refused; $select returns the keys.
    assert.equal((await graph('PATCH', `/v1.0/applications/${app.id}`, { keyCredentials: [{ ...read.keyCredentials[0] }] })).status, 400);
    const selected = (await graph('GET', `/v1.0/applications/${app.id}?$select=keyCredentials`)).body;
    assert.equal(selected.keyCredentials[0].key, credential.key);
    assert.equal((await graph('PATCH', `/v1.0/applications/${app.id}`, { keyCredentials: selected.keyCredentials })).status, 204);
    assert.equal(emulator.objects.applications.get(app.id)!.keyCredentials[0]!.key, credential.key);
  });

  test('extension properties, service principals and grants: duplicates and unknowns refused', async () => {
    const b2c = emulator.objects.b2cExtensionsApp;
    assert.equal((await graph('POST', `/v1.0/applications/${b2c.id}/extensionProperties`, { name: 'toBeMigrated', dataType: 'Boolean', targetObjects: ['User'] })).status, 201);
    assert.equal((await graph('POST', `/v1.0/applications/${b2c.id}/extensionProperties`, { name: 'ToBeMigrated', dataType: 'Boolean', targetObjects: ['User'] })).status, 400);
    for (const body of [{ name: '1bad', dataType: 'Boolean', targetObjects: ['User'] }, { name: 'x', dataType: 'Float', targetObjects: ['User'] }, { name: 'x', dataType: 'String', targetObjects: [] }]) {
      assert.equal((await graph('POST', `/v1.0/applications/${b2c.id}/extensionProperties`, body)).status, 400, JSON.stringify(body));
    }
    const app = (await graph('POST', '/v1.0/applications', { displayName: 'grants' })).body;
    assert.equal((await graph('POST', '/v1.0/servicePrincipals', { appId: '00000000-0000-4000-8000-000000000000' })).status, 400);
    const principal = (await graph('POST', '/v1.0/servicePrincipals', { appId: app.appId })).body;
    assert.equal((await graph('POST', '/v1.0/servicePrincipals', { appId: app.appId })).status, 409);
    const graphSp = emulator.objects.graphServicePrincipal;
    const grant = { principalId: principal.id, resourceId: graphSp.id, appRoleId: '214e810f-fda8-4fd7-a475-29461495eb00' };
    assert.equal((await graph('POST', `/v1.0/servicePrincipals/${principal.id}/appRoleAssignments`, { ...grant, appRoleId: '00000000-0000-4000-8000-000000000000' })).status, 400);
    assert.equal((await graph('POST', `/v1.0/servicePrincipals/${principal.id}/appRoleAssignments`, grant)).status, 201);
    assert.equal((await graph('POST', `/v1.0/servicePrincipals/${principal.id}/appRoleAssignments`, grant)).status, 400);
  });

  test('custom extensions and listeners: type, URL, timeout, retries, references all checked; in-use extensions are not deleted', async () => {
    const good = {
      '@odata.type': '#microsoft.graph.onPasswordSubmitCustomExtension',
      endpointConfiguration: { targetUrl: 'https://auth.contoso.example/events/password-submit' },
      authenticationConfiguration: { resourceId: 'api://auth.contoso.example/00000000-0000-4000-8000-000000000000' },
      clientConfiguration: { timeoutInMilliseconds: 2000, maximumRetries: 1 },
    };
    for (const bad of [
      { ...good, '@odata.type': '#microsoft.graph.onSomethingElseCustomExtension' },
      { ...good, endpointConfiguration: { targetUrl: 'http://auth.contoso.example/x' } },
      { ...good, endpointConfiguration: { targetUrl: 'not a url' } },
      { ...good, clientConfiguration: { timeoutInMilliseconds: 5000, maximumRetries: 1 } },
      { ...good, clientConfiguration: { timeoutInMilliseconds: 1000, maximumRetries: 2 } },
      { ...good, authenticationConfiguration: {} },
    ]) {
      assert.equal((await graph('POST', '/beta/identity/customAuthenticationExtensions', bad)).status, 400, JSON.stringify(bad).slice(0, 120));
    }
    const extension = (await graph('POST', '/beta/identity/customAuthenticationExtensions', good)).body;
    const flag = [...emulator.objects.extensionProperties.values()].map((property) => emulator.objects.extensionAttributeName(property)).find((name) => name.endsWith('_toBeMigrated'))!;
    const listener = {
      '@odata.type': '#microsoft.graph.onPasswordSubmitListener',
      conditions: { applications: { includeApplications: [{ appId: '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a' }] } },
      handler: { '@odata.type': '#microsoft.graph.onPasswordMigrationCustomExtensionHandler', migrationPropertyId: flag, customExtension: { id: extension.id } },
    };
    for (const bad of [
      { ...listener, handler: { ...listener.handler, customExtension: { id: 'nope' } } },
      { ...listener, handler: { ...listener.handler, migrationPropertyId: 'extension_00000000000000000000000000000000_x' } },
      { ...listener, conditions: { applications: { includeApplications: [] } } },
      { ...listener, '@odata.type': '#microsoft.graph.onTokenIssuanceStartListener' },
    ]) {
      assert.equal((await graph('POST', '/beta/identity/authenticationEventListeners', bad)).status, 400, JSON.stringify(bad).slice(0, 120));
    }
    const created = (await graph('POST', '/beta/identity/authenticationEventListeners', listener)).body;

    // PATCH carries only what Graph's update page allows for this type: not the handler, not includeApplications.
    const path = `/beta/identity/authenticationEventListeners/${created.id}`;
    const patchRefusals: Array<[string, unknown, RegExp]> = [
      ['handler', { '@odata.type': listener['@odata.type'], handler: listener.handler }, /handler cannot be updated/],
      ['includeApplications', { '@odata.type': listener['@odata.type'], conditions: { applications: { includeApplications: [{ appId: '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9' }] } } }, /POST .*includeApplications and remove one with DELETE/],
      ['no @odata.type', { priority: 10 }, /@odata.type/],
      ['displayName', { '@odata.type': listener['@odata.type'], displayName: 'x' }, /cannot be updated/],
    ];
    for (const [what, body, message] of patchRefusals) {
      const refused = await graph('PATCH', path, body);
      assert.equal(refused.status, 400, what);
      assert.match(refused.body.error.message, message, what);
    }
    assert.deepEqual(emulator.objects.listeners.get(created.id)!.conditions.applications.includeApplications, [{ appId: '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a' }], 'refused PATCHes changed nothing');
    assert.equal((await graph('PATCH', path, { '@odata.type': listener['@odata.type'], priority: 100, conditions: { applications: { includeAllApplications: false } } })).status, 204);
    assert.equal(emulator.objects.listeners.get(created.id)!.priority, 100);

    // includeApplications: POST adds one (201 with Graph's shape), DELETE removes one by appId.
    const included = `${path}/conditions/applications/includeApplications`;
    const added = await graph('POST', included, { '@odata.type': '#microsoft.graph.authenticationConditionApplication', appId: '1B2C3D4E-5F60-4718-8293-A4B5C6D7E8F9' });
    assert.equal(added.status, 201);
    assert.equal(added.body.appId, '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9');
    assert.match(added.body['@odata.context'], /authenticationEventListeners\('[0-9a-f-]{36}'\)\/conditions\/applications\/includeApplications\/\$entity$/);
    assert.equal((await graph('POST', included, { appId: '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9' })).status, 409);
    assert.equal((await graph('POST', included, { appId: 'not-a-guid' })).status, 400);
    assert.deepEqual((await graph('GET', included)).body.value.map((entry: { appId: string }) => entry.appId), ['9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a', '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9']);
    assert.equal((await graph('DELETE', `${included}/9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a`)).status, 204);
    assert.equal((await graph('DELETE', `${included}/9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a`)).status, 404);
    assert.deepEqual(emulator.objects.listeners.get(created.id)!.conditions.applications.includeApplications, [{ appId: '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9' }]);
    assert.equal((await graph('POST', '/beta/identity/authenticationEventListeners/00000000-0000-4000-8000-000000000000/conditions/applications/includeApplications', { appId: '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9' })).status, 404);

    assert.equal((await graph('DELETE', `/beta/identity/customAuthenticationExtensions/${extension.id}`)).status, 400, 'in use');
    assert.equal((await graph('DELETE', `/beta/identity/authenticationEventListeners/${created.id}`)).status, 204);
    assert.equal((await graph('DELETE', `/beta/identity/customAuthenticationExtensions/${extension.id}`)).status, 204);
    assert.equal((await graph('DELETE', `/beta/identity/customAuthenticationExtensions/${extension.id}`)).status, 404);
  });
});
