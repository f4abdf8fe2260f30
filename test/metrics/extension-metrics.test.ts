import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createExtensionMetrics } from '../../src/metrics/extension-metrics.js';
import { withCheckTiming } from '../../src/metrics/timed-authority.js';
import type { LegacyAuthority } from '../../src/legacy/index.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';

const DAY = 86_400_000;

describe('extension metrics', () => {
  test('answers are counted by event, action and status, and their latency lands in the right buckets', async () => {
    const metrics = createExtensionMetrics({}, { processMetrics: false });
    metrics.answered({ event: 'OnPasswordSubmit', action: 'MigratePassword', status: 200, seconds: 0.08 });
    metrics.answered({ event: 'OnPasswordSubmit', action: 'MigratePassword', status: 200, seconds: 1.9 });
    metrics.answered({ event: 'OnPasswordSubmit', action: 'error', status: 503, seconds: 2.4 });
    const samples = parsePrometheusText(await metrics.text());
    assert.equal(sampleValue(samples, 'entra_migrate_answers_total', { event: 'OnPasswordSubmit', action: 'MigratePassword', status: '200' }), 2);
    assert.equal(sampleValue(samples, 'entra_migrate_answers_total', { action: 'error', status: '503' }), 1);
    const bucket = (le: string) => sampleValue(samples, 'entra_migrate_request_duration_seconds_bucket', { event: 'OnPasswordSubmit', le });
    assert.deepEqual([bucket('0.1'), bucket('2'), bucket('+Inf')], [1, 2, 3]);
    assert.equal(sampleValue(samples, 'entra_migrate_request_duration_seconds_count', { event: 'OnPasswordSubmit' }), 3);
  });

  test('the probes are read at scrape time: circuit state, keys and days to expiry, hash checks waiting', async () => {
    let state = 'closed';
    const now = Date.UTC(2026, 11, 2);
    const metrics = createExtensionMetrics(
      {
        circuitState: () => state,
        decryptionKeys: () => [{ id: 'key-a', notAfter: now + 30 * DAY + 5 }, { id: 'key-b', notAfter: now - 2 * DAY }, { id: 'key-c', notAfter: null }],
        admissionLoad: () => ({ running: 3, waiting: 7 }),
      },
      { clock: () => now, processMetrics: false },
    );
    let samples = parsePrometheusText(await metrics.text());
    assert.equal(sampleValue(samples, 'entra_migrate_legacy_circuit_state', { state: 'closed' }), 1);
    assert.equal(sampleValue(samples, 'entra_migrate_legacy_circuit_state', { state: 'open' }), 0);
    assert.equal(sampleValue(samples, 'entra_migrate_decryption_keys'), 3);
    assert.equal(sampleValue(samples, 'entra_migrate_decryption_key_days_to_expiry', { key: 'key-a' }), 30);
    assert.equal(sampleValue(samples, 'entra_migrate_decryption_key_days_to_expiry', { key: 'key-b' }), -2);
    assert.equal(sampleValue(samples, 'entra_migrate_decryption_key_days_to_expiry', { key: 'key-c' }), undefined, 'no end, no figure');
    assert.equal(sampleValue(samples, 'entra_migrate_hash_checks', { state: 'waiting' }), 7);
    state = 'open';
    samples = parsePrometheusText(await metrics.text());
    assert.equal(sampleValue(samples, 'entra_migrate_legacy_circuit_state', { state: 'open' }), 1);
    assert.equal(sampleValue(samples, 'entra_migrate_legacy_circuit_state', { state: 'closed' }), 0);
  });

  test("the ledger's write-behind queue: rows held, writes failing, and written and dropped rows as counters", async () => {
    let stats = { heldRows: 0, writtenRows: 40, droppedRows: 0, failing: false };
    const metrics = createExtensionMetrics({ ledgerWrites: () => stats }, { processMetrics: false });
    let samples = parsePrometheusText(await metrics.text());
    assert.deepEqual(
      ['entra_migrate_ledger_rows_held', 'entra_migrate_ledger_writes_failing', 'entra_migrate_ledger_rows_written_total', 'entra_migrate_ledger_rows_dropped_total'].map((name) => sampleValue(samples, name)),
      [0, 0, 40, 0],
    );
    stats = { heldRows: 1200, writtenRows: 55, droppedRows: 3, failing: true };
    samples = parsePrometheusText(await metrics.text());
    assert.deepEqual(
      ['entra_migrate_ledger_rows_held', 'entra_migrate_ledger_writes_failing', 'entra_migrate_ledger_rows_written_total', 'entra_migrate_ledger_rows_dropped_total'].map((name) => sampleValue(samples, name)),
      [1200, 1, 55, 3],
    );
    samples = parsePrometheusText(await metrics.text());
    assert.equal(sampleValue(samples, 'entra_migrate_ledger_rows_written_total'), 55, 'a scrape with nothing new adds nothing');
  });

  test('hash verify time is a histogram by format, with buckets below 5 ms for the fast formats', async () => {
    const metrics = createExtensionMetrics({}, { processMetrics: false });
    metrics.hashVerify(0.0004, 'django-pbkdf2');
    metrics.hashVerify(0.062, 'bcrypt');
    metrics.hashVerify(0.31, 'bcrypt');
    const samples = parsePrometheusText(await metrics.text());
    const bucket = (format: string, le: string) => sampleValue(samples, 'entra_migrate_hash_verify_duration_seconds_bucket', { format, le });
    assert.deepEqual([bucket('django-pbkdf2', '0.0005'), bucket('django-pbkdf2', '0.005')], [1, 1]);
    assert.deepEqual([bucket('bcrypt', '0.05'), bucket('bcrypt', '0.1'), bucket('bcrypt', '0.25'), bucket('bcrypt', '0.5')], [0, 1, 1, 2]);
    assert.equal(sampleValue(samples, 'entra_migrate_hash_verify_duration_seconds_count', { format: 'bcrypt' }), 2);
    assert.ok(Math.abs(sampleValue(samples, 'entra_migrate_hash_verify_duration_seconds_sum', { format: 'bcrypt' })! - 0.372) < 1e-9);
  });

  test('decryption time is a histogram by result, ok or failed', async () => {
    const metrics = createExtensionMetrics({}, { processMetrics: false });
    metrics.decryption(0.0012, 'ok');
    metrics.decryption(0.0019, 'ok');
    metrics.decryption(0.6, 'failed');
    const samples = parsePrometheusText(await metrics.text());
    const bucket = (result: string, le: string) => sampleValue(samples, 'entra_migrate_decryption_duration_seconds_bucket', { result, le });
    assert.deepEqual([bucket('ok', '0.001'), bucket('ok', '0.0025'), bucket('ok', '+Inf')], [0, 2, 2]);
    assert.deepEqual([bucket('failed', '0.5'), bucket('failed', '0.75')], [0, 1]);
    assert.equal(sampleValue(samples, 'entra_migrate_decryption_duration_seconds_count', { result: 'failed' }), 1);
  });

  test("the verifier's rejections are counted by reason; with a verifier (its load probe) both start at 0", async () => {
    const metrics = createExtensionMetrics({ admissionLoad: () => ({ running: 2, waiting: 0 }) }, { processMetrics: false });
    let samples = parsePrometheusText(await metrics.text());
    assert.equal(sampleValue(samples, 'entra_migrate_hash_checks_rejected_total', { reason: 'busy' }), 0);
    assert.equal(sampleValue(samples, 'entra_migrate_hash_checks_rejected_total', { reason: 'expired' }), 0);
    metrics.admissionRejected('busy');
    metrics.admissionRejected('expired');
    metrics.admissionRejected('expired');
    samples = parsePrometheusText(await metrics.text());
    assert.equal(sampleValue(samples, 'entra_migrate_hash_checks_rejected_total', { reason: 'busy' }), 1);
    assert.equal(sampleValue(samples, 'entra_migrate_hash_checks_rejected_total', { reason: 'expired' }), 2);
    assert.equal(sampleValue(samples, 'entra_migrate_hash_checks', { state: 'running' }), 2);
    // A store that checks passwords itself (LDAP, a web service) has no verifier: no zero series that suggest one.
    const noVerifier = parsePrometheusText(await createExtensionMetrics({}, { processMetrics: false }).text());
    assert.equal(sampleValue(noVerifier, 'entra_migrate_hash_checks_rejected_total', { reason: 'busy' }), undefined);
    assert.equal(sampleValue(noVerifier, 'entra_migrate_hash_checks', { state: 'waiting' }), undefined);
  });

  test('two registries never share counts (two servers in one process)', async () => {
    const one = createExtensionMetrics({}, { processMetrics: false });
    const two = createExtensionMetrics({}, { processMetrics: false });
    one.signingKeyRefresh('failed');
    assert.equal(sampleValue(parsePrometheusText(await one.text()), 'entra_migrate_signing_key_refreshes_total', { result: 'failed' }), 1);
    assert.equal(sampleValue(parsePrometheusText(await two.text()), 'entra_migrate_signing_key_refreshes_total', { result: 'failed' }), undefined);
  });

  test('a timed authority reports each check with its outcome, errors included, and keeps the rest of the authority', async () => {
    const seen: string[] = [];
    let down = false;
    const authority: LegacyAuthority = {
      kind: 'test',
      checkPassword: async () => {
        if (down) throw new Error('the legacy store is down');
        return { outcome: 'wrong', legacyId: null };
      },
      ping: async () => undefined,
      close: async () => undefined,
    };
    const timed = withCheckTiming(authority, (seconds, outcome) => {
      assert.ok(seconds >= 0 && seconds < 5);
      seen.push(outcome);
    });
    assert.equal(timed.kind, 'test');
    const attempt = { username: 'nobody@example.org', email: null, objectId: '00000000-0000-0000-0000-000000000001', password: 'x' };
    const options = { abortSignal: new AbortController().signal, deadlineAt: Date.now() + 1000 };
    assert.deepEqual(await timed.checkPassword(attempt, options), { outcome: 'wrong', legacyId: null });
    down = true;
    await assert.rejects(timed.checkPassword(attempt, options), /down/);
    assert.equal(seen.length, 2);
    assert.deepEqual(seen, ['wrong', 'error']);
  });
});
