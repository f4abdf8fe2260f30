import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createLogger } from '../../src/common/logger.js';
import { generateDecryptionKey } from '../../src/security/index.js';
import { createOtelExtensionMetrics, loadTelemetryConfig, startTelemetry, type Telemetry } from '../../src/telemetry/index.js';
import { CANARY_OTP_CODE, CANARY_PASSWORDS } from '../support/canaries.js';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.js';
import { CANARY_EMAIL, CANARY_OTP_RECIPIENT, startTracedServer, type TracedServer } from './traced-server.js';

/** A made-up instrumentation key: it must not be echoed anywhere either (it is the connection string's secret). */
const INSTRUMENTATION_KEY = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

interface Envelope {
  name: string;
  iKey?: string;
  tags?: Record<string, string>;
  data?: { baseType?: string; baseData?: { name?: string; responseCode?: string; success?: boolean; properties?: Record<string, string>; type?: string; resultCode?: string; id?: string } };
}

/**
 * Application Insights' ingestion stand-in: POST /v2.1/track with a gzip JSON array of envelopes, answered as the
 * service answers (itemsReceived/itemsAccepted). Every path asked for is kept, to see nothing else is called. Over
 * https with a self-signed certificate: the exporter rewrites an http: IngestionEndpoint to https: (its
 * connectionStringParser), so this test process does not verify certificates (NODE_TLS_REJECT_UNAUTHORIZED=0,
 * here only: nothing else in this process talks TLS).
 */
