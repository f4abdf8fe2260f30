import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';
import { startStack, type Stack } from './harness.js';
import { createLegacyDatabase, legacyRows, type LegacyDatabase } from './legacy-fixtures.js';

describe('metrics on METRICS_PORT, scraped while sign-ins go through the emulator', () => {
  let legacy: LegacyDatabase;
  let stack: Stack;
  let metricsUrl: string;

  before(async () => {
    const rows = await legacyRows();
    legacy = await createLegacyDatabase('sqlite', rows);
    stack = await startStack({
      legacy: { LEGACY_DATABASE_URL: legacy.url, LEGACY_USER_QUERY: legacy.query },
      entraUsers: rows.map((row) => row.email),
      serveSettings: () => ({ METRICS_PORT: '0' }),
    });
    assert.ok(stack.extension.metricsServer, 'METRICS_PORT opens a metrics server');
    metricsUrl = `${await stack.extension.metricsServer.listen({ port: 0, host: '127.0.0.1' })}/metrics`;
  });
  after(async () => {
    await stack?.close();
    await legacy?.drop();
  });

  const signIn = (username: string, password: string) =>
    fetch(`${stack.emulator.url}/api/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const scrape = async () => {
    const response = await fetch(metricsUrl);
    assert.equal(response.status, 200);
    return parsePrometheusText(await response.text());
  };

  test('the callouts\' port has no /metrics; the metrics port has nothing else', async () => {
    assert.equal((await fetch(`${stack.extensionBaseUrl}/metrics`)).status, 404);
    assert.equal((await fetch(metricsUrl.replace('/metrics', '/events/password-submit'))).status, 404);
  });

  test('a migration and a wrong password are counted, with the legacy check timed by outcome, the key ring and the circuit', async () => {
    assert.equal((await signIn('bcrypt@e2e.example', CANARY_PASSWORDS.correct)).status, 200);
    assert.equal((await signIn('argon@e2e.example', CANARY_PASSWORDS.wrong)).status, 200);
    const samples = await scrape();
    assert.equal(sampleValue(samples, 'entra_migrate_answers_total', { event: 'OnPasswordSubmit', action: 'MigratePassword', status: '200' }), 1);
    assert.equal(sampleValue(samples, 'entra_migrate_answers_total', { event: 'OnPasswordSubmit', action: 'Retry', status: '200' }), 1);
    assert.equal(sampleValue(samples, 'entra_migrate_legacy_check_duration_seconds_count', { outcome: 'correct' }), 1);
    assert.equal(sampleValue(samples, 'entra_migrate_legacy_check_duration_seconds_count', { outcome: 'wrong' }), 1);
    assert.equal(sampleValue(samples, 'entra_migrate_legacy_circuit_state', { state: 'closed' }), 1);
    assert.equal(sampleValue(samples, 'entra_migrate_decryption_keys'), 1);
    assert.ok((sampleValue(samples, 'entra_migrate_signing_key_refreshes_total', { result: 'ok' }) ?? 0) >= 1, "Entra's signing keys were fetched");
    assert.ok(sampleValue(samples, 'entra_migrate_process_cpu_user_seconds_total') !== undefined, 'process metrics are there');
  });
});
