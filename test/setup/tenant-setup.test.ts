import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EMULATOR_SIGN_IN_APP, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { appCredential, createGraphClient, GraphError, GraphErrorCode, RECEIVE_PAYLOAD_ROLE_ID, type GraphClient } from '../../src/graph/index.js';
import { generateDecryptionKey, type GeneratedDecryptionKey } from '../../src/security/index.js';
import { removeSetup, runSetup, serveSettings, SetupErrorCode, type SetupOptions } from '../../src/setup/index.js';

const ADMIN = '5a1d9c3e-7b2f-4e6a-8c0d-1f2e3a4b5c6d';
const CLIENT_A = '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a';
const CLIENT_B = '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9';

describe('setup, step by step, against the emulated Graph', () => {
  let emulator: RunningEmulator;
  let graph: GraphClient;
  let keys: GeneratedDecryptionKey[];
  const options = (extra: Partial<SetupOptions> = {}): SetupOptions => ({
    graph,
    dryRun: false,
    targetUrl: 'https://auth.contoso.example/events/password-submit',
    certificateDer: keys[0]!.certificateDer,
    extensionAppName: 'JIT extension',
    clientAppIds: [CLIENT_A],
    flagName: 'toBeMigrated',
    timeoutInMs: 2000,
    maximumRetries: 1,
    ...extra,
  });

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(ADMIN, 'admin-secret');
    graph = createGraphClient({ baseUrl: emulator.url, credential: appCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: ADMIN, clientSecret: 'admin-secret' }).credential });
    keys = await Promise.all([generateDecryptionKey({ subject: 'CN=first' }), generateDecryptionKey({ subject: 'CN=second' })]);
  });
  after(() => emulator.close());

  test('a dry run reads, prints every write it would make with its body, and changes nothing', async () => {
    const result = await runSetup(options({ dryRun: true }));
    assert.deepEqual(result.steps.map((step) => step.status), ['would create', 'would create', 'would create', 'would create']);
    const writes = result.steps.flatMap((step) => step.requests.map((request) => `${request.method} ${request.path.replace(/[0-9a-f-]{36}/g, '{id}')}`));
    assert.deepEqual(writes, [
      'POST /v1.0/applications/{id}/extensionProperties',
      'POST /v1.0/applications',
      'PATCH /v1.0/applications/<object id of the new object>',
      'POST /v1.0/servicePrincipals',
      'POST /v1.0/servicePrincipals/<service principal id of the new object>/appRoleAssignments',
      'POST /beta/identity/customAuthenticationExtensions',
      'POST /beta/identity/authenticationEventListeners',
    ]);
    const patch = result.steps[1]!.requests[1]!.body as { keyCredentials: Array<{ usage: string; key: string }>; tokenEncryptionKeyId: string };
    assert.equal(patch.keyCredentials[0]!.usage, 'Encrypt');
    assert.equal(patch.tokenEncryptionKeyId, (patch.keyCredentials[0] as unknown as { keyId: string }).keyId);
    assert.equal(emulator.objects.applications.size, 1, 'only the b2c-extensions-app');
    assert.equal(emulator.objects.extensionProperties.size, 0);
  });

  test('each step creates what is missing, then finds it in place; the writes are what Entra needs', async () => {
    const first = await runSetup(options());
    assert.deepEqual(first.steps.map((step) => step.status), ['created', 'created', 'created', 'created']);
    const b2cAppId = emulator.objects.b2cExtensionsApp.appId.replace(/-/g, '');
    assert.equal(first.flagAttribute, `extension_${b2cAppId}_toBeMigrated`);
    const app = emulator.objects.applicationByAppId(first.extensionAppId)!;
    assert.deepEqual(app.identifierUris, [`api://auth.contoso.example/${app.appId}`]);
    assert.equal(first.resourceId, app.identifierUris[0]);
    assert.equal(app.api.requestedAccessTokenVersion, 2);
    assert.equal(app.keyCredentials.length, 1);
    assert.equal(app.tokenEncryptionKeyId, app.keyCredentials[0]!.keyId);
    assert.equal(app.keyCredentials[0]!.key, Buffer.from(keys[0]!.certificateDer).toString('base64'));
    const principal = emulator.objects.servicePrincipalByAppId(app.appId)!;
    assert.ok(emulator.objects.hasRole(principal.id, emulator.objects.graphServicePrincipal.id, RECEIVE_PAYLOAD_ROLE_ID));
    const extension = emulator.objects.customExtensions.get(first.customExtensionId)!;
    assert.equal(extension.authenticationConfiguration.resourceId, first.resourceId);
    assert.deepEqual(extension.clientConfiguration, { timeoutInMilliseconds: 2000, maximumRetries: 1 });
    const listener = emulator.objects.listeners.get(first.listenerId)!;
    assert.equal(listener.handler.migrationPropertyId, first.flagAttribute);
    assert.deepEqual(listener.conditions.applications.includeApplications, [{ appId: CLIENT_A }]);

    const second = await runSetup(options());
    assert.deepEqual(second.steps.map((step) => step.status), ['in place', 'in place', 'in place', 'in place']);
    assert.deepEqual(second.steps.flatMap((step) => step.requests), []);
    assert.equal(second.listenerId, first.listenerId);
  });

  test('changed options update only what differs: timeout, clients, a rotated certificate kept beside the old one', async () => {
    const result = await runSetup(options({ certificateDer: keys[1]!.certificateDer, clientAppIds: [CLIENT_B, CLIENT_A], timeoutInMs: 1500 }));
    assert.deepEqual(result.steps.map((step) => step.status), ['in place', 'updated', 'updated', 'updated']);
    const app = emulator.objects.applicationByAppId(result.extensionAppId)!;
    assert.equal(app.keyCredentials.length, 2, 'the old certificate stays until removed');
    assert.equal(app.keyCredentials.find((credential) => credential.keyId === app.tokenEncryptionKeyId)!.key, Buffer.from(keys[1]!.certificateDer).toString('base64'));
    assert.equal(emulator.objects.customExtensions.get(result.customExtensionId)!.clientConfiguration.timeoutInMilliseconds, 1500);
    assert.deepEqual(emulator.objects.listeners.get(result.listenerId)!.conditions.applications.includeApplications.map((entry) => entry.appId).sort(), [CLIENT_A, CLIENT_B].sort());
    assert.equal(result.steps[1]!.requests.length, 1, 'one PATCH of the application, no new principal or grant');
    // The listener's applications change through Graph's documented navigation-property calls, never a PATCH.
    assert.deepEqual(result.steps[3]!.requests.map((request) => [request.method, request.path.replace(/[0-9a-f-]{36}/, '{id}'), request.body]), [
      ['POST', '/beta/identity/authenticationEventListeners/{id}/conditions/applications/includeApplications', { '@odata.type': '#microsoft.graph.authenticationConditionApplication', appId: CLIENT_B }],
    ]);
  });

  test('--retire-old-keys drops the other encryption certificates and keeps the current one', async () => {
    const base = options({ certificateDer: keys[1]!.certificateDer, clientAppIds: [CLIENT_B, CLIENT_A], timeoutInMs: 1500 });
    const dry = await runSetup({ ...base, dryRun: true, retireOldKeys: true });
    assert.equal(dry.steps[1]!.status, 'would update');
    assert.match(dry.steps[1]!.detail, /retiring [0-9a-f-]{36}/);
    const result = await runSetup({ ...base, retireOldKeys: true });
    const app = emulator.objects.applicationByAppId(result.extensionAppId)!;
    assert.equal(app.keyCredentials.length, 1);
    assert.equal(app.keyCredentials[0]!.keyId, app.tokenEncryptionKeyId);
    assert.equal(app.keyCredentials[0]!.key, Buffer.from(keys[1]!.certificateDer).toString('base64'));
    assert.deepEqual((await runSetup({ ...base, retireOldKeys: true })).steps.map((step) => step.status), ['in place', 'in place', 'in place', 'in place']);
  });

  test('a moved endpoint updates the identifier URI, resource id and target URL together', async () => {
    const result = await runSetup(options({ targetUrl: 'https://jit.contoso.example/events/password-submit', certificateDer: keys[1]!.certificateDer, clientAppIds: [CLIENT_A, CLIENT_B], timeoutInMs: 1500 }));
    const app = emulator.objects.applicationByAppId(result.extensionAppId)!;
    assert.deepEqual(app.identifierUris, [`api://jit.contoso.example/${app.appId}`]);
    assert.equal(emulator.objects.customExtensions.get(result.customExtensionId)!.endpointConfiguration.targetUrl, 'https://jit.contoso.example/events/password-submit');
    assert.equal(emulator.objects.customExtensions.size, 1, 'the same extension, updated');
  });

  test('settings for serve name the tenant, app, flag and key file; no secret', async () => {
    const result = await runSetup(options({ targetUrl: 'https://jit.contoso.example/events/password-submit', certificateDer: keys[1]!.certificateDer, clientAppIds: [CLIENT_A, CLIENT_B], timeoutInMs: 1500 }));
    const text = serveSettings({ tenantId: emulator.tenant.tenantId, result, keyFiles: ['./keys/a b.key.pem'] });
    assert.match(text, new RegExp(`^ENTRA_EXTENSION_APP_ID=${result.extensionAppId}$`, 'm'));
    assert.match(text, /^JIT_DECRYPTION_KEY_FILE="\.\/keys\/a b\.key\.pem"$/m);
    assert.doesNotMatch(text, /PRIVATE KEY|SECRET/);
  });

  test('another app registration for the same URL updates the one extension and its listener, never a second', async () => {
    const result = await runSetup(options({ extensionAppName: 'JIT extension v2', targetUrl: 'https://jit.contoso.example/events/password-submit', certificateDer: keys[1]!.certificateDer, clientAppIds: [CLIENT_A, CLIENT_B], timeoutInMs: 1500 }));
    assert.equal(emulator.objects.customExtensions.size, 1);
    assert.equal(emulator.objects.listeners.size, 1);
    assert.equal(emulator.objects.customExtensions.get(result.customExtensionId)!.authenticationConfiguration.resourceId, result.resourceId);
    assert.equal(emulator.objects.applicationByAppId(result.extensionAppId)!.displayName, 'JIT extension v2');
  });

  test('a client app dropped is DELETEd from includeApplications; another flag replaces the listener (its handler cannot be PATCHed)', async () => {
    const base = options({ extensionAppName: 'JIT extension v2', targetUrl: 'https://jit.contoso.example/events/password-submit', certificateDer: keys[1]!.certificateDer, timeoutInMs: 1500 });
    const before = [...emulator.objects.listeners.keys()];
    const dropped = await runSetup({ ...base, clientAppIds: [CLIENT_B] });
    assert.equal(dropped.steps[3]!.status, 'updated');
    assert.deepEqual(dropped.steps[3]!.requests.map((request) => `${request.method} ${request.path.replace(/[0-9a-f-]{36}/g, '{id}')}`), ['DELETE /beta/identity/authenticationEventListeners/{id}/conditions/applications/includeApplications/{id}']);
    assert.ok(dropped.steps[3]!.requests[0]!.path.endsWith(`/includeApplications/${CLIENT_A}`));
    assert.deepEqual(emulator.objects.listeners.get(dropped.listenerId)!.conditions.applications.includeApplications, [{ appId: CLIENT_B }]);
    assert.deepEqual([...emulator.objects.listeners.keys()], before, 'the same listener');

    const reflagged = await runSetup({ ...base, clientAppIds: [CLIENT_B], flagName: 'stillToMigrate' });
    assert.deepEqual(reflagged.steps.map((step) => step.status), ['created', 'in place', 'in place', 'updated']);
    assert.deepEqual(reflagged.steps[3]!.requests.map((request) => `${request.method} ${request.path.replace(/[0-9a-f-]{36}/g, '{id}')}`), ['DELETE /beta/identity/authenticationEventListeners/{id}', 'POST /beta/identity/authenticationEventListeners']);
    assert.equal(emulator.objects.listeners.size, 1);
    assert.equal(emulator.objects.listeners.get(reflagged.listenerId)!.handler.migrationPropertyId, reflagged.flagAttribute);
    assert.notEqual(reflagged.listenerId, dropped.listenerId);
    assert.deepEqual((await runSetup({ ...base, clientAppIds: [CLIENT_B], flagName: 'stillToMigrate' })).steps.map((step) => step.status), ['in place', 'in place', 'in place', 'in place']);
  });

  test('refusals: an unknown --extension-app-id, a flag of another type', async () => {
    await assert.rejects(runSetup(options({ extensionAppId: '00000000-0000-4000-8000-000000000001' })), { code: SetupErrorCode.OPTION_INVALID });
    const b2c = emulator.objects.b2cExtensionsApp;
    emulator.objects.extensionProperties.set('p', { id: 'p', ownerId: b2c.id, name: 'legacyTier', dataType: 'String', targetObjects: ['User'] });
    await assert.rejects(runSetup(options({ flagName: 'legacyTier' })), (error: Error & { code?: string }) => error.code === SetupErrorCode.OPTION_INVALID && /must be Boolean/.test(error.message));
  });

  test('remove takes the listener away, then the extension when asked; again is a no-op', async () => {
    const targetUrl = 'https://jit.contoso.example/events/password-submit';
    const dry = await removeSetup({ graph, dryRun: true, targetUrl, removeExtension: true });
    assert.deepEqual(dry.map((step) => step.status), ['would remove', 'would remove']);
    assert.equal(emulator.objects.listeners.size, 1);
    const removed = await removeSetup({ graph, dryRun: false, targetUrl, removeExtension: true });
    assert.deepEqual(removed.map((step) => `${step.status} ${step.name}`), ['removed listener', 'removed custom extension']);
    assert.equal(emulator.objects.listeners.size + emulator.objects.customExtensions.size, 0);
    const again = await removeSetup({ graph, dryRun: false, targetUrl, removeExtension: true });
    assert.deepEqual(again.map((step) => step.status), ['absent', 'absent']);
  });
});

