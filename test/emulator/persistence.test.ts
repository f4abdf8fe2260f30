import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { EMULATOR_SIGN_IN_APP, EmulatorErrorCode, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { appCredential, createGraphClient } from '../../src/graph/index.js';
import { runSetup } from '../../src/setup/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { startStubExtension, type StubExtension } from './stub-extension.js';

const ADMIN = '5a1d9c3e-7b2f-4e6a-8c0d-1f2e3a4b5c6d';
const ADMIN_SECRET = 'kept-admin-secret';

const tokenFor = async (emulator: RunningEmulator) => {
  const response = await fetch(`${emulator.url}/${emulator.tenant.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: ADMIN, client_secret: ADMIN_SECRET, scope: 'https://graph.microsoft.com/.default' }) });
  assert.equal(response.status, 200);
  return ((await response.json()) as { access_token: string }).access_token;
};

describe('the emulator keeps its tenant in the directory file', () => {
  let dir: string;
  let path: string;
  let stub: StubExtension;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emulator-state-'));
    path = join(dir, 'emulator.db');
    stub = await startStubExtension();
  });
  after(async () => {
    await stub.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a restart is the same tenant: ids, keys, Graph secret, setup\'s objects and users; a flagged user still migrates', async () => {
    const first = await startEmulator({ port: 0, directoryPath: path });
    let tenantId: string;
    let kids: string[];
    let token: string;
    let setupResult: Awaited<ReturnType<typeof runSetup>>;
    try {
      assert.equal(first.restored, false);
      first.registerClientApp(ADMIN, ADMIN_SECRET);
      const graph = createGraphClient({ baseUrl: first.url, credential: appCredential({ authorityHost: first.url, tenantId: first.tenant.tenantId, clientId: ADMIN, clientSecret: ADMIN_SECRET }).credential });
      setupResult = await runSetup({ graph, dryRun: false, targetUrl: stub.url, certificateDer: stub.key.certificateDer, extensionAppName: 'JIT', clientAppIds: [EMULATOR_SIGN_IN_APP.appId], flagName: 'toBeMigrated', timeoutInMs: 2000, maximumRetries: 1 });
      await graph.call('POST', '/v1.0/users', {
        displayName: 'Ada',
        identities: [{ signInType: 'emailAddress', issuer: first.tenant.domain, issuerAssignedId: 'ada@contoso.example' }],
        passwordProfile: { forceChangePasswordNextSignIn: false, password: 'Random-Initial-Password-1!' },
        [setupResult.flagAttribute]: true,
      });
      await first.tenant.rotateSigningKey();
      tenantId = first.tenant.tenantId;
      kids = first.tenant.jwks().keys.map((key) => key.kid!);
      token = await tokenFor(first);
    } finally {
      await first.close();
    }
    assert.equal((await stat(path)).mode & 0o777, 0o600, 'the file holds private keys and secrets: owner only');

    const second = await startEmulator({ port: 0, directoryPath: path });
    try {
      assert.equal(second.restored, true);
      assert.equal(second.tenant.tenantId, tenantId);
      assert.deepEqual(second.tenant.jwks().keys.map((key) => key.kid), kids);
      assert.equal(second.tenant.signingKey().kid, kids.at(-1), 'the newest key still signs');
      await jwtVerify(token, createLocalJWKSet(second.tenant.jwks()), { audience: 'https://graph.microsoft.com' });
      assert.equal(second.clientSecretOf(ADMIN), ADMIN_SECRET);
      await tokenFor(second);
      assert.equal(second.objects.applicationByAppId(setupResult.extensionAppId)?.identifierUris[0], setupResult.resourceId);
      assert.ok(second.objects.customExtensions.has(setupResult.customExtensionId));
      assert.ok(second.objects.listeners.has(setupResult.listenerId));
      assert.equal([...second.objects.applications.values()].filter((app) => app.displayName.startsWith('b2c-extensions-app')).length, 1, 'not a second b2c-extensions-app');
      // setup finds everything in place, and the flagged user migrates through the kept listener.
      const graph = createGraphClient({ baseUrl: second.url, credential: appCredential({ authorityHost: second.url, tenantId, clientId: ADMIN, clientSecret: ADMIN_SECRET }).credential });
      const again = await runSetup({ graph, dryRun: false, targetUrl: stub.url, certificateDer: stub.key.certificateDer, extensionAppName: 'JIT', clientAppIds: [EMULATOR_SIGN_IN_APP.appId], flagName: 'toBeMigrated', timeoutInMs: 2000, maximumRetries: 1 });
      assert.deepEqual(again.steps.map((step) => step.status), ['in place', 'in place', 'in place', 'in place']);
      assert.deepEqual(await second.signIn.signIn({ username: 'ada@contoso.example', password: CANARY_PASSWORDS.correct }), { outcome: 'signed-in', migrated: true });
    } finally {
      await second.close();
    }
  });

  test("a user's PATCH is the directory's: it survives a restart, a disabled account cannot sign in, a replaced identity is free again", async () => {
    const patchPath = join(dir, 'patched.db');
    const first = await startEmulator({ port: 0, directoryPath: patchPath });
    let userId: string;
    try {
      first.registerClientApp(ADMIN, ADMIN_SECRET);
      const graph = createGraphClient({ baseUrl: first.url, credential: appCredential({ authorityHost: first.url, tenantId: first.tenant.tenantId, clientId: ADMIN, clientSecret: ADMIN_SECRET }).credential });
      const email = (address: string) => ({ signInType: 'emailAddress', issuer: first.tenant.domain, issuerAssignedId: address });
      const created = (await graph.call('POST', '/v1.0/users', {
        displayName: 'Grace',
        identities: [email('grace@contoso.example')],
        passwordProfile: { forceChangePasswordNextSignIn: false, password: CANARY_PASSWORDS.correct },
      })) as { id: string };
      userId = created.id;
      assert.deepEqual(await first.signIn.signIn({ username: 'grace@contoso.example', password: CANARY_PASSWORDS.correct }), { outcome: 'signed-in', migrated: false });
      await graph.call('PATCH', `/v1.0/users/${userId}`, { displayName: 'Grace Hopper', surname: 'Hopper', identities: [email('grace.hopper@contoso.example')], accountEnabled: false });
    } finally {
      await first.close();
    }

    const second = await startEmulator({ port: 0, directoryPath: patchPath });
    try {
      const user = second.directory.getUser(userId)!;
      assert.equal(user.displayName, 'Grace Hopper');
      assert.equal(user.surname, 'Hopper');
      assert.equal(user.accountEnabled, false);
      assert.deepEqual(user.identities.map((identity) => identity.issuerAssignedId), ['grace.hopper@contoso.example']);
      assert.equal((await second.signIn.signIn({ username: 'grace.hopper@contoso.example', password: CANARY_PASSWORDS.correct })).outcome, 'invalid-credentials', 'disabled');
      assert.equal(second.directory.findUserBySignInName('grace@contoso.example'), undefined, 'the old identity went with the replaced collection');
      second.directory.updateUser(userId, { accountEnabled: true });
      assert.deepEqual(await second.signIn.signIn({ username: 'grace.hopper@contoso.example', password: CANARY_PASSWORDS.correct }), { outcome: 'signed-in', migrated: false });
      const other = await second.directory.createUser({ displayName: 'Other', identities: [{ signInType: 'emailAddress', issuer: second.tenant.domain, issuerAssignedId: 'other@contoso.example' }], password: 'Random-Initial-Password-1!' });
      assert.throws(() => second.directory.updateUser(other.id, { identities: [{ signInType: 'emailAddress', issuer: second.tenant.domain, issuerAssignedId: 'Grace.Hopper@contoso.example' }] }), { code: EmulatorErrorCode.DIRECTORY_CONFLICT });
      assert.equal(second.directory.getUser(other.id)!.identities[0]!.issuerAssignedId, 'other@contoso.example', 'a refused update changes nothing');
    } finally {
      await second.close();
    }
  });

  test('--tenant-id naming another tenant than the file holds is an error naming both; nothing starts', async () => {
    const other = '0b5c9d3e-1f2a-4b6c-8d7e-9f0a1b2c3d4e';
    const existing = await startEmulator({ port: 0, directoryPath: path });
    const held = existing.tenant.tenantId;
    await existing.close();
    // Closed at once should it start, so a failing assertion leaves no server behind.
    const attempt = startEmulator({ port: 0, directoryPath: path, tenantId: other }).then((started) => started.close());
    await assert.rejects(attempt, (error: Error & { code?: string }) => {
      assert.equal(error.code, EmulatorErrorCode.STATE_CONFLICT);
      assert.ok(error.message.includes(held) && error.message.includes(other), error.message);
      return true;
    });
    const same = await startEmulator({ port: 0, directoryPath: path, tenantId: held.toUpperCase() });
    await same.close();
  });

  test('an extension set at start is kept for the next start; null forgets it; :memory: keeps nothing', async () => {
    const file = join(dir, 'direct.db');
    const extension = { targetUrl: stub.url, appId: '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d', encryptionCertificatePem: stub.key.certificatePem, timeoutInMs: 500 };
    await (await startEmulator({ port: 0, directoryPath: file, extension })).close();
    const kept = await startEmulator({ port: 0, directoryPath: file });
    try {
      assert.equal(kept.extension()?.targetUrl, stub.url);
      assert.equal(kept.extension()?.timeoutInMs, 500);
    } finally {
      await kept.close();
    }
    await (await startEmulator({ port: 0, directoryPath: file, extension: null })).close();
    const forgotten = await startEmulator({ port: 0, directoryPath: file });
    try {
      assert.equal(forgotten.extension(), undefined);
    } finally {
      await forgotten.close();
    }
    for (let run = 0; run < 2; run++) {
      const memory = await startEmulator({ port: 0, tenantId: '0b5c9d3e-1f2a-4b6c-8d7e-9f0a1b2c3d4e' });
      assert.equal(memory.restored, false, ':memory: starts a new tenant each time');
      await memory.close();
    }
  });
});
