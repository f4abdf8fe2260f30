import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { afterEach, test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { createLogger } from '../../src/common/logger.js';
import { createOtelExtensionMetrics, loadTelemetryConfig, startTelemetry, type Telemetry } from '../../src/telemetry/index.js';
import { CANARY_OTP_CODE, CANARY_PASSWORDS } from '../support/canaries.js';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.js';
import { CANARY_EMAIL, CANARY_OTP_RECIPIENT, startTracedServer, type TracedServer } from './traced-server.js';

/** OTLP/JSON's span kinds (opentelemetry-proto trace.proto SpanKind). */
const SPAN_KIND_INTERNAL = 1;
const SPAN_KIND_SERVER = 2;
const STATUS_CODE_ERROR = 2;

const OTEL_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_METRIC_EXPORT_INTERVAL', 'OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES'];
const saved = Object.fromEntries(OTEL_VARIABLES.map((name) => [name, process.env[name]]));
let cleanUp: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const step of cleanUp.reverse()) await step();
  cleanUp = [];
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** Telemetry to a fresh receiver in `protocol`, and a traced server; both closed after the test. */
async function startAll(protocol: 'http/json' | 'http/protobuf'): Promise<{ receiver: OtlpReceiver; telemetry: Telemetry; server: TracedServer; logs(): string }> {
  const receiver = await startOtlpReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL = protocol;
  process.env.OTEL_METRIC_EXPORT_INTERVAL = '600000'; // only the shutdown's flush exports: one export to read
  let logText = '';
  const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
  const telemetry = await startTelemetry(loadTelemetryConfig(process.env), { serviceName: 'entra-migrate', logger });
  assert.ok(telemetry?.tracer, 'tracing is on');
  const server = await startTracedServer({ tracer: telemetry.tracer });
  cleanUp.push(() => receiver.close(), () => telemetry.shutdown(), () => server.close());
  return { receiver, telemetry, server, logs: () => logText };
}

/** True when none of the secrets that went through the callouts is in `bytes` (each named, never printed). */
function assertNoSecrets(bytes: Buffer, secrets: Record<string, string>): void {
  const text = bytes.toString('utf8');
  for (const [what, secret] of Object.entries(secrets)) assert.ok(!text.includes(secret) && !bytes.includes(Buffer.from(secret, 'utf8')), `the ${what} is not in what the receiver got`);
}

