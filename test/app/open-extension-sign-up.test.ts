import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { openExtension, type Extension } from '../../src/app/index.js';
import { createLogger } from '../../src/common/logger.js';
import { loadServeConfig, type RawSettings } from '../../src/config/index.js';
import { mintCalloutToken, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { generateDecryptionKey } from '../../src/security/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { defineExtensionProperty } from '../support/flag-property.js';
import { createLegacyDatabase, LEGACY_USER_QUERY } from '../server/sign-up-harness.js';

const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const CLIENT_ID = '31111111-2222-4333-8444-555555555555';
const SECRET = 'open-extension-sign-up-secret';
const EXISTS = 'There is already an account with this e-mail address. Sign in with your existing password.';
const TRY_LATER = 'There is already an account with this e-mail address. Please try again in a few minutes.';

interface Fixture {
  emulator: RunningEmulator;
  key: Awaited<ReturnType<typeof generateDecryptionKey>>;
  flag: string;
  /** serve's settings over a SQLite legacy store holding ada (id 42) and tim (id 43). */
  serveSettings: RawSettings;
  /** The settings that switch account creation on, against the emulator. */
  graphSettings: RawSettings;
  /** Opens `serve` from `raw`, logging into `logs()`; closed with the fixture. */
  open(raw: RawSettings): Promise<{ extension: Extension; logs(): string }>;
}

/** Runs `body` over the emulator, a legacy database, a key file and a ledger in a temporary directory; closes all after. */
async function withFixture(body: (fixture: Fixture) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'entra-migrate-open-sign-up-'));
  const legacy = await createLegacyDatabase();
  const emulator = await startEmulator({ port: 0 });
  const opened: Extension[] = [];
  try {
    emulator.registerClientApp(CLIENT_ID, SECRET);
    const flag = defineExtensionProperty(emulator);
    const key = await generateDecryptionKey();
    const keyPath = join(dir, 'key.pem');
    await writeFile(keyPath, key.privateKeyPem + key.certificatePem, { mode: 0o600 });
    await body({
      emulator,
      key,
      flag,
      serveSettings: {
        ENTRA_TENANT_ID: emulator.tenant.tenantId,
        ENTRA_EXTENSION_APP_ID: APP_ID,
        ENTRA_OPENID_CONFIGURATION_URL: emulator.openIdConfigurationUrl,
        JIT_DECRYPTION_KEY_FILE: keyPath,
        LEGACY_DATABASE_URL: legacy.url,
        LEGACY_USER_QUERY,
        LEDGER_DATABASE_URL: `sqlite://${join(dir, 'ledger.db')}`,
      },
      graphSettings: {
        ENTRA_TENANT_DOMAIN: emulator.tenant.domain,
        MIGRATION_FLAG_ATTRIBUTE: flag,
        AZURE_CLIENT_ID: CLIENT_ID,
        AZURE_CLIENT_SECRET: SECRET,
        GRAPH_BASE_URL: emulator.url,
        AZURE_AUTHORITY_HOST: emulator.url,
      },
      async open(raw) {
        let logText = '';
        const logger = createLogger({ level: 'info', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
        const extension = await openExtension(loadServeConfig(raw), { logger });
        opened.push(extension);
        return { extension, logs: () => logText };
      },
    });
  } finally {
    for (const extension of opened) await extension.close();
    await emulator.close();
    legacy.remove();
    await rm(dir, { recursive: true, force: true });
  }
}

/** An OnAttributeCollectionStart callout for `email`, from Microsoft's fixture, injected with a valid caller token. */
async function signUp(emulator: RunningEmulator, extension: Extension, email: string): Promise<{ '@odata.type': string; title?: string; message?: string }> {
  const body = JSON.parse(readFileSync(new URL('../fixtures/entra/attribute-collection-start.request.json', import.meta.url), 'utf8'));
  body.data.tenantId = emulator.tenant.tenantId;
  body.data.authenticationContext.client.locale = 'en-us';
  body.data.userSignUpInfo.identities[0].issuerAssignedId = email;
  const token = await mintCalloutToken(emulator.tenant, { audience: APP_ID, now: Date.now() });
  const response = await extension.server.inject({
    method: 'POST',
    url: '/events/attribute-collection-start',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  assert.equal(response.statusCode, 200);
  return response.json().data.actions[0];
}

test('without the Graph settings serve blocks without creating, and its start-up line says how to switch creation on', () =>
  withFixture(async ({ emulator, serveSettings, open }) => {
    const { extension, logs } = await open(serveSettings);
    assert.match(logs(), /without creating the legacy account in Entra.*set ENTRA_TENANT_DOMAIN and MIGRATION_FLAG_ATTRIBUTE/);
    assert.equal((await signUp(emulator, extension, 'ada@contoso.example')).message, EXISTS);
    assert.equal(emulator.directory.countUsers(), 0, 'nothing created');
  }));

test('serve wires account creation when its Graph settings are given: a colliding legacy account is created in Entra, flagged, and recorded', () =>
  withFixture(async ({ emulator, flag, serveSettings, graphSettings, open }) => {
    const { extension, logs } = await open({ ...serveSettings, ...graphSettings });
    assert.match(logs(), /is created there first, as premigrate would/);
    assert.deepEqual(await signUp(emulator, extension, 'ada@contoso.example'), { '@odata.type': 'microsoft.graph.attributeCollectionStart.showBlockPage', title: 'Account already exists', message: EXISTS });
    const user = emulator.directory.findUserBySignInName('ada@contoso.example');
    assert.ok(user, 'the legacy account is now in Entra');
    assert.equal(emulator.directory.getExtensionAttributes(user.id)[flag], true);
    const row = await extension.ledger.accountState('42');
    assert.deepEqual({ state: row?.state, objectId: row?.entraObjectId }, { state: 'created', objectId: user.id });
    assert.ok(!logs().includes(SECRET), 'the client secret is never logged');
  }));

test('a Graph secret the authority refuses: one warning at start, and "try again" (never "sign in") until it is fixed', () =>
  withFixture(async ({ emulator, serveSettings, graphSettings, open }) => {
    const wrongSecret = 'not-the-secret-Zq9';
    const { extension, logs } = await open({ ...serveSettings, ...graphSettings, AZURE_CLIENT_SECRET: wrongSecret });
    for (let waited = 0; !/no Graph token/.test(logs()) && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(logs(), /"level":40.*sign-up cannot create accounts in Entra: no Graph token/);
    assert.equal((await signUp(emulator, extension, 'tim@contoso.example')).message, TRY_LATER);
    assert.equal(emulator.directory.findUserBySignInName('tim@contoso.example'), undefined);
    assert.ok(!logs().includes(wrongSecret), 'nor a wrong one');
  }));

test('end to end: a legacy account not yet in Entra signs up, is blocked with "sign in", and that sign-in migrates it with the legacy password', () =>
  withFixture(async ({ emulator, key, flag, serveSettings, graphSettings, open }) => {
    const { extension } = await open({ ...serveSettings, ...graphSettings });
    const address = await extension.server.listen({ port: 0, host: '127.0.0.1' });
    emulator.configureExtension({
      targetUrl: `${address}/events/password-submit`,
      appId: APP_ID,
      encryptionCertificatePem: key.certificatePem,
      timeoutInMs: 2000,
      maximumRetries: 0,
      migrationFlagAttribute: flag,
      signUp: { attributeCollectionStartUrl: `${address}/events/attribute-collection-start`, attributeCollectionSubmitUrl: `${address}/events/attribute-collection-submit` },
    });
    const post = async (path: string, body: unknown) =>
      (await fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<Record<string, string>>;

    const sent = await post('/api/sign-up/start', { email: 'ada@contoso.example' });
    assert.equal(sent.outcome, 'code-sent');
    assert.deepEqual(await post('/api/sign-up/verify', { verificationId: sent.verificationId, code: sent.code }), { outcome: 'blocked', message: EXISTS });
    const user = emulator.directory.findUserBySignInName('ada@contoso.example');
    assert.ok(user, 'created before the block page');
    assert.equal(emulator.directory.getExtensionAttributes(user.id)[flag], true);

    assert.deepEqual(await emulator.signIn.signIn({ username: 'ada@contoso.example', password: CANARY_PASSWORDS.correct }), { outcome: 'signed-in', migrated: true });
    assert.equal(emulator.directory.getExtensionAttributes(user.id)[flag], false, 'the message was true: the legacy password migrated');
  }));