async function startIngestionStandIn(): Promise<{ url: string; envelopes: Envelope[]; paths: string[]; raw: Buffer[]; close(): Promise<void> }> {
  const envelopes: Envelope[] = [];
  const paths: string[] = [];
  const raw: Buffer[] = [];
  const { privateKeyPem, certificatePem } = await generateDecryptionKey();
  const server: Server = createServer({ key: privateKeyPem, cert: certificatePem }, async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    paths.push(`${request.method} ${request.url}`);
    const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(Buffer.concat(chunks)) : Buffer.concat(chunks);
    raw.push(body);
    if (request.method === 'POST' && request.url?.startsWith('/v2.1/track')) {
      const items = JSON.parse(body.toString('utf8')) as Envelope[];
      envelopes.push(...items);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `https://127.0.0.1:${port}/`, envelopes, paths, raw, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let ingestion: Awaited<ReturnType<typeof startIngestionStandIn>>;
let receiver: OtlpReceiver;
let telemetry: Telemetry;
let server: TracedServer;
let logText = '';
let startInMs = 0;

before(async () => {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  ingestion = await startIngestionStandIn();
  receiver = await startOtlpReceiver();
  // Both set: Application Insights through the distro, and OTLP beside it.
  process.env.APPLICATIONINSIGHTS_CONNECTION_STRING = `InstrumentationKey=${INSTRUMENTATION_KEY};IngestionEndpoint=${ingestion.url};LiveEndpoint=${ingestion.url}`;
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
  process.env.OTEL_METRIC_EXPORT_INTERVAL = '600000';
  // The distro samples 5 traces a second by default (its rate-limited sampler): every one, here, as the SDK's
  // variable says. (microsoft.fixed_percentage alone would not do: 1.18.1 keeps the 5-a-second cap beside it.)
  process.env.OTEL_TRACES_SAMPLER = 'always_on';
  const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
  const startedAt = performance.now();
  const started = await startTelemetry(loadTelemetryConfig(process.env), { serviceName: 'entra-migrate', logger });
  startInMs = performance.now() - startedAt;
  assert.ok(started?.tracer && started.meter);
  telemetry = started;
  server = await startTracedServer({ tracer: telemetry.tracer });
});

after(async () => {
  await server?.close();
  await telemetry?.shutdown();
  await ingestion?.close();
  await receiver?.close();
});

test('Application Insights: a request item per callout with the correlation id, a dependency item for the legacy check, no secret', async () => {
  const right = await server.passwordBody(CANARY_EMAIL, CANARY_PASSWORDS.correct);
  const otp = server.otpBody(CANARY_OTP_RECIPIENT);
  const bearer = await server.token();
  assert.equal((await server.post('/events/password-submit', right.body, bearer)).statusCode, 200);
  assert.equal((await server.post('/events/otp-send', otp.body, bearer)).statusCode, 200);
  createOtelExtensionMetrics(telemetry.meter!).answered({ event: 'OnPasswordSubmit', action: 'MigratePassword', status: 200, seconds: 0.08 });
  await telemetry.shutdown();

  const requests = ingestion.envelopes.filter((envelope) => envelope.data?.baseType === 'RequestData');
  const migrated = requests.find((envelope) => envelope.data?.baseData?.properties?.['entra.correlation_id'] === right.correlationId);
  assert.ok(migrated, 'a request item carries the correlation id as a custom dimension');
  assert.equal(migrated.data?.baseData?.name, 'POST /events/password-submit', 'the exporter names a request by method and route');
  assert.equal(migrated.data?.baseData?.properties?.['entra.event'], 'OnPasswordSubmit');
  assert.equal(migrated.data?.baseData?.responseCode, '200');
  assert.equal(migrated.data?.baseData?.properties?.['entra_migrate.action'], 'MigratePassword');
  assert.equal(migrated.tags?.['ai.cloud.role'], 'entra-migrate', 'the cloud role is our service name');
  assert.ok(requests.some((envelope) => envelope.data?.baseData?.properties?.['entra.correlation_id'] === otp.correlationId), 'the OTP callout too');

  const dependencies = ingestion.envelopes.filter((envelope) => envelope.data?.baseType === 'RemoteDependencyData');
  const check = dependencies.find((envelope) => envelope.data?.baseData?.name === 'legacy.check_password');
  assert.ok(check, 'the legacy check is a dependency item');
  assert.equal(check.data?.baseData?.properties?.['entra_migrate.legacy.outcome'], 'correct');
  assert.equal(check.tags?.['ai.operation.id'], migrated.tags?.['ai.operation.id'], 'in the same operation as its request');

  const metricNames = ingestion.envelopes.filter((envelope) => envelope.data?.baseType === 'MetricData').map((envelope) => JSON.stringify(envelope.data));
  assert.ok(metricNames.some((text) => text.includes('entra_migrate.answers')), 'our counters reach Application Insights as metrics');

  // Only the ingestion endpoint was called: no live metrics (LiveEndpoint points here too), nothing else.
  assert.ok(ingestion.paths.length > 0);
  assert.ok(ingestion.paths.every((path) => path.startsWith('POST /v2.1/track')), `only /v2.1/track was called: ${[...new Set(ingestion.paths.map((path) => path.split('?')[0]))].join(', ')}`);

  // And the OTLP receiver beside it got the same spans.
  assert.ok(receiver.spans().some((span) => span.attributes['entra.correlation_id'] === right.correlationId), 'the OTLP receiver got the span too');

  const everything = Buffer.concat([...ingestion.raw, receiver.allBytes(), Buffer.from(logText)]).toString('utf8');
  for (const [what, secret] of Object.entries({
    'right password': CANARY_PASSWORDS.correct,
    'one-time code': CANARY_OTP_CODE,
    'signing-in e-mail': CANARY_EMAIL,
    'code recipient': CANARY_OTP_RECIPIENT,
    'bearer token': bearer.split('.')[2]!,
    JWE: right.jwe.split('.')[3]!.slice(0, 40),
  })) {
    assert.ok(!everything.includes(secret), `the ${what} is not in what Application Insights, the OTLP receiver or the log got`);
  }
  assert.ok(!logText.includes(INSTRUMENTATION_KEY), 'the instrumentation key is not in the log');
  assert.ok(logText.includes('telemetry is sent to otlp and azure-monitor'));
});

test('the distro starts without waiting on Azure resource detection, and statsbeat is off', () => {
  assert.ok(startInMs < 3000, `startTelemetry took ${Math.round(startInMs)} ms`);
  assert.equal(process.env.APPLICATION_INSIGHTS_NO_STATSBEAT, 'true');
  assert.equal(process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED, 'true');
});
