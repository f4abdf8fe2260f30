import { isLoopbackHost } from '../common/loopback.js';
import { ConfigError } from '../config/errors.js';
import { SettingsReader, type RawSettings } from '../config/settings.js';

/** The settings this loader reads: the OpenTelemetry SDK's own names and Application Insights'. The public contract. */
export const TelemetrySetting = {
  SDK_DISABLED: 'OTEL_SDK_DISABLED',
  ENDPOINT: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  TRACES_ENDPOINT: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  METRICS_ENDPOINT: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  PROTOCOL: 'OTEL_EXPORTER_OTLP_PROTOCOL',
  TRACES_PROTOCOL: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  METRICS_PROTOCOL: 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
  HEADERS: 'OTEL_EXPORTER_OTLP_HEADERS',
  TRACES_HEADERS: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  METRICS_HEADERS: 'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
  TRACES_EXPORTER: 'OTEL_TRACES_EXPORTER',
  METRICS_EXPORTER: 'OTEL_METRICS_EXPORTER',
  TRACES_SAMPLER: 'OTEL_TRACES_SAMPLER',
  TRACES_SAMPLER_ARG: 'OTEL_TRACES_SAMPLER_ARG',
  SERVICE_NAME: 'OTEL_SERVICE_NAME',
  CONNECTION_STRING: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
  /** The distro's JSON configuration, which would override the options startTelemetry fixes: refused. */
  DISTRO_CONFIGURATION_FILE: 'APPLICATIONINSIGHTS_CONFIGURATION_FILE',
  DISTRO_CONFIGURATION_CONTENT: 'APPLICATIONINSIGHTS_CONFIGURATION_CONTENT',
} as const;

export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';
const OTLP_PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

/** Where OpenTelemetry goes over OTLP. The exporters themselves read the same variables (the SDK does): this is what was checked. */
export interface OtlpSettings {
  /** The endpoint's origin (scheme, host, port), for the start-up log line: never a path, a query or credentials. */
  readonly endpointOrigin: string;
  readonly protocol: OtlpProtocol;
  /** False when OTEL_TRACES_EXPORTER is `none`: no tracer provider, no spans. */
  readonly traces: boolean;
  /** False when OTEL_METRICS_EXPORTER is `none`: no meter provider, nothing measured through OpenTelemetry. */
  readonly metrics: boolean;
}

/** Where Application Insights telemetry goes. The connection string is not enumerable: it never reaches JSON or a log line. */
export interface AzureMonitorSettings {
  readonly connectionString: string;
  /** The ingestion endpoint's origin (default Application Insights' global one), for the start-up log line. */
  readonly ingestionOrigin: string;
}

/** Validated and frozen: what `startTelemetry` starts. Both null: nothing is started and no span is made. */
export interface TelemetryConfig {
  readonly otlp: OtlpSettings | null;
  readonly azureMonitor: AzureMonitorSettings | null;
}

const MAX_URL_LENGTH = 2048;
/** A connection string is an instrumentation key, an application id and three or four endpoints: well under 1 KiB. */
const MAX_CONNECTION_STRING_LENGTH = 4096;
/** OTLP headers carry an API key or two (Honeycomb, Grafana Cloud, Dynatrace …): 8 KiB is far beyond any real set. */
const MAX_HEADERS_LENGTH = 8192;
const CONTROL_CHARACTERS = /[\x00-\x1f\x7f]/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** RFC 9110 token: a header name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
/** The connection string's keys that name an endpoint (Microsoft's "Connection strings" page). */
const ENDPOINT_KEYS = new Set(['ingestionendpoint', 'liveendpoint', 'profilerendpoint', 'snapshotendpoint']);
const DEFAULT_INGESTION_ORIGIN = 'https://dc.services.visualstudio.com';
/**
 * The samplers the OpenTelemetry SDK knows by name; the Azure Monitor distro's two, and its spelling of the ratio
 * samplers (trace_id_ratio), which it reads instead when the connection string is set.
 */
const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio', 'microsoft.rate_limited', 'microsoft.fixed_percentage', 'trace_id_ratio', 'parentbased_trace_id_ratio'];

/**
 * Reads the telemetry settings from the environment — the OpenTelemetry SDK's standard variables and
 * APPLICATIONINSIGHTS_CONNECTION_STRING — and reports every problem together, naming the variable and never echoing
 * a value that can hold a secret (an endpoint may carry credentials, the headers an API key, the connection string
 * the instrumentation key). Neither OTEL_EXPORTER_OTLP_ENDPOINT (or a signal's own endpoint) nor the connection
 * string set, or OTEL_SDK_DISABLED=true: both null, and nothing will be started. Both set: both are sent to.
 *
 * @example
 *   const config = loadTelemetryConfig(process.env);
 *   const telemetry = startTelemetry(config, { serviceName: 'entra-migrate', logger });
 *
 * @throws ConfigError (CONFIG_INVALID) listing each setting that is wrong.
 */