describe('setup while the directory replicates', () => {
  test('a just-created object "not found" is retried with growing waits; any other refusal fails at once', async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      emulator.registerClientApp(ADMIN, 'admin-secret');
      const real = createGraphClient({ baseUrl: emulator.url, credential: appCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: ADMIN, clientSecret: 'admin-secret' }).credential });
      let refusals = 2;
      let refusal = 'HTTP 404 Request_ResourceNotFound: Resource does not exist.';
      const replicating: GraphClient = {
        request: real.request,
        async call(method, path, body) {
          if (method === 'POST' && path.endsWith('/appRoleAssignments') && refusals > 0) {
            refusals--;
            throw new GraphError(GraphErrorCode.REQUEST_FAILED, `Graph refused POST ${path}: ${refusal}`);
          }
          return real.call(method, path, body);
        },
      };
      const waits: number[] = [];
      const key = await generateDecryptionKey({ subject: 'CN=replication' });
      const options: SetupOptions = { graph: replicating, dryRun: false, targetUrl: 'https://auth.contoso.example/x', certificateDer: key.certificateDer, extensionAppName: 'JIT', clientAppIds: [CLIENT_A], flagName: 'toBeMigrated', timeoutInMs: 2000, maximumRetries: 1, sleep: async (ms) => void waits.push(ms) };
      const result = await runSetup(options);
      assert.deepEqual(waits, [1000, 2000]);
      assert.equal(result.steps[1]!.status, 'created');
      assert.equal(emulator.objects.appRoleAssignments.size, 1);

      emulator.objects.appRoleAssignments.clear();
      refusals = 1;
      refusal = 'HTTP 403 Authorization_RequestDenied: Insufficient privileges to complete the operation.';
      await assert.rejects(runSetup(options), /Insufficient privileges/);
      assert.deepEqual(waits, [1000, 2000], 'no wait for a refusal that is not replication');
    } finally {
      await emulator.close();
    }
  });
});

