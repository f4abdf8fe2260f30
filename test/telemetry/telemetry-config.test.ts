import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { loadTelemetryConfig, telemetryWanted } from '../../src/telemetry/index.js';

const KEY = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const CONNECTION_STRING = `InstrumentationKey=${KEY};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/;ApplicationId=11112222-3333-4444-5555-666677778888`;

/** The problems `env` is refused with, as `setting: problem` lines; fails when it is accepted. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadTelemetryConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.code, 'CONFIG_INVALID');
    return error.problems.map(({ setting, problem }) => `${setting}: ${problem}`);
  }
  assert.fail('the settings were accepted');
}

test('neither variable: nothing is wanted', () => {
  const config = loadTelemetryConfig({});
  assert.deepEqual(config, { otlp: null, azureMonitor: null });
  assert.equal(telemetryWanted(config), false);
  assert.ok(Object.isFrozen(config));
  // Unrelated OTEL_* settings alone start nothing either.
  assert.equal(telemetryWanted(loadTelemetryConfig({ OTEL_SERVICE_NAME: 'entra-migrate', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })), false);
});

test('OTLP: the endpoint, its protocol (http/protobuf by default), the exporters the SDK would build', () => {
  assert.deepEqual(loadTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318' }).otlp, {
    endpointOrigin: 'http://otel-collector:4318',
    protocol: 'http/protobuf',
    traces: true,
    metrics: true,
  });
  const grpc = loadTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com:4317/', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_METRICS_EXPORTER: 'none' });
  assert.deepEqual(grpc.otlp, { endpointOrigin: 'https://otlp.example.com:4317', protocol: 'grpc', traces: true, metrics: false });
  assert.equal(loadTelemetryConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://localhost:4318/v1/traces', OTEL_TRACES_EXPORTER: 'none' }).otlp?.traces, false);
  assert.equal(loadTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://api.honeycomb.io', OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=abc123,x-honeycomb-dataset=entra' }).otlp?.protocol, 'http/protobuf');
});

test('OTEL_SDK_DISABLED=true: nothing is started, whatever else is set', () => {
  const config = loadTelemetryConfig({ OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318', APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION_STRING });
  assert.equal(telemetryWanted(config), false);
});

test('Application Insights: a connection string is accepted, its key never enumerable', () => {
  const config = loadTelemetryConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION_STRING });
  assert.equal(config.azureMonitor?.connectionString, CONNECTION_STRING);
  assert.equal(config.azureMonitor?.ingestionOrigin, 'https://westeurope-5.in.applicationinsights.azure.com');
  assert.ok(!JSON.stringify(config).includes(KEY), 'the key is not in the JSON of the config');
  assert.ok(!Object.keys(config.azureMonitor!).includes('connectionString'));
  // Without an IngestionEndpoint: Application Insights' global one.
  assert.equal(loadTelemetryConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${KEY}` }).azureMonitor?.ingestionOrigin, 'https://dc.services.visualstudio.com');
  // Keys in any case, a trailing semicolon, spaces around: as the exporter parses them.
  assert.ok(loadTelemetryConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: ` instrumentationkey = ${KEY} ; ` }).azureMonitor);
});

test("the distro's own JSON configuration is refused beside the connection string: it would win over our options", () => {
  for (const setting of ['APPLICATIONINSIGHTS_CONFIGURATION_FILE', 'APPLICATIONINSIGHTS_CONFIGURATION_CONTENT']) {
    const problems = problemsOf({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION_STRING, [setting]: '{"instrumentationOptions":{"http":{"enabled":true}}}' });
    assert.deepEqual(problems.map((problem) => problem.split(':')[0]), [setting]);
    assert.ok(!problems.join().includes(KEY));
    // Without the connection string the distro never starts, and the variable concerns nobody.
    assert.equal(telemetryWanted(loadTelemetryConfig({ [setting]: '{}' })), false);
  }
});

test('both variables: both destinations', () => {
  const config = loadTelemetryConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION_STRING, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' });
  assert.ok(config.azureMonitor && config.otlp);
});

test('both invalid: each named, in one error, and neither value echoed', () => {
  const secretEndpoint = 'ftp://user:hunter2-secret@collector.example';
  const secretConnection = `InstrumentationKey=not-a-guid-${KEY}-s3cr3t`;
  const problems = problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: secretEndpoint, APPLICATIONINSIGHTS_CONNECTION_STRING: secretConnection });
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, /^OTEL_EXPORTER_OTLP_ENDPOINT: must be an http: or https: URL/);
  assert.match(problems[1]!, /^APPLICATIONINSIGHTS_CONNECTION_STRING: has no InstrumentationKey that is a GUID/);
  const text = problems.join('\n');
  for (const secret of ['hunter2-secret', 's3cr3t', KEY]) assert.ok(!text.includes(secret), 'no part of a value is echoed');
});

test('malformed endpoints: not a URL, another scheme, credentials in the URL, overlong', () => {
  assert.match(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' }).join(), /must be an http: or https: URL/);
  assert.match(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }).join(), /is not a URL/);
  const withCredentials = problemsOf({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://api:Sup3rSecretKey@otlp.example.com/v1/traces' });
  assert.match(withCredentials.join(), /^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: must not hold credentials/);
  assert.ok(!withCredentials.join().includes('Sup3rSecretKey'));
  assert.match(problemsOf({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `https://otlp.example.com/${'a'.repeat(3000)}` }).join(), /longer than 2048/);
});

test('headers: name=value pairs, no line breaks, not sent in clear beyond this machine, never echoed', () => {
  const injected = problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=K3y-Value\r\nX-Evil: 1' });
  assert.match(injected.join(), /^OTEL_EXPORTER_OTLP_HEADERS: holds a control character/);
  const malformed = problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=ok,JustAK3yValue' });
  assert.match(malformed.join(), /pair 2 is not name=value/);
  const inClear = problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector.internal:4318', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=K3y-Value' });
  assert.match(inClear.join(), /^OTEL_EXPORTER_OTLP_ENDPOINT: is an http: URL beyond this machine while OTEL_EXPORTER_OTLP_HEADERS/);
  for (const text of [injected, malformed, inClear].map((problems) => problems.join())) assert.ok(!text.includes('K3y') && !text.includes('JustAK3yValue'));
  // On loopback (a collector sidecar) http with headers is fine.
  assert.ok(loadTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=K3y-Value' }).otlp);
  assert.match(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com', OTEL_EXPORTER_OTLP_HEADERS: `a=${'b'.repeat(9000)}` }).join(), /longer than 8192/);
});

test('protocol, exporters, sampler, service name: the values the SDK knows, or the setting is named', () => {
  assert.match(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' }).join(), /^OTEL_EXPORTER_OTLP_PROTOCOL: must be one of http\/protobuf, http\/json, grpc/);
  assert.match(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'udp' }).join(), /^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL/);
  assert.match(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318', OTEL_TRACES_EXPORTER: 'jaeger' }).join(), /^OTEL_TRACES_EXPORTER: must be a comma-separated list/);
  assert.match(problemsOf({ OTEL_TRACES_SAMPLER: 'sometimes' }).join(), /^OTEL_TRACES_SAMPLER: must be one of/);
  assert.match(problemsOf({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' }).join(), /^OTEL_TRACES_SAMPLER_ARG: must be a ratio from 0 to 1/);
  assert.match(problemsOf({ OTEL_TRACES_SAMPLER_ARG: 'NaN' }).join(), /^OTEL_TRACES_SAMPLER_ARG: must be a number/);
  assert.ok(loadTelemetryConfig({ OTEL_TRACES_SAMPLER: 'microsoft.rate_limited', OTEL_TRACES_SAMPLER_ARG: '20' }));
  assert.match(problemsOf({ OTEL_SERVICE_NAME: 'entra\nmigrate' }).join(), /^OTEL_SERVICE_NAME/);
  assert.match(problemsOf({ OTEL_SERVICE_NAME: 'x'.repeat(300) }).join(), /^OTEL_SERVICE_NAME/);
});

test('hostile connection strings: oversized, line breaks, a bare key, repeated keys, endpoints in clear or elsewhere; never echoed', () => {
  const cases: Array<[string, RegExp]> = [
    [`InstrumentationKey=${KEY};${'Junk=x;'.repeat(1000)}`, /longer than 4096/],
    [`InstrumentationKey=${KEY}\nIngestionEndpoint=https://x.example/`, /control character/],
    [KEY, /part 1 is not Key=Value \(is it a bare instrumentation key/],
    [`InstrumentationKey=${KEY};InstrumentationKey=${KEY}`, /part 2 repeats a key/],
    [`InstrumentationKey=${KEY};IngestionEndpoint=http://ingest.example.com/`, /ingestionendpoint must be an https: URL/],
    [`InstrumentationKey=${KEY};LiveEndpoint=javascript:alert(1)`, /liveendpoint must be an https: URL/],
    [`InstrumentationKey=${KEY};IngestionEndpoint=https://user:pw@ingest.example.com/`, /ingestionendpoint must be an https: URL without credentials/],
    [`InstrumentationKey=${KEY};IngestionEndpoint=::::`, /ingestionendpoint is not a URL/],
    [`IngestionEndpoint=https://ingest.example.com/`, /has no InstrumentationKey/],
    [`=${KEY}`, /part 1 is not Key=Value/],
  ];
  for (const [value, expected] of cases) {
    const problems = problemsOf({ APPLICATIONINSIGHTS_CONNECTION_STRING: value });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^APPLICATIONINSIGHTS_CONNECTION_STRING: /);
    assert.match(problems[0]!, expected);
    assert.ok(!problems[0]!.includes(KEY), 'the key is never echoed');
  }
  // An IngestionEndpoint on loopback may be http: (a stand-in; the exporter upgrades it to https: anyway).
  assert.ok(loadTelemetryConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${KEY};IngestionEndpoint=http://127.0.0.1:8080/` }).azureMonitor);
});