export function loadTelemetryConfig(env: RawSettings): TelemetryConfig {
  const read = new SettingsReader(env);
  // As the SDK reads it: `true` in any case disables; anything else does not.
  const disabled = read.optional(TelemetrySetting.SDK_DISABLED)?.toLowerCase() === 'true';
  const otlp = readOtlp(read);
  const azureMonitor = readAzureMonitor(read);
  readSampler(read);
  const serviceName = read.optional(TelemetrySetting.SERVICE_NAME);
  if (serviceName !== undefined && (serviceName.length > 255 || CONTROL_CHARACTERS.test(serviceName))) {
    read.report(TelemetrySetting.SERVICE_NAME, 'must be at most 255 printable characters, e.g. entra-migrate-serve');
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return Object.freeze({ otlp: disabled ? null : otlp, azureMonitor: disabled ? null : azureMonitor });
}

/** True when `config` starts anything at all. */
export function telemetryWanted(config: TelemetryConfig): boolean {
  return config.otlp !== null || config.azureMonitor !== null;
}

function readOtlp(read: SettingsReader): OtlpSettings | null {
  const endpoints = [TelemetrySetting.ENDPOINT, TelemetrySetting.TRACES_ENDPOINT, TelemetrySetting.METRICS_ENDPOINT]
    .map((setting) => ({ setting, url: endpointUrl(read, setting) }))
    .filter((entry): entry is { setting: (typeof entry)['setting']; url: URL | null } => entry.url !== undefined);
  const protocol = read.oneOf(TelemetrySetting.PROTOCOL, OTLP_PROTOCOLS, 'http/protobuf');
  read.oneOf(TelemetrySetting.TRACES_PROTOCOL, OTLP_PROTOCOLS, protocol);
  read.oneOf(TelemetrySetting.METRICS_PROTOCOL, OTLP_PROTOCOLS, protocol);
  const headerSettings = [TelemetrySetting.HEADERS, TelemetrySetting.TRACES_HEADERS, TelemetrySetting.METRICS_HEADERS].filter((setting) => checkHeaders(read, setting));
  const tracesExporter = exporterList(read, TelemetrySetting.TRACES_EXPORTER, ['otlp', 'console', 'zipkin', 'none']);
  const metricsExporter = exporterList(read, TelemetrySetting.METRICS_EXPORTER, ['otlp', 'console', 'prometheus', 'none']);
  if (endpoints.length === 0) return null;

  // Headers usually carry a vendor's API key: over plain http beyond this machine they would cross the network in clear.
  if (headerSettings.length > 0) {
    for (const { setting, url } of endpoints) {
      if (url && url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
        read.report(setting, `is an http: URL beyond this machine while ${headerSettings.join(' and ')} (often an API key) is set: use https:, or a collector on localhost`);
      }
    }
  }
  const first = endpoints.find((entry) => entry.url !== null);
  if (!first?.url) return null;
  return Object.freeze({
    endpointOrigin: first.url.origin,
    protocol,
    traces: !(tracesExporter.length === 1 && tracesExporter[0] === 'none'),
    metrics: !metricsExporter.includes('none'),
  });
}

/** undefined when unset; null when set but wrong (reported); the URL otherwise. */
function endpointUrl(read: SettingsReader, setting: string): URL | null | undefined {
  const value = read.optional(setting);
  if (value === undefined) return undefined;
  if (value.length > MAX_URL_LENGTH) {
    read.report(setting, `is longer than ${MAX_URL_LENGTH} characters`);
    return null;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    read.report(setting, 'is not a URL: expected e.g. http://localhost:4318 or https://otlp.example.com');
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    read.report(setting, `must be an http: or https: URL (got a ${url.protocol.slice(0, 20)} URL), e.g. http://localhost:4318`);
    return null;
  }
  if (url.username || url.password) {
    read.report(setting, `must not hold credentials (user:password@): put them in ${TelemetrySetting.HEADERS}, e.g. Authorization=Basic%20…`);
    return null;
  }
  return url;
}

/** True when the setting is set (and checked): comma-separated name=value pairs, values URL-encoded (W3C Baggage format). */
function checkHeaders(read: SettingsReader, setting: string): boolean {
  const value = read.optional(setting);
  if (value === undefined) return false;
  if (value.length > MAX_HEADERS_LENGTH) {
    read.report(setting, `is longer than ${MAX_HEADERS_LENGTH} characters`);
    return true;
  }
  if (CONTROL_CHARACTERS.test(value)) {
    read.report(setting, 'holds a control character (a line break?): expected name=value pairs separated by commas');
    return true;
  }
  value.split(',').forEach((pair, index) => {
    const at = pair.indexOf('=');
    const name = at < 0 ? '' : pair.slice(0, at).trim();
    if (at < 0 || !HEADER_NAME.test(name)) read.report(setting, `pair ${index + 1} is not name=value with a header name: expected e.g. api-key=…,x-tenant=…`);
  });
  return true;
}

function exporterList(read: SettingsReader, setting: string, choices: readonly string[]): string[] {
  const value = read.optional(setting);
  if (value === undefined) return [];
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !choices.includes(name));
  if (unknown.length > 0 || names.length === 0) read.report(setting, `must be a comma-separated list of ${choices.join(', ')}`);
  return names;
}

