/**
 * Attempt limits end to end, as `serve` opens them: two replicas (two openExtension, one process) over one legacy
 * database and one Redis, real caller tokens and password contexts over HTTP (inject). Wrong passwords spread over
 * both stop at ATTEMPT_LIMIT_PER_ACCOUNT; the ledger records the refusals; no log line names the account.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { openExtension, type Extension } from '../../src/app/index.js';
import { createLogger } from '../../src/common/logger.js';
import { loadServeConfig } from '../../src/config/index.js';
import { createTenant, mintCalloutToken, type EmulatedTenant } from '../../src/emulator/index.js';
import { DEFAULT_MESSAGES } from '../../src/jit/index.js';
import { generateDecryptionKey, type GeneratedDecryptionKey } from '../../src/security/index.js';
import { createLegacyDatabase, legacyRows, type LegacyDatabase } from '../e2e/legacy-fixtures.js';
import { APP_ID, calloutBody } from '../server/harness.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { SERVICES, skipUnlessService } from '../support/services.js';
import { tenantSigningKeys } from '../support/tenant-signing-keys.js';

const skip = await skipUnlessService('redis');
const LIMIT = 3;

let dir: string;
let keyPath: string;
let key: GeneratedDecryptionKey;
let tenant: EmulatedTenant;
let legacy: LegacyDatabase;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'entra-migrate-attempt-limits-'));
  key = await generateDecryptionKey();
  keyPath = join(dir, 'key.pem');
  await writeFile(keyPath, key.privateKeyPem + key.certificatePem, { mode: 0o600 });
  tenant = await createTenant();
  legacy = await createLegacyDatabase('sqlite', await legacyRows());
});
after(async () => {
  await legacy?.drop();
  await rm(dir, { recursive: true, force: true });
});

test('two replicas sharing Redis: wrong passwords spread over both stop at the limit, then even the right one is "too many attempts"', { skip }, async () => {
  const { metadataUrl, fetch } = tenantSigningKeys(tenant);
  let logText = '';
  const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
  const keySecret = `secret-${randomUUID()}`;
  const replica = (index: number) =>
    openExtension(
      loadServeConfig({
        ENTRA_TENANT_ID: tenant.tenantId,
        ENTRA_EXTENSION_APP_ID: APP_ID,
        ENTRA_OPENID_CONFIGURATION_URL: metadataUrl,
        JIT_DECRYPTION_KEY_FILE: keyPath,
        LEGACY_DATABASE_URL: legacy.url,
        LEGACY_USER_QUERY: legacy.query,
        LEDGER_DATABASE_URL: `sqlite://${join(dir, `ledger-${index}.db`)}`,
        ATTEMPT_LIMIT_PER_ACCOUNT: String(LIMIT),
        RATE_LIMIT_REDIS_URL: SERVICES.redis.url,
        RATE_LIMIT_KEY_SECRET: keySecret,
        RATE_LIMIT_REDIS_TIMEOUT_MS: '200',
      }),
      { logger, fetch },
    );
  const replicas: Extension[] = [await replica(1), await replica(2)];
  try {
    await Promise.all(replicas.map((extension) => extension.startupReadiness));
    // Both connections to Redis are up before the first attempt (they open in the background).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const signIn = async (extension: Extension, password: string) => {
      const body = await calloutBody({ tenantId: tenant.tenantId, certificatePem: key.certificatePem, username: 'BCRYPT@e2e.example', password });
      const response = await extension.server.inject({
        method: 'POST',
        url: '/events/password-submit',
        headers: { authorization: `Bearer ${await mintCalloutToken(tenant, { audience: APP_ID, now: Date.now() })}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      assert.equal(response.statusCode, 200, response.body);
      return JSON.parse(response.body).data.actions[0] as Record<string, string>;
    };
    const actions = [];
    for (let attempt = 0; attempt < LIMIT; attempt++) actions.push((await signIn(replicas[attempt % 2]!, CANARY_PASSWORDS.wrong))['@odata.type']);
    assert.deepEqual(actions, Array(LIMIT).fill('microsoft.graph.passwordSubmit.Retry'));
    const past = await signIn(replicas[LIMIT % 2]!, CANARY_PASSWORDS.correct);
    assert.deepEqual(past, { '@odata.type': 'microsoft.graph.passwordSubmit.Block', ...DEFAULT_MESSAGES.en!.tooManyAttempts! });
    assert.deepEqual(await signIn(replicas[(LIMIT + 1) % 2]!, CANARY_PASSWORDS.correct), past, 'on the other replica too');

    await new Promise((resolve) => setTimeout(resolve, 100));
    const reasons = (await Promise.all(replicas.map((extension) => extension.ledger.listDecisions()))).flat().map((decision) => decision.reason);
    assert.deepEqual(reasons.filter((reason) => reason === 'attempt-limit-reached').length, 2, reasons.join());
    assert.deepEqual(reasons.filter((reason) => reason === 'password-wrong').length, LIMIT, reasons.join());
    assert.match(logText, /attempt-limit-reached/, 'the request log line carries the reason');
    assert.ok(!logText.toLowerCase().includes('bcrypt@e2e.example'), 'no log line names the account');
    assert.ok(!logText.includes(keySecret));
  } finally {
    await Promise.all(replicas.map((extension) => extension.close()));
  }
});

test('STUFFING_SIGNAL_MODE=block: once a minute of mostly wrong passwords raises the signal, serve answers every sign-in "temporarily unavailable"', async () => {
  const { metadataUrl, fetch } = tenantSigningKeys(tenant);
  let logText = '';
  const logger = createLogger({ level: 'info', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
  const extension = await openExtension(
    loadServeConfig({
      ENTRA_TENANT_ID: tenant.tenantId,
      ENTRA_EXTENSION_APP_ID: APP_ID,
      ENTRA_OPENID_CONFIGURATION_URL: metadataUrl,
      JIT_DECRYPTION_KEY_FILE: keyPath,
      LEGACY_DATABASE_URL: legacy.url,
      LEGACY_USER_QUERY: legacy.query,
      LEDGER_DATABASE_URL: `sqlite://${join(dir, 'ledger-stuffing.db')}`,
      STUFFING_SIGNAL_MIN_ATTEMPTS: '4',
      STUFFING_SIGNAL_MODE: 'block',
    }),
    { logger, fetch },
  );
  try {
    await extension.startupReadiness;
    const signIn = async (username: string, password: string) => {
      const body = await calloutBody({ tenantId: tenant.tenantId, certificatePem: key.certificatePem, username, password });
      const response = await extension.server.inject({
        method: 'POST',
        url: '/events/password-submit',
        headers: { authorization: `Bearer ${await mintCalloutToken(tenant, { audience: APP_ID, now: Date.now() })}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      return JSON.parse(response.body).data.actions[0] as Record<string, string>;
    };
    for (const name of ['argon@e2e.example', 'nobody@e2e.example', 'django@e2e.example', 'someone@e2e.example']) {
      assert.equal((await signIn(name, CANARY_PASSWORDS.wrong))['@odata.type'], 'microsoft.graph.passwordSubmit.Retry');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(await signIn('bcrypt@e2e.example', CANARY_PASSWORDS.correct), { '@odata.type': 'microsoft.graph.passwordSubmit.Block', ...DEFAULT_MESSAGES.en!.unavailable });
    await extension.ledgerWrites.flush(); // the decision is queued after the answer and written at the end of that turn
    const reasons = (await extension.ledger.listDecisions()).map((decision) => decision.reason);
    assert.ok(reasons.includes('credential-stuffing-suspected'), reasons.join());
    assert.match(logText, /credential stuffing suspected: 100% of the last minute's 4 password attempts/);
    const signals = await extension.ledger.listSecuritySignals();
    assert.deepEqual(
      signals.map(({ kind, state, attempts, wrong, thresholdPercent, mode }) => ({ kind, state, attempts, wrong, thresholdPercent, mode })),
      [{ kind: 'credential-stuffing', state: 'raised', attempts: 4, wrong: 4, thresholdPercent: 80, mode: 'block' }],
      'the signal is a ledger event too',
    );
  } finally {
    await extension.close();
  }
});
