import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { openExtension } from '../../src/app/index.js';
import { createLogger } from '../../src/common/logger.js';
import { loadServeConfig } from '../../src/config/index.js';
import { generateDecryptionKey } from '../../src/security/index.js';

const TENANT_ID = '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21';
const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const DATABASE_PASSWORD = 'Db-Pa55-Never-Logged';

test('at start, each failing readiness check is one warning naming it and why, never a secret', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'entra-migrate-open-'));
  const key = await generateDecryptionKey();
  const keyPath = join(dir, 'key.pem');
  await writeFile(keyPath, key.privateKeyPem + key.certificatePem, { mode: 0o600 });
  let logText = '';
  const logger = createLogger({ level: 'info', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
  const config = loadServeConfig({
    ENTRA_TENANT_ID: TENANT_ID,
    ENTRA_EXTENSION_APP_ID: APP_ID,
    // Nothing listens on port 1: Entra's metadata and the legacy database are both unreachable.
    ENTRA_OPENID_CONFIGURATION_URL: `http://127.0.0.1:1/${TENANT_ID}/v2.0/.well-known/openid-configuration`,
    JIT_DECRYPTION_KEY_FILE: keyPath,
    LEGACY_DATABASE_URL: `postgres://legacy:${DATABASE_PASSWORD}@127.0.0.1:1/users`,
    LEGACY_USER_QUERY: 'SELECT password_hash FROM users WHERE email = :username',
    LEDGER_DATABASE_URL: `sqlite://${join(dir, 'ledger.db')}`,
  });
  const extension = await openExtension(config, { logger });
  try {
    const report = await extension.startupReadiness;
    assert.deepEqual(report.failures.map(({ name }) => name).sort(), ['entraSigningKeys', 'legacyStore']);
    const warnings = logText.trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string; check?: string; reason?: string }).filter((line) => line.level === 40);
    assert.deepEqual(warnings.map((line) => line.check).sort(), ['entraSigningKeys', 'legacyStore'], 'one warning per failing check');
    for (const warning of warnings) {
      assert.match(warning.msg, new RegExp(`not ready: ${warning.check}`));
      assert.match(warning.reason!, /_UNAVAILABLE: /, 'the reason names the error code and what failed');
    }
    assert.match(warnings.find((line) => line.check === 'legacyStore')!.reason!, /ECONNREFUSED/);
    assert.ok(!logText.includes(DATABASE_PASSWORD), 'the database password is never logged');
    assert.ok(!logText.includes('PRIVATE KEY'));
  } finally {
    await extension.close();
    await rm(dir, { recursive: true, force: true });
  }
});
