import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { generateDecryptionKey } from '../../src/security/index.js';
import { runCli } from '../support/cli.js';

/** A port held by another listener for the whole suite, as a second copy of the server would hold it. */
function occupyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
    server.on('error', reject);
  });
}

describe('a port another process holds: one line naming the port and how to choose another, exit 1', () => {
  let dir: string;
  let taken: { server: Server; port: number };
  let serveEnv: Record<string, string>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'port-in-use-'));
    taken = await occupyPort();
    const key = await generateDecryptionKey({ subject: 'CN=port test' });
    await writeFile(join(dir, 'jit.key.pem'), key.privateKeyPem + key.certificatePem, { mode: 0o600 });
    const legacy = new Database(join(dir, 'legacy.db'));
    legacy.exec('CREATE TABLE users (email TEXT PRIMARY KEY, password_hash TEXT NOT NULL)');
    legacy.close();
    serveEnv = {
      ENTRA_TENANT_ID: '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21',
      ENTRA_EXTENSION_APP_ID: '0f5a8e2c-4b7d-4e61-9c3a-7d2b1e8f6a90',
      ENTRA_OPENID_CONFIGURATION_URL: 'http://127.0.0.1:9/v2.0/.well-known/openid-configuration',
      JIT_DECRYPTION_KEY_FILE: join(dir, 'jit.key.pem'),
      LEGACY_DATABASE_URL: `sqlite://${join(dir, 'legacy.db')}`,
      LEGACY_USER_QUERY: 'SELECT password_hash FROM users WHERE email = :username',
      LEDGER_DATABASE_URL: `sqlite://${join(dir, 'ledger.db')}`,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    };
  });
  after(async () => {
    taken.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('serve names PORT, its only way to choose a port', async () => {
    const result = await runCli(['serve'], { env: { ...serveEnv, PORT: String(taken.port) }, timeoutInMs: 60_000 });
    assert.equal(result.stderr, `entra-migrate serve: port ${taken.port} is in use; choose another with PORT\n`);
    assert.equal(result.code, 1);
  });

  test("demo names --port when the extension's port is taken", async () => {
    const result = await runCli(['demo', '--data-dir', join(dir, 'demo-1'), '--port', String(taken.port), '--emulator-port', '0', '--log-level', 'silent'], { timeoutInMs: 60_000 });
    assert.equal(result.stderr, `entra-migrate demo: port ${taken.port} is in use; choose another with --port\n`);
    assert.equal(result.code, 1);
  });

  test("demo names --emulator-port when the emulator's port is taken", async () => {
    const result = await runCli(['demo', '--data-dir', join(dir, 'demo-2'), '--port', '0', '--emulator-port', String(taken.port), '--log-level', 'silent'], { timeoutInMs: 60_000 });
    assert.equal(result.stderr, `entra-migrate demo: port ${taken.port} is in use; choose another with --emulator-port\n`);
    assert.equal(result.code, 1);
  });

  test('demo with both on one port names both options', async () => {
    const result = await runCli(['demo', '--data-dir', join(dir, 'demo-3'), '--port', String(taken.port), '--emulator-port', String(taken.port), '--log-level', 'silent'], { timeoutInMs: 60_000 });
    assert.equal(result.stderr, `entra-migrate demo: port ${taken.port} is in use; choose another with --port or --emulator-port\n`);
    assert.equal(result.code, 1);
  });
});
