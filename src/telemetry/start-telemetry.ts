import { context, diag, DiagLogLevel, metrics, propagation, trace, type Meter, type Tracer } from '@opentelemetry/api';
import type { Logger } from '../common/logger.js';
import type { TelemetryConfig } from './telemetry-config.js';

/**
 * How long `shutdown` waits for the last spans and metrics to leave, in ms. SIGTERM's drain has to end: Container
 * Apps and Kubernetes kill the process 30 s after it (terminationGracePeriodSeconds), and the callouts in flight
 * come first. An exporter still waiting after this (a collector that does not answer) is abandoned.
 */
export const TELEMETRY_SHUTDOWN_TIMEOUT_IN_MS = 5000;

/** The name our tracer and meter carry (the instrumentation scope), so a backend can tell our spans from anyone's. */
export const INSTRUMENTATION_SCOPE = 'entra-migrate';

/** Running telemetry: the tracer and meter to hand to `serve`'s parts, and the way to stop it. */
export interface Telemetry {
  /** Spans go to every configured destination; undefined when OTEL_TRACES_EXPORTER=none. */
  readonly tracer: Tracer | undefined;
  /** Instruments are exported to every configured destination; undefined when OTEL_METRICS_EXPORTER=none. */
  readonly meter: Meter | undefined;
  /** Where telemetry goes, for the start-up log line: `otlp`, `azure-monitor`. */
  readonly destinations: readonly string[];
  /** Exports what is buffered, stops the providers and unregisters them; resolves within TELEMETRY_SHUTDOWN_TIMEOUT_IN_MS. Safe to call twice. */
  shutdown(): Promise<void>;
}

export interface StartTelemetryOptions {
  /** `service.name` unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES says otherwise, e.g. `entra-migrate`. */
  serviceName: string;
  /** Export failures and the SDK's own warnings go here (message text only), as one line each. */
  logger: Logger;
}

/**
 * Starts OpenTelemetry for this process and registers it as the global tracer, meter and context providers (so the
 * counters `premigrate` and `reconcile` make through `@opentelemetry/api` are exported too):
 *
 * - OTLP: the OpenTelemetry Node SDK configured from the standard OTEL_* variables, as the SDK reads them
 *   (endpoint, protocol, headers, sampler, batch sizes, export interval, resource attributes);
 * - Application Insights: the Azure Monitor distro (`useAzureMonitor`) with live metrics, statsbeat, offline
 *   storage and every bundled instrumentation off;
 * - both: the distro's SDK, with the OTLP span processors and metric reader added to it.
 *
 * No auto-instrumentation either way: the only spans are the ones we make (telemetry/callout-spans.ts,
 * telemetry/traced-authority.ts), so nothing records a URL, a header or a query we did not choose. The SDKs are
 * imported only here, only when configured: without telemetry, `serve` loads none of it. Null when nothing is
 * configured.
 *
 * @example
 *   const telemetry = await startTelemetry(loadTelemetryConfig(process.env), { serviceName: 'entra-migrate', logger });
 *   const server = await buildServer({ ...deps, tracer: telemetry?.tracer });
 *   // on SIGTERM, after the server has drained:
 *   await telemetry?.shutdown();
 */
export async function startTelemetry(config: TelemetryConfig, options: StartTelemetryOptions): Promise<Telemetry | null> {
  if (config.otlp === null && config.azureMonitor === null) return null;
  const log = options.logger.child({ name: 'telemetry' });
  bridgeDiagnostics(log);

  const stop = config.azureMonitor ? await startAzureMonitor(config, options.serviceName) : await startOtlp(options.serviceName);
  const destinations = [...(config.otlp ? ['otlp'] : []), ...(config.azureMonitor ? ['azure-monitor'] : [])];
  const tracesOn = config.azureMonitor !== null || config.otlp?.traces === true;
  const metricsOn = config.azureMonitor !== null || config.otlp?.metrics === true;
  log.info(
    {
      destinations,
      ...(config.otlp && { otlpEndpoint: config.otlp.endpointOrigin, otlpProtocol: config.otlp.protocol }),
      ...(config.azureMonitor && { ingestionEndpoint: config.azureMonitor.ingestionOrigin }),
      traces: tracesOn,
      metrics: metricsOn,
    },
    `telemetry is sent to ${destinations.join(' and ')}`,
  );

  let stopped: Promise<void> | undefined;
  return {
    tracer: tracesOn ? trace.getTracer(INSTRUMENTATION_SCOPE) : undefined,
    meter: metricsOn ? metrics.getMeter(INSTRUMENTATION_SCOPE) : undefined,
    destinations,
    shutdown() {
      stopped ??= (async () => {
        const finished = await withinTimeout(stop(), TELEMETRY_SHUTDOWN_TIMEOUT_IN_MS).catch((error: unknown) => {
          log.warn({ reason: error instanceof Error ? error.message.slice(0, 300) : 'unknown' }, 'telemetry could not send its last spans and metrics');
          return true;
        });
        if (!finished) log.warn({ timeoutInMs: TELEMETRY_SHUTDOWN_TIMEOUT_IN_MS }, 'telemetry did not finish sending within the shutdown timeout; what was left is dropped');
        // Unregistered, so nothing after this exports into stopped providers, and a later start can register again.
        trace.disable();
        metrics.disable();
        propagation.disable();
        context.disable();
        diag.disable();
      })();
      return stopped;
    },
  };
}

