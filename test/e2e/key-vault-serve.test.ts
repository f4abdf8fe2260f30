import assert from 'node:assert/strict';
import { constants, createPrivateKey, privateDecrypt } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import Database from 'better-sqlite3';
import { openExtension } from '../../src/app/index.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadServeConfig } from '../../src/config/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import { generateDecryptionKey, type KeyUnwrapper } from '../../src/security/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';

const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const FLAG = `extension_${APP_ID.replace(/-/g, '')}_toBeMigrated`;
const KEY_ID = 'https://contoso-jit.vault.azure.net/keys/jit-migration/0123456789abcdef0123456789abcdef';

test('serve with JIT_DECRYPTION_KEY_VAULT_KEY_ID: the private key stays in the vault, the user is migrated', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'key-vault-serve-'));
  const key = await generateDecryptionKey({ subject: 'CN=key vault' });
  await writeFile(join(dir, 'jit.cert.pem'), key.certificatePem);
  const vaultKey = createPrivateKey(key.privateKeyPem); // "inside the vault": only the unwrapper below touches it
  const unwrapped: string[] = [];
  let vaultDown = false;
  const unwrapper: KeyUnwrapper = {
    async unwrapKey(algorithm, encryptedKey) {
      unwrapped.push(algorithm);
      if (vaultDown) throw Object.assign(new Error('ServiceUnavailable'), { statusCode: 503 });
      return { result: privateDecrypt({ key: vaultKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: algorithm === 'RSA-OAEP-256' ? 'sha256' : 'sha1' }, encryptedKey) };
    },
  };
  const legacy = new Database(join(dir, 'legacy.db'));
  legacy.exec('CREATE TABLE users (id TEXT, email TEXT, password_hash TEXT)');
  legacy.prepare('INSERT INTO users VALUES (?, ?, ?)').run('1', 'kv@e2e.example', await bcryptHash(CANARY_PASSWORDS.correct, 4));
  legacy.close();

  const emulator = await startEmulator({ port: 0 });
  const factoryCalls: string[] = [];
  const extension = await openExtension(
    loadServeConfig({
      ENTRA_TENANT_ID: emulator.tenant.tenantId,
      ENTRA_EXTENSION_APP_ID: APP_ID,
      ENTRA_OPENID_CONFIGURATION_URL: emulator.openIdConfigurationUrl,
      JIT_DECRYPTION_KEY_VAULT_KEY_ID: KEY_ID,
      JIT_DECRYPTION_KEY_VAULT_CERTIFICATE_FILE: join(dir, 'jit.cert.pem'),
      LEGACY_DATABASE_URL: `sqlite://${join(dir, 'legacy.db')}`,
      LEGACY_USER_QUERY: 'SELECT id, password_hash FROM users WHERE email = :username',
      LEDGER_DATABASE_URL: `sqlite://${join(dir, 'ledger.db')}`,
    }),
    { logger: silentLogger(), keyUnwrapper: (keyId) => (factoryCalls.push(keyId), unwrapper) },
  );
  try {
    assert.deepEqual(factoryCalls, [KEY_ID]);
    assert.equal(extension.keyRing.keys.length, 1);
    assert.equal(extension.keyRing.keys[0]!.privateKey, undefined);
    assert.equal(extension.keyRing.keys[0]!.x5t, key.x5t);
    const address = await extension.server.listen({ port: 0, host: '127.0.0.1' });
    emulator.configureExtension({ targetUrl: `${address}/events/password-submit`, appId: APP_ID, encryptionCertificatePem: key.certificatePem, timeoutInMs: 2000, maximumRetries: 0, migrationFlagAttribute: FLAG });
    await emulator.directory.createUser({ displayName: 'KV', identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: 'kv@e2e.example' }], password: 'Random-Initial-Password-1!', extensionAttributes: { [FLAG]: true } });
    const response = await fetch(`${emulator.url}/api/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'kv@e2e.example', password: CANARY_PASSWORDS.correct }) });
    assert.deepEqual(await response.json(), { outcome: 'signed-in', migrated: true });
    assert.deepEqual(unwrapped, ['RSA-OAEP']);

    // The vault down: no nonce can be read, so no answer Entra accepts exists; the server says 503, not Retry.
    vaultDown = true;
    await emulator.directory.createUser({ displayName: 'KV2', identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: 'kv2@e2e.example' }], password: 'Random-Initial-Password-2!', extensionAttributes: { [FLAG]: true } });
    const down = await fetch(`${emulator.url}/api/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'kv2@e2e.example', password: CANARY_PASSWORDS.correct }) });
    const outcome = (await down.json()) as { outcome: string; errorCode: number; detail: string };
    assert.deepEqual([outcome.outcome, outcome.errorCode], ['extension-error', 1003002]);
    assert.match(outcome.detail, /answered HTTP 503/);
  } finally {
    await extension.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
});
