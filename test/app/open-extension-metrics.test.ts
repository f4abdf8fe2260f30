/**
 * `serve`'s composition root wires the hash verifier to the metrics only when METRICS_TOKEN or METRICS_PORT asks for
 * them: without, the verifier gets no observer and a password check reads no clock; with, it reports each hash and
 * its gate's load reaches the scrape.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { openExtension, type Extension } from '../../src/app/index.js';
import { createLogger } from '../../src/common/logger.js';
import { loadServeConfig } from '../../src/config/index.js';
import { generateDecryptionKey } from '../../src/security/index.js';
import { createLegacyDatabase, legacyRows, type LegacyDatabase } from '../e2e/legacy-fixtures.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';

const TENANT_ID = '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21';
const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const TOKEN = 'metrics-token-open-extension-0123456789';

let dir: string;
let keyPath: string;
let legacy: LegacyDatabase;
let ledgers = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'entra-migrate-open-metrics-'));
  const key = await generateDecryptionKey();
  keyPath = join(dir, 'key.pem');
  await writeFile(keyPath, key.privateKeyPem + key.certificatePem, { mode: 0o600 });
  legacy = await createLegacyDatabase('sqlite', await legacyRows());
});
after(async () => {
  await legacy?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function open(settings: Record<string, string>): Promise<Extension> {
  const config = loadServeConfig({
    ENTRA_TENANT_ID: TENANT_ID,
    ENTRA_EXTENSION_APP_ID: APP_ID,
    // Nothing listens on port 1: Entra's signing keys are not needed to check passwords.
    ENTRA_OPENID_CONFIGURATION_URL: `http://127.0.0.1:1/${TENANT_ID}/v2.0/.well-known/openid-configuration`,
    JIT_DECRYPTION_KEY_FILE: keyPath,
    LEGACY_DATABASE_URL: legacy.url,
    LEGACY_USER_QUERY: legacy.query,
    LEDGER_DATABASE_URL: `sqlite://${join(dir, `ledger-${++ledgers}.db`)}`,
    ...settings,
  });
  const logger = createLogger({ level: 'fatal', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  const extension = await openExtension(config, { logger });
  await extension.startupReadiness;
  return extension;
}

/**
 * performance.now() reads during `work`, but for those of the server's event-loop sampler (server/send-margin.ts),
 * which ticks every 10 ms whatever the check does.
 */
async function clockReadsDuring(work: () => Promise<unknown>): Promise<number> {
  const original = performance.now;
  let reads = 0;
  performance.now = () => {
    if (!new Error().stack?.includes('send-margin')) reads++;
    return original.call(performance);
  };
  try {
    await work();
  } finally {
    performance.now = original;
  }
  return reads;
}

const checkBcryptUser = (extension: Extension) =>
  extension.legacy.checkPassword(
    { username: 'bcrypt@e2e.example', email: 'bcrypt@e2e.example', objectId: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee', password: CANARY_PASSWORDS.correct },
    { abortSignal: new AbortController().signal, deadlineAt: Date.now() + 1500 },
  );

test('without METRICS_TOKEN or METRICS_PORT the legacy store checks a password without reading the clock', async () => {
  const extension = await open({});
  try {
    assert.equal(extension.metrics, undefined);
    await checkBcryptUser(extension); // the pool and the statement are ready
    let outcome: string | undefined;
    const reads = await clockReadsDuring(async () => ((outcome = (await checkBcryptUser(extension)).outcome), undefined));
    assert.equal(outcome, 'correct');
    assert.equal(reads, 0, 'no observer: the verifier times nothing');
  } finally {
    await extension.close();
  }
});

test('with METRICS_TOKEN the same check is one hash on the scrape, and the gate is read at scrape time', async () => {
  const extension = await open({ METRICS_TOKEN: TOKEN });
  try {
    assert.ok(extension.metrics);
    await checkBcryptUser(extension);
    const reads = await clockReadsDuring(() => checkBcryptUser(extension));
    assert.equal(reads, 2, "the hash's start and end (the legacy check's timing is the handler's copy, not this authority)");
    const samples = parsePrometheusText((await extension.metrics.text()));
    assert.equal(sampleValue(samples, 'entra_migrate_hash_verify_duration_seconds_count', { format: 'bcrypt' }), 2);
    assert.equal(sampleValue(samples, 'entra_migrate_hash_checks', { state: 'running' }), 0);
    assert.equal(sampleValue(samples, 'entra_migrate_hash_checks_rejected_total', { reason: 'busy' }), 0);
  } finally {
    await extension.close();
  }
});