describe('setup for a target URL with a port', () => {
  test('the identifier URI and the resource id use the host name only (api://{hostname}/{appId}); with the port, sign-ins fail as in Entra', async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      emulator.registerClientApp(ADMIN, 'admin-secret');
      const graph = createGraphClient({ baseUrl: emulator.url, credential: appCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: ADMIN, clientSecret: 'admin-secret' }).credential });
      const key = await generateDecryptionKey({ subject: 'CN=port' });
      const targetUrl = 'https://auth.example.test:8443/events/password-submit';
      const result = await runSetup({ graph, dryRun: false, targetUrl, certificateDer: key.certificateDer, extensionAppName: 'JIT', clientAppIds: [EMULATOR_SIGN_IN_APP.appId], flagName: 'toBeMigrated', timeoutInMs: 2000, maximumRetries: 1 });
      const app = emulator.objects.applicationByAppId(result.extensionAppId)!;
      assert.equal(result.resourceId, `api://auth.example.test/${app.appId}`);
      assert.deepEqual(app.identifierUris, [`api://auth.example.test/${app.appId}`]);
      assert.equal(emulator.objects.customExtensions.get(result.customExtensionId)!.authenticationConfiguration.resourceId, result.resourceId);
      assert.equal(emulator.extension()?.resourceHost, 'auth.example.test', 'Entra would call it: no 1003014, no 1003015');

      // An identifier URI or resource id written with the port is what Entra refuses: 1003014, then 1003015.
      await emulator.directory.createUser({ displayName: 'P', identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: 'p@contoso.example' }], password: 'Random-Initial-Password-1!', extensionAttributes: { [result.flagAttribute]: true } });
      await graph.call('PATCH', `/v1.0/applications/${app.id}`, { identifierUris: [`api://auth.example.test:8443/${app.appId}`] });
      assert.equal(((await emulator.signIn.signIn({ username: 'p@contoso.example', password: CANARY_PASSWORDS.correct })) as { errorCode?: number }).errorCode, 1003014);
      await graph.call('PATCH', `/v1.0/applications/${app.id}`, { identifierUris: [result.resourceId] });
      await graph.call('PATCH', `/beta/identity/customAuthenticationExtensions/${result.customExtensionId}`, { authenticationConfiguration: { resourceId: `api://auth.example.test:8443/${app.appId}` } });
      assert.equal(((await emulator.signIn.signIn({ username: 'p@contoso.example', password: CANARY_PASSWORDS.correct })) as { errorCode?: number }).errorCode, 1003015);
    } finally {
      await emulator.close();
    }
  });
});