function readSampler(read: SettingsReader): void {
  const sampler = read.optional(TelemetrySetting.TRACES_SAMPLER);
  if (sampler !== undefined && !SAMPLERS.includes(sampler)) read.report(TelemetrySetting.TRACES_SAMPLER, `must be one of ${SAMPLERS.join(', ')}`);
  const argument = read.optional(TelemetrySetting.TRACES_SAMPLER_ARG);
  if (argument === undefined) return;
  const number = Number(argument);
  if (argument.length > 32 || !Number.isFinite(number) || number < 0) {
    read.report(TelemetrySetting.TRACES_SAMPLER_ARG, 'must be a number: a ratio from 0 to 1 (traceidratio, microsoft.fixed_percentage) or traces a second (microsoft.rate_limited)');
  } else if (sampler !== 'microsoft.rate_limited' && number > 1) {
    read.report(TelemetrySetting.TRACES_SAMPLER_ARG, 'must be a ratio from 0 to 1 for this sampler');
  }
}

/**
 * `Key=Value;Key=Value` with an InstrumentationKey (a GUID) and, optionally, endpoints that are https: URLs (http:
 * on loopback only, for a stand-in). Never echoes the value or any part of it: the key is the secret here.
 */
function readAzureMonitor(read: SettingsReader): AzureMonitorSettings | null {
  const setting = TelemetrySetting.CONNECTION_STRING;
  const value = read.optional(setting);
  // The distro reads a JSON configuration from these and lets it win over the options we give it: it could turn the
  // bundled instrumentations (http, pg …) and live metrics back on, recording what we chose not to.
  for (const override of [TelemetrySetting.DISTRO_CONFIGURATION_FILE, TelemetrySetting.DISTRO_CONFIGURATION_CONTENT]) {
    if (read.optional(override) !== undefined && value !== undefined) {
      read.report(override, 'is not supported: entra-migrate fixes the Azure Monitor distro\'s options (no instrumentations, no live metrics); sample with OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG instead');
    }
  }
  if (value === undefined) return null;
  const shape = 'expected InstrumentationKey=<GUID>;IngestionEndpoint=https://<region>.in.applicationinsights.azure.com/;… as the Application Insights resource shows it';
  if (value.length > MAX_CONNECTION_STRING_LENGTH) {
    read.report(setting, `is longer than ${MAX_CONNECTION_STRING_LENGTH} characters: ${shape}`);
    return null;
  }
  if (CONTROL_CHARACTERS.test(value)) {
    read.report(setting, `holds a control character (a line break?): ${shape}`);
    return null;
  }
  const fields = new Map<string, string>();
  const segments = value.split(';').filter((segment) => segment.trim() !== '');
  for (const [index, segment] of segments.entries()) {
    const at = segment.indexOf('=');
    const key = at < 0 ? '' : segment.slice(0, at).trim().toLowerCase();
    if (!/^[a-z]{1,64}$/.test(key)) {
      read.report(setting, `part ${index + 1} is not Key=Value (is it a bare instrumentation key? use the whole connection string): ${shape}`);
      return null;
    }
    if (fields.has(key)) {
      read.report(setting, `part ${index + 1} repeats a key: ${shape}`);
      return null;
    }
    fields.set(key, segment.slice(at + 1).trim());
  }
  const key = fields.get('instrumentationkey');
  if (key === undefined || !GUID.test(key)) {
    read.report(setting, `has no InstrumentationKey that is a GUID: ${shape}`);
    return null;
  }
  let ingestionOrigin = DEFAULT_INGESTION_ORIGIN;
  for (const [name, endpoint] of fields) {
    if (!ENDPOINT_KEYS.has(name)) continue;
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      read.report(setting, `its ${name} is not a URL: ${shape}`);
      return null;
    }
    if (!(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) || url.username || url.password) {
      read.report(setting, `its ${name} must be an https: URL without credentials (http: only on localhost, for a stand-in)`);
      return null;
    }
    if (name === 'ingestionendpoint') ingestionOrigin = url.origin;
  }
  const settings = { ingestionOrigin } as AzureMonitorSettings;
  Object.defineProperty(settings, 'connectionString', { value, enumerable: false });
  return Object.freeze(settings);
}