/** The OpenTelemetry Node SDK over the OTEL_* variables; returns its shutdown. */
async function startOtlp(serviceName: string): Promise<() => Promise<void>> {
  const { NodeSDK, resources } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({
    resource: resources.defaultResource().merge(resources.resourceFromAttributes({ 'service.name': serviceName })),
    // The environment's attributes (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) and the host's name, id and
    // architecture. Not the SDK's process detector by default: it would send the whole command line.
    ...(process.env.OTEL_NODE_RESOURCE_DETECTORS === undefined && { resourceDetectors: [resources.envDetector, resources.hostDetector] }),
    instrumentations: [],
    // We emit no logs through OpenTelemetry (pino writes them); without this the SDK would build an OTLP log exporter.
    logRecordProcessors: [],
  });
  sdk.start();
  return () => sdk.shutdown();
}

/**
 * The Azure Monitor distro. Statsbeat (the SDK's usage reports to Microsoft) and the SDK stats are off through the
 * variables the exporter reads, unless set otherwise; live metrics (a second connection, polling), offline storage
 * (files under the temporary directory, retried by later processes) and every bundled instrumentation (http, the
 * Azure SDK, pg, mysql, redis, mongodb, bunyan, winston) are off through its options. The connection string is the
 * one the loader checked. Its sampler is its own (5 traces a second unless OTEL_TRACES_SAMPLER says otherwise), and
 * applies to the OTLP spans beside it too. Azure's VM resource detector probes the instance metadata service in the
 * background (1 s at most, not awaited), nothing waits on it.
 */
async function startAzureMonitor(config: TelemetryConfig, serviceName: string): Promise<() => Promise<void>> {
  for (const variable of ['APPLICATION_INSIGHTS_NO_STATSBEAT', 'APPLICATIONINSIGHTS_STATSBEAT_DISABLED', 'APPLICATIONINSIGHTS_SDKSTATS_DISABLED']) {
    process.env[variable] ??= 'true';
  }
  const [{ useAzureMonitor, shutdownAzureMonitor }, { resources }] = await Promise.all([import('@azure/monitor-opentelemetry'), import('@opentelemetry/sdk-node')]);
  const otlp = config.otlp ? await otlpProcessors(config.otlp) : { spanProcessors: [], metricReaders: [] };
  const off = { enabled: false };
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString: config.azureMonitor!.connectionString, disableOfflineStorage: true },
    resource: resources.resourceFromAttributes({ 'service.name': serviceName }),
    enableLiveMetrics: false,
    instrumentationOptions: { http: off, azureSdk: off, mongoDb: off, mySql: off, postgreSql: off, redis: off, redis4: off, bunyan: off, winston: off },
    browserSdkLoaderOptions: { enabled: false },
    spanProcessors: otlp.spanProcessors,
    metricReaders: otlp.metricReaders,
  });
  return () => shutdownAzureMonitor();
}

type AzureMonitorOptions = NonNullable<Parameters<(typeof import('@azure/monitor-opentelemetry'))['useAzureMonitor']>[0]>;

/**
 * The span processors and metric reader the Node SDK would build from the OTEL_* variables, for the distro's SDK to
 * carry beside its own exporters. They come from the SDK's own helpers (not re-exported by its index: the module
 * path is pinned with the SDK's 0.218 line), so the variables mean exactly what they mean without the distro.
 */
async function otlpProcessors(otlp: NonNullable<TelemetryConfig['otlp']>): Promise<{ spanProcessors: NonNullable<AzureMonitorOptions['spanProcessors']>; metricReaders: NonNullable<AzureMonitorOptions['metricReaders']> }> {
  const sdkUtils = await import('@opentelemetry/sdk-node/build/src/utils.js');
  return {
    spanProcessors: otlp.traces ? sdkUtils.getSpanProcessorsFromEnv() : [],
    metricReaders: otlp.metrics ? [sdkUtils.getPeriodicExportingMetricReaderFromEnv(sdkUtils.getOtlpMetricExporterFromEnv()) as NonNullable<AzureMonitorOptions['metricReaders']>[number]] : [],
  };
}

/**
 * The SDK's own complaints (an export refused, a collector unreachable) as our log lines, warnings and errors only,
 * the message text alone (the SDK passes objects as further arguments: requests, responses). OTEL_LOG_LEVEL, when
 * set, replaces this with the SDK's console logger, as the SDK documents.
 */
function bridgeDiagnostics(log: Logger): void {
  const line = (level: 'warn' | 'error') => (message: string) => log[level]({ source: 'opentelemetry' }, String(message).slice(0, 500));
  const quiet = () => undefined;
  diag.setLogger({ error: line('error'), warn: line('warn'), info: quiet, debug: quiet, verbose: quiet }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}

/** True when `work` settled within `timeoutInMs`, false when the timer won (the work is left to finish or not). */
async function withinTimeout(work: Promise<unknown>, timeoutInMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutInMs);
    timer.unref();
  });
  try {
    return await Promise.race([work.then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
