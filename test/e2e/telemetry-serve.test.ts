/**
 * Issue 14's traces and OpenTelemetry metrics through `serve` as a deployment opens it (openExtension with what
 * startTelemetry started, beside METRICS_TOKEN's Prometheus metrics), with sign-ins driven by the emulator and an
 * OTLP receiver stand-in on loopback: one span per callout carrying the correlation id the ledger recorded, the
 * legacy check as its child, the same counts in both metric systems, and no password or e-mail in any byte sent.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../src/common/logger.js';
import { CalloutAttribute, LEGACY_CHECK_SPAN, LegacyCheckAttribute, loadTelemetryConfig, OtelMetricName, startTelemetry, type Telemetry } from '../../src/telemetry/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';
import { startOtlpReceiver, type OtlpReceiver } from '../telemetry/otlp-receiver.js';
import { startStack, type Stack } from './harness.js';
import { createLegacyDatabase, legacyRows, type LegacyDatabase } from './legacy-fixtures.js';

const TOKEN = 'metrics-token-telemetry-serve-0123456789';
const SPAN_KIND_SERVER = 2;
const OTEL_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_METRIC_EXPORT_INTERVAL'];

describe('serve with OTEL_EXPORTER_OTLP_ENDPOINT and METRICS_TOKEN: spans and both metric systems after real sign-ins', () => {
  let legacy: LegacyDatabase;
  let receiver: OtlpReceiver;
  let telemetry: Telemetry;
  let stack: Stack;

  before(async () => {
    const rows = await legacyRows();
    legacy = await createLegacyDatabase('sqlite', rows);
    receiver = await startOtlpReceiver();
    const logger = createLogger({ level: 'fatal', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
    // The SDK reads the OTEL_* variables from the process environment, as main.ts starts it.
    Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_METRIC_EXPORT_INTERVAL: '600000' });
    const started = await startTelemetry(loadTelemetryConfig(process.env), { serviceName: 'entra-migrate', logger });
    assert.ok(started?.tracer && started.meter, 'OTLP traces and metrics are on');
    telemetry = started;
    stack = await startStack({
      legacy: { LEGACY_DATABASE_URL: legacy.url, LEGACY_USER_QUERY: legacy.query },
      entraUsers: rows.map((row) => row.email),
      serveSettings: () => ({ METRICS_TOKEN: TOKEN }),
      telemetry: { tracer: telemetry.tracer, meter: telemetry.meter },
    });
  });
  after(async () => {
    await stack?.close();
    await telemetry?.shutdown();
    await receiver?.close();
    for (const name of OTEL_VARIABLES) delete process.env[name];
    await legacy?.drop();
  });

  const signIn = (username: string, password: string) =>
    fetch(`${stack.emulator.url}/api/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

  test('each sign-in is a SERVER span with the ledger’s correlation id, its legacy check a child; the metrics agree', async () => {
    assert.equal((await signIn('bcrypt@e2e.example', CANARY_PASSWORDS.correct)).status, 200);
    assert.equal((await signIn('argon@e2e.example', CANARY_PASSWORDS.wrong)).status, 200);
    const scrape = parsePrometheusText(await (await fetch(`${stack.extensionBaseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text());
    await telemetry.shutdown(); // flushes every span and the one metrics export

    const decisions = await stack.extension.ledger.listDecisions();
    assert.equal(decisions.length, 2);
    const callouts = receiver.spans().filter((span) => span.kind === SPAN_KIND_SERVER);
    assert.equal(callouts.length, 2, 'one span per callout');
    for (const decision of decisions) {
      const span = callouts.find((candidate) => candidate.attributes[CalloutAttribute.CORRELATION_ID] === decision.correlationId);
      assert.ok(span, `a span carries the correlation id of the ${decision.action} decision`);
      assert.equal(span.name, 'OnPasswordSubmit');
      assert.equal(span.attributes[CalloutAttribute.ACTION], decision.action);
      assert.equal(span.attributes[CalloutAttribute.REASON], decision.reason);
      const checks = receiver.spans().filter((candidate) => candidate.parentSpanId === span.spanId);
      assert.deepEqual(checks.map((check) => check.name), [LEGACY_CHECK_SPAN]);
      assert.equal(checks[0]!.traceId, span.traceId);
      assert.equal(checks[0]!.attributes[LegacyCheckAttribute.OUTCOME], decision.action === 'MigratePassword' ? 'correct' : 'wrong');
    }
    assert.deepEqual(decisions.map((decision) => decision.action).sort(), ['MigratePassword', 'Retry']);

    // The recorder fans out: OpenTelemetry saw what the Prometheus scrape shows.
    const metrics = receiver.metrics();
    const points = (name: string) => metrics.filter((metric) => metric.name === name).flatMap((metric) => metric.points);
    const answers = points(OtelMetricName.ANSWERS).filter((point) => point.attributes.event === 'OnPasswordSubmit');
    assert.equal(answers.reduce((sum, point) => sum + (point.value ?? 0), 0), 2);
    assert.equal(sampleValue(scrape, 'entra_migrate_answers_total', { event: 'OnPasswordSubmit', action: 'MigratePassword', status: '200' }), 1);
    const hashes = points(OtelMetricName.HASH_VERIFY_DURATION);
    assert.deepEqual(Object.fromEntries(hashes.map((point) => [point.attributes.format, point.count])), { bcrypt: 1, argon2: 1 });
    assert.equal(sampleValue(scrape, 'entra_migrate_hash_verify_duration_seconds_count', { format: 'bcrypt' }), 1);
    assert.equal(points(OtelMetricName.DECRYPTION_DURATION).reduce((sum, point) => sum + (point.count ?? 0), 0), 2);
    assert.equal(points(OtelMetricName.LEGACY_CHECK_DURATION).reduce((sum, point) => sum + (point.count ?? 0), 0), 2);

    const sent = receiver.allBytes();
    for (const secret of [CANARY_PASSWORDS.correct, CANARY_PASSWORDS.wrong, 'bcrypt@e2e.example', 'argon@e2e.example']) {
      assert.ok(!sent.includes(Buffer.from(secret, 'utf8')), 'no password or e-mail reaches the collector');
    }
  });
});