test('http/json: one SERVER span per callout with the correlation id and the action; the legacy check is its child', async () => {
  const { receiver, telemetry, server, logs } = await startAll('http/json');
  const right = await server.passwordBody(CANARY_EMAIL, CANARY_PASSWORDS.correct);
  const wrong = await server.passwordBody(CANARY_EMAIL, CANARY_PASSWORDS.wrong);
  const otp = server.otpBody(CANARY_OTP_RECIPIENT);
  const bearer = await server.token();
  assert.equal((await server.post('/events/password-submit', right.body, bearer)).statusCode, 200);
  assert.equal((await server.post('/events/password-submit', wrong.body, bearer)).statusCode, 200);
  assert.equal((await server.post('/events/otp-send', otp.body, bearer)).statusCode, 200);
  assert.equal(server.mails.length, 1, 'the code did travel, to the mailer');
  const refused = await server.post('/events/password-submit', right.body, 'not-a-token');
  assert.equal(refused.statusCode, 401);
  await telemetry.shutdown();

  const spans = receiver.spans();
  const servers = spans.filter((span) => span.kind === SPAN_KIND_SERVER);
  assert.equal(servers.length, 4, 'one SERVER span per callout, the refused one included');
  const byCorrelation = (id: string) => servers.filter((span) => span.attributes['entra.correlation_id'] === id);

  const [migrated, ...others] = byCorrelation(right.correlationId);
  assert.ok(migrated, 'the correlation id is on the answered span');
  assert.equal(others.length, 0, 'the refused callout has none: its token is checked before its body is read');
  assert.equal(migrated.name, 'OnPasswordSubmit');
  assert.deepEqual(
    { event: migrated.attributes['entra.event'], action: migrated.attributes['entra_migrate.action'], status: migrated.attributes['http.response.status_code'], outcome: migrated.attributes['entra_migrate.outcome'] },
    { event: 'OnPasswordSubmit', action: 'MigratePassword', status: 200, outcome: 'password-correct' },
  );
  assert.notEqual(migrated.status.code, STATUS_CODE_ERROR);
  const [retried] = byCorrelation(wrong.correlationId);
  assert.equal(retried?.attributes['entra_migrate.action'], 'Retry');
  assert.equal(retried?.attributes['entra_migrate.outcome'], 'password-wrong');

  // The 401: no decision, no correlation id (the body was never read), the refusal's error code.
  const unauthorised = servers.find((span) => span.attributes['http.response.status_code'] === 401);
  assert.ok(unauthorised);
  assert.equal(unauthorised.attributes['entra_migrate.action'], 'error');
  assert.equal(unauthorised.attributes['entra.correlation_id'], undefined);
  assert.match(String(unauthorised.attributes['entra_migrate.error_code']), /^[A-Z_]+$/);

  const otpSpan = byCorrelation(otp.correlationId)[0];
  assert.equal(otpSpan?.name, 'OnOtpSend');
  assert.equal(otpSpan?.attributes['entra_migrate.action'], 'continueWithDefaultBehavior');

  const checks = spans.filter((span) => span.name === 'legacy.check_password');
  assert.equal(checks.length, 2, 'one legacy check per OnPasswordSubmit that reached the store');
  for (const [parent, outcome] of [[migrated, 'correct'], [retried!, 'wrong']] as const) {
    const child = checks.find((span) => span.parentSpanId === parent.spanId);
    assert.ok(child, `the ${outcome} check is a child of its callout's span`);
    assert.equal(child.traceId, parent.traceId);
    assert.equal(child.kind, SPAN_KIND_INTERNAL);
    assert.equal(child.attributes['entra_migrate.legacy.outcome'], outcome);
    assert.equal(child.attributes['entra_migrate.legacy.store'], 'memory');
  }
  assert.equal(migrated.resource['service.name'], 'entra-migrate');
  assert.equal(migrated.resource['process.command_args'], undefined, 'the command line is not a resource attribute');

  assertNoSecrets(receiver.allBytes(), {
    'right password': CANARY_PASSWORDS.correct,
    'wrong password': CANARY_PASSWORDS.wrong,
    'one-time code': CANARY_OTP_CODE,
    'signing-in e-mail': CANARY_EMAIL,
    'code recipient': CANARY_OTP_RECIPIENT,
    'bearer token': bearer.split('.')[2]!,
    JWE: right.jwe.split('.')[3]!.slice(0, 40),
  });
  assert.ok(logs().includes('telemetry is sent to otlp'));
});

test('http/json: a 5xx answer is status ERROR with its error code as the only message', async () => {
  const { receiver, telemetry, server } = await startAll('http/json');
  server.mailerFails = true;
  const otp = server.otpBody(CANARY_OTP_RECIPIENT);
  assert.equal((await server.post('/events/otp-send', otp.body)).statusCode, 502);
  await telemetry.shutdown();
  const span = receiver.spans().find((candidate) => candidate.attributes['entra.correlation_id'] === otp.correlationId);
  assert.ok(span);
  assert.deepEqual(span.status, { code: STATUS_CODE_ERROR, message: 'OTP_PROVIDER_FAILED' });
  assert.equal(span.attributes['entra_migrate.error_code'], 'OTP_PROVIDER_FAILED');
  assert.equal(span.attributes['entra_migrate.action'], 'error');
  assertNoSecrets(receiver.allBytes(), { 'one-time code': CANARY_OTP_CODE, 'code recipient': CANARY_OTP_RECIPIENT });
});

