export { CalloutAttribute, inCalloutSpan, traceCallouts } from './callout-spans.js';
export { createOtelExtensionMetrics, OTEL_LATENCY_BUCKETS, OTEL_STEP_BUCKETS, OtelMetricName, type ExtensionMetricsRecorder } from './otel-extension-metrics.js';
export { INSTRUMENTATION_SCOPE, startTelemetry, TELEMETRY_SHUTDOWN_TIMEOUT_IN_MS, type StartTelemetryOptions, type Telemetry } from './start-telemetry.js';
export { loadTelemetryConfig, telemetryWanted, TelemetrySetting, type AzureMonitorSettings, type OtlpProtocol, type OtlpSettings, type TelemetryConfig } from './telemetry-config.js';
export { LEGACY_CHECK_SPAN, LegacyCheckAttribute, withCheckSpans } from './traced-authority.js';
export { processTelemetry, startProcessTelemetry, stopProcessTelemetry } from './process-telemetry.js';
