import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { openExtension } from '../../src/app/index.js';
import { createLogger } from '../../src/common/logger.js';
import { ConfigError, loadServeConfig, type RawSettings } from '../../src/config/index.js';
import { createTenant, mintCalloutToken } from '../../src/emulator/index.js';
import { generateDecryptionKey } from '../../src/security/index.js';
import { LEGACY_USER_QUERY, createLegacyDatabase } from './sign-up-harness.js';
import { tenantSigningKeys } from '../support/tenant-signing-keys.js';

const TENANT_ID = '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21';
const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
/** The legacy id's attribute as Graph names a directory extension: the app id without dashes. */
const LEGACY_ID_ATTRIBUTE = `extension_${APP_ID.replaceAll('-', '')}_legacyId`;

const ESSENTIALS: RawSettings = { ENTRA_TENANT_ID: TENANT_ID, ENTRA_EXTENSION_APP_ID: APP_ID, JIT_DECRYPTION_KEY_FILE: '/k.pem' };
const SQL: RawSettings = { LEGACY_DATABASE_URL: 'sqlite://./legacy.db', LEGACY_USER_QUERY: 'SELECT password_hash FROM users WHERE email = :email' };
const WEB_SERVICE: RawSettings = { LEGACY_VERIFY_URL: 'https://legacy.example/verify' };
const LDAP_TEMPLATE: RawSettings = { LEGACY_LDAP_URL: 'ldaps://dir.example', LEGACY_LDAP_USER_DN_TEMPLATE: 'uid={username},ou=people,dc=example,dc=org' };

/** The problems loadServeConfig reports, by setting. */
function problemsOf(raw: RawSettings): Record<string, string> {
  try {
    loadServeConfig({ ...ESSENTIALS, ...raw });
    return {};
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return Object.fromEntries(error.problems.map(({ setting, problem }) => [setting, problem]));
  }
}

describe('the sign-up settings', () => {
  test('default: block where the store can look an address up, off where it cannot', () => {
    assert.deepEqual(loadServeConfig({ ...ESSENTIALS, ...SQL }).signUp, { collision: 'block', prefill: false, legacyIdAttribute: undefined });
    assert.equal(loadServeConfig({ ...ESSENTIALS, ...WEB_SERVICE }).signUp.collision, 'off');
    assert.equal(loadServeConfig({ ...ESSENTIALS, ...LDAP_TEMPLATE }).signUp.collision, 'off');
  });

  test('block, link or prefill with a store that cannot look up: one line naming each setting', () => {
    assert.match(problemsOf({ ...WEB_SERVICE, SIGNUP_COLLISION: 'block' }).SIGNUP_COLLISION!, /must be off/);
    assert.match(problemsOf({ ...LDAP_TEMPLATE, SIGNUP_COLLISION: 'link', LEGACY_ID_ATTRIBUTE: 'extension_abc_legacyId' }).SIGNUP_COLLISION!, /must be off/);
    assert.match(problemsOf({ ...WEB_SERVICE, SIGNUP_PREFILL: 'true' }).SIGNUP_PREFILL!, /must be false/);
  });

  test('link needs LEGACY_ID_ATTRIBUTE, an attribute name; unknown values are refused', () => {
    assert.match(problemsOf({ ...SQL, SIGNUP_COLLISION: 'link' }).LEGACY_ID_ATTRIBUTE!, /required with SIGNUP_COLLISION=link/);
    assert.match(problemsOf({ ...SQL, SIGNUP_COLLISION: 'link', LEGACY_ID_ATTRIBUTE: '__proto__ x' }).LEGACY_ID_ATTRIBUTE!, /attribute name/);
    assert.ok(problemsOf({ ...SQL, SIGNUP_COLLISION: 'merge' }).SIGNUP_COLLISION);
    assert.ok(problemsOf({ ...SQL, SIGNUP_PREFILL: 'yes' }).SIGNUP_PREFILL);
    assert.deepEqual(loadServeConfig({ ...ESSENTIALS, ...SQL, SIGNUP_COLLISION: 'link', SIGNUP_PREFILL: 'true', LEGACY_ID_ATTRIBUTE: 'extension_abc_legacyId' }).signUp, {
      collision: 'link',
      prefill: true,
      legacyIdAttribute: 'extension_abc_legacyId',
    });
  });
});

describe('serve, opened from settings, with SIGNUP_COLLISION=link', () => {
  test('a linked sign-up is recorded in the ledger as migrated by sign-up (modifyAttributeValues, the legacy id)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sign-up-serve-'));
    const database = await createLegacyDatabase();
    const tenant = await createTenant();
    const key = await generateDecryptionKey();
    const keyPath = join(dir, 'key.pem');
    await writeFile(keyPath, key.privateKeyPem + key.certificatePem, { mode: 0o600 });
    const { metadataUrl, fetch } = tenantSigningKeys(tenant);
    let logText = '';
    const logger = createLogger({ level: 'info', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
    const config = loadServeConfig({
      ENTRA_TENANT_ID: tenant.tenantId,
      ENTRA_EXTENSION_APP_ID: APP_ID,
      ENTRA_OPENID_CONFIGURATION_URL: metadataUrl,
      JIT_DECRYPTION_KEY_FILE: keyPath,
      LEGACY_DATABASE_URL: database.url,
      LEGACY_USER_QUERY,
      LEDGER_DATABASE_URL: `sqlite://${join(dir, 'ledger.db')}`,
      SIGNUP_COLLISION: 'link',
      LEGACY_ID_ATTRIBUTE,
    });
    const extension = await openExtension(config, { logger, fetch });
    try {
      const { readFile } = await import('node:fs/promises');
      const body = JSON.parse(await readFile(new URL('../fixtures/entra/attribute-collection-submit.request.json', import.meta.url), 'utf8'));
      body.data.tenantId = tenant.tenantId;
      body.data.authenticationContext.correlationId = '11111111-2222-4333-8444-555555555555';
      body.data.userSignUpInfo.identities[0].issuerAssignedId = 'ada@contoso.example';
      body.data.userSignUpInfo.attributes[LEGACY_ID_ATTRIBUTE] = { '@odata.type': 'microsoft.graph.stringDirectoryAttributeValue', value: null, attributeType: 'directorySchemaExtension' };
      const response = await extension.server.inject({
        method: 'POST',
        url: '/events/attribute-collection-submit',
        headers: { authorization: `Bearer ${await mintCalloutToken(tenant, { audience: APP_ID, now: Date.now() })}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json().data.actions[0].attributes, { givenName: 'Ada', [LEGACY_ID_ATTRIBUTE]: '42' });
      let decisions = await extension.ledger.listDecisions({ correlationId: '11111111-2222-4333-8444-555555555555' });
      for (let wait = 0; decisions.length === 0 && wait < 50; wait++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        decisions = await extension.ledger.listDecisions({ correlationId: '11111111-2222-4333-8444-555555555555' });
      }
      assert.equal(decisions.length, 1);
      assert.deepEqual({ ...decisions[0], at: undefined, latencyInMs: undefined }, {
        at: undefined,
        latencyInMs: undefined,
        correlationId: '11111111-2222-4333-8444-555555555555',
        objectId: 'sign-up',
        legacyId: '42',
        action: 'modifyAttributeValues',
        reason: 'migrated-by-sign-up',
      });
      assert.ok(!logText.includes('ada@contoso.example'), 'the e-mail is never logged');
    } finally {
      await extension.close();
      database.remove();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
