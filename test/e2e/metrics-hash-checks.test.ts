/**
 * Issue 14's hash-verify and decryption histograms and the verifier's gate, through `serve` as a deployment opens it
 * (openExtension over a SQLite legacy table of real bcrypt and argon2 hashes), with sign-ins driven by the emulator;
 * and the legacy check's time in the ledger's decisions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mintCalloutToken } from '../../src/emulator/index.js';
import { generateDecryptionKey } from '../../src/security/index.js';
import { calloutBody } from '../server/harness.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { parsePrometheusText, sampleValue, type Sample } from '../support/prometheus-text.js';
import { EXTENSION_APP_ID, startStack, type Stack } from './harness.js';
import { createLegacyDatabase, legacyRows, type LegacyDatabase } from './legacy-fixtures.js';

const TOKEN = 'metrics-token-hash-checks-0123456789';

describe('hash verify, decryption and the verifier gate on /metrics after real callouts', () => {
  let legacy: LegacyDatabase;
  let stack: Stack;

  before(async () => {
    const rows = await legacyRows();
    legacy = await createLegacyDatabase('sqlite', rows);
    stack = await startStack({
      legacy: { LEGACY_DATABASE_URL: legacy.url, LEGACY_USER_QUERY: legacy.query },
      entraUsers: [...rows.map((row) => row.email), 'nobody@e2e.example'],
      serveSettings: () => ({ METRICS_TOKEN: TOKEN }),
    });
  });
  after(async () => {
    await stack?.close();
    await legacy?.drop();
  });

  const signIn = (username: string, password: string) =>
    fetch(`${stack.emulator.url}/api/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const scrape = async (): Promise<Sample[]> => {
    const response = await fetch(`${stack.extensionBaseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 200);
    // prom-client 15 writes NaN as `Nan` (its event-loop lag mean, scraped within 10 ms of the last scrape, has no
    // sample); Prometheus reads floats case-insensitively and takes it, the strict test parser does not.
    return parsePrometheusText((await response.text()));
  };
  const count = (samples: Sample[], name: string, labels: Record<string, string>) => sampleValue(samples, name, labels) ?? 0;

  test('before any sign-in: the gate is idle and both rejection reasons are there at 0', async () => {
    const samples = await scrape();
    assert.equal(sampleValue(samples, 'entra_migrate_hash_checks', { state: 'running' }), 0);
    assert.equal(sampleValue(samples, 'entra_migrate_hash_checks', { state: 'waiting' }), 0);
    assert.equal(sampleValue(samples, 'entra_migrate_hash_checks_rejected_total', { reason: 'busy' }), 0);
    assert.equal(sampleValue(samples, 'entra_migrate_hash_checks_rejected_total', { reason: 'expired' }), 0);
  });

  test('each sign-in is one decryption and one hash, named by its format; the ledger has the legacy check’s time', async () => {
    assert.equal((await signIn('bcrypt@e2e.example', CANARY_PASSWORDS.correct)).status, 200);
    assert.equal((await signIn('argon@e2e.example', CANARY_PASSWORDS.wrong)).status, 200);
    assert.equal((await signIn('django@e2e.example', CANARY_PASSWORDS.wrong)).status, 200);
    // In Entra, not in the legacy table: a stand-in check of what the store's hashes cost.
    assert.equal((await signIn('nobody@e2e.example', CANARY_PASSWORDS.wrong)).status, 200);

    const samples = await scrape();
    const hashCount = (format: string) => count(samples, 'entra_migrate_hash_verify_duration_seconds_count', { format });
    // The unknown user's stand-in is the store's most common kind so far, the first seen of equals: bcrypt.
    assert.deepEqual([hashCount('bcrypt'), hashCount('argon2'), hashCount('django-pbkdf2')], [2, 1, 1]);
    const hashes = samples.filter((sample) => sample.name === 'entra_migrate_hash_verify_duration_seconds_count').reduce((sum, sample) => sum + sample.value, 0);
    assert.equal(hashes, 4, 'three rows and the stand-in for the unknown user, one hash each');
    const bcryptSeconds = count(samples, 'entra_migrate_hash_verify_duration_seconds_sum', { format: 'bcrypt' });
    assert.ok(bcryptSeconds > 0 && bcryptSeconds < 2, `${bcryptSeconds} s of bcrypt`);

    assert.equal(count(samples, 'entra_migrate_decryption_duration_seconds_count', { result: 'ok' }), 4);
    assert.equal(count(samples, 'entra_migrate_decryption_duration_seconds_count', { result: 'failed' }), 0);
    const decryptionSeconds = count(samples, 'entra_migrate_decryption_duration_seconds_sum', { result: 'ok' });
    assert.ok(decryptionSeconds > 0 && decryptionSeconds < count(samples, 'entra_migrate_request_duration_seconds_sum', { event: 'OnPasswordSubmit' }), 'decryption is part of each answer');
    assert.equal(count(samples, 'entra_migrate_hash_checks_rejected_total', { reason: 'busy' }), 0);

    const decisions = await stack.extension.ledger.listDecisions();
    assert.equal(decisions.length, 4);
    for (const decision of decisions) {
      assert.equal(typeof decision.legacyLatencyInMs, 'number', `${decision.reason}: the legacy check's time is recorded`);
      assert.ok(decision.legacyLatencyInMs! >= 0 && decision.legacyLatencyInMs! <= decision.latencyInMs, `${decision.legacyLatencyInMs} ms of ${decision.latencyInMs} ms`);
    }
  });

  test('a password context encrypted for another certificate is a failed decryption, timed too (400, no hash)', async () => {
    const hashesBefore = (await scrape()).filter((sample) => sample.name === 'entra_migrate_hash_verify_duration_seconds_count').reduce((sum, sample) => sum + sample.value, 0);
    const stranger = await generateDecryptionKey({ subject: 'CN=stranger' });
    const response = await fetch(`${stack.extensionBaseUrl}/events/password-submit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await mintCalloutToken(stack.emulator.tenant, { audience: EXTENSION_APP_ID, now: Date.now() })}`, 'content-type': 'application/json' },
      body: JSON.stringify(await calloutBody({ tenantId: stack.emulator.tenant.tenantId, certificatePem: stranger.certificatePem, username: 'bcrypt@e2e.example', password: CANARY_PASSWORDS.correct })),
    });
    assert.equal(response.status, 400);
    const samples = await scrape();
    assert.equal(count(samples, 'entra_migrate_decryption_duration_seconds_count', { result: 'failed' }), 1);
    const hashesAfter = samples.filter((sample) => sample.name === 'entra_migrate_hash_verify_duration_seconds_count').reduce((sum, sample) => sum + sample.value, 0);
    assert.equal(hashesAfter, hashesBefore, 'nothing to check without a password');
  });
});