test('a caller that hangs up before the answer: its span still ends, once, as an error', async () => {
  const { receiver, telemetry, server } = await startAll('http/json');
  server.mailerHangs = true;
  const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const otp = server.otpBody(CANARY_OTP_RECIPIENT);
  const aborter = new AbortController();
  const sent = fetch(`${address}/events/otp-send`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await server.token()}`, 'content-type': 'application/json' },
    body: JSON.stringify(otp.body),
    signal: aborter.signal,
  }).catch((error: unknown) => error);
  await new Promise((resolve) => setTimeout(resolve, 300));
  aborter.abort();
  assert.ok((await sent) instanceof Error, 'the caller gave up');
  await new Promise((resolve) => setTimeout(resolve, 1800)); // past the route's deadline: the handler has finished too
  await telemetry.shutdown();
  const spans = receiver.spans().filter((span) => span.name === 'OnOtpSend');
  assert.equal(spans.length, 1, 'one span, ended once');
  assert.equal(spans[0]!.status.code, STATUS_CODE_ERROR);
  assert.equal(spans[0]!.attributes['entra_migrate.action'], 'error');
  assert.equal(spans[0]!.attributes['entra_migrate.error_code'], 'CLIENT_CLOSED_REQUEST');
  assert.equal(spans[0]!.attributes['entra.correlation_id'], otp.correlationId);
});

test('http/json: the extension metrics on the OTel meter arrive with the Prometheus buckets and bounded attributes', async () => {
  const { receiver, telemetry } = await startAll('http/json');
  assert.ok(telemetry.meter);
  const recorder = createOtelExtensionMetrics(telemetry.meter);
  recorder.answered({ event: 'OnPasswordSubmit', action: 'MigratePassword', status: 200, seconds: 0.084 });
  recorder.answered({ event: 'OnPasswordSubmit', action: 'MigratePassword', status: 200, seconds: 0.3 });
  recorder.answered({ event: 'OnOtpSend', action: 'error', status: 502, seconds: 0.02 });
  recorder.legacyCheck(0.05, 'correct');
  recorder.signingKeyRefresh('ok');
  recorder.hashVerify(0.004, 'bcrypt');
  recorder.decryption(0.002, 'ok');
  recorder.admissionRejected('busy');
  await telemetry.shutdown();
  const metrics = receiver.metrics();
  const named = (name: string) => metrics.find((metric) => metric.name === name);
  const answers = named('entra_migrate.answers');
  assert.ok(answers);
  const migrated = answers.points.find((point) => point.attributes.event === 'OnPasswordSubmit');
  assert.deepEqual(migrated, { attributes: { event: 'OnPasswordSubmit', action: 'MigratePassword', 'http.response.status_code': 200 }, value: 2 });
  const duration = named('entra_migrate.request.duration');
  assert.equal(duration?.unit, 's');
  const passwordDuration = duration?.points.find((point) => point.attributes.event === 'OnPasswordSubmit');
  assert.equal(passwordDuration?.count, 2);
  assert.deepEqual(passwordDuration?.explicitBounds, [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5]);
  assert.equal(named('entra_migrate.legacy_check.duration')?.points[0]?.attributes.outcome, 'correct');
  assert.equal(named('entra_migrate.signing_key.refreshes')?.points[0]?.value, 1);
  assert.deepEqual(named('entra_migrate.hash_verify.duration')?.points[0]?.explicitBounds?.slice(0, 4), [0.0005, 0.001, 0.0025, 0.005]);
  assert.equal(named('entra_migrate.hash_verify.duration')?.points[0]?.attributes.format, 'bcrypt');
  assert.equal(named('entra_migrate.decryption.duration')?.points[0]?.attributes.result, 'ok');
  assert.deepEqual(named('entra_migrate.hash_checks.rejected')?.points[0], { attributes: { reason: 'busy' }, value: 1 });
});

test('http/protobuf (the default protocol): the spans arrive as protobuf, the strings we chose in them and no secret', async () => {
  const { receiver, telemetry, server } = await startAll('http/protobuf');
  const right = await server.passwordBody(CANARY_EMAIL, CANARY_PASSWORDS.correct);
  const otp = server.otpBody(CANARY_OTP_RECIPIENT);
  const bearer = await server.token();
  assert.equal((await server.post('/events/password-submit', right.body, bearer)).statusCode, 200);
  assert.equal((await server.post('/events/otp-send', otp.body, bearer)).statusCode, 200);
  await telemetry.shutdown();
  const traces = receiver.exports.filter((entry) => entry.path === '/v1/traces');
  assert.ok(traces.length > 0, 'trace exports arrived');
  assert.ok(traces.every((entry) => entry.contentType === 'application/x-protobuf'));
  const bytes = Buffer.concat(traces.map((entry) => entry.body));
  for (const expected of ['OnPasswordSubmit', 'OnOtpSend', 'legacy.check_password', right.correlationId, otp.correlationId, 'MigratePassword', 'entra.correlation_id']) {
    assert.ok(bytes.includes(Buffer.from(expected)), `${expected} is in the protobuf bytes`);
  }
  assertNoSecrets(receiver.allBytes(), {
    'right password': CANARY_PASSWORDS.correct,
    'one-time code': CANARY_OTP_CODE,
    'signing-in e-mail': CANARY_EMAIL,
    'code recipient': CANARY_OTP_RECIPIENT,
    'bearer token': bearer.split('.')[2]!,
    JWE: right.jwe.split('.')[3]!.slice(0, 40),
  });
});

test('OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over our default service name, as the SDK reads them', async () => {
  process.env.OTEL_SERVICE_NAME = 'extension-westeurope';
  process.env.OTEL_RESOURCE_ATTRIBUTES = 'deployment.environment.name=production';
  const { receiver, telemetry, server } = await startAll('http/json');
  const right = await server.passwordBody(CANARY_EMAIL, CANARY_PASSWORDS.correct);
  await server.post('/events/password-submit', right.body);
  await telemetry.shutdown();
  const span = receiver.spans().find((candidate) => candidate.name === 'OnPasswordSubmit');
  assert.equal(span?.resource['service.name'], 'extension-westeurope');
  assert.equal(span?.resource['deployment.environment.name'], 'production');
});

test('neither variable: nothing is started, no global tracer is registered, and the server makes no span', async () => {
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const config = loadTelemetryConfig({});
  const telemetry = await startTelemetry(config, { serviceName: 'entra-migrate', logger: createLogger({ level: 'silent' }) });
  assert.equal(telemetry, null);
  const span = trace.getTracer('probe').startSpan('probe');
  assert.equal(span.isRecording(), false, 'the API is its no-op');
  span.end();
  const server = await startTracedServer();
  cleanUp.push(() => server.close());
  const right = await server.passwordBody(CANARY_EMAIL, CANARY_PASSWORDS.correct);
  assert.equal((await server.post('/events/password-submit', right.body)).statusCode, 200);
});

test('shutdown ends within its bound when the collector never answers', async () => {
  const { createServer } = await import('node:net');
  const silent = createServer(() => undefined); // accepts connections, never answers
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  cleanUp.push(() => new Promise<void>((resolve) => { silent.close(() => resolve()); for (const socket of sockets) socket.destroy(); }));
  const sockets: import('node:net').Socket[] = [];
  silent.on('connection', (socket) => sockets.push(socket));
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
  process.env.OTEL_METRIC_EXPORT_INTERVAL = '600000';
  const telemetry = await startTelemetry(loadTelemetryConfig(process.env), { serviceName: 'entra-migrate', logger: createLogger({ level: 'silent' }) });
  assert.ok(telemetry?.tracer);
  telemetry.tracer.startSpan('OnPasswordSubmit').end();
  const startedAt = performance.now();
  await telemetry.shutdown();
  const tookInMs = performance.now() - startedAt;
  assert.ok(tookInMs < 5500, `shutdown took ${Math.round(tookInMs)} ms`);
});
