import type { Meter } from '@opentelemetry/api';
import type { ExtensionMetricsRecorder } from '../metrics/extension-metrics.js';

export type { ExtensionMetricsRecorder };

/**
 * Seconds buckets around Entra's 2-second budget, the Prometheus histograms' own (metrics/extension-metrics.ts):
 * fine below 250 ms, where a healthy answer falls, then up to it. Given as advice, so a view may still change them.
 */
export const OTEL_LATENCY_BUCKETS = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5]);
/** The buckets of one step (a hash, a decryption): the latency buckets with three finer ones below, as Prometheus' STEP_BUCKETS. */
export const OTEL_STEP_BUCKETS = Object.freeze([0.0005, 0.001, 0.0025, ...OTEL_LATENCY_BUCKETS]);

/** The instruments' names: the Prometheus metrics' names in OpenTelemetry's style (dots, unit in `unit`, no `_total`). */
export const OtelMetricName = {
  ANSWERS: 'entra_migrate.answers',
  REQUEST_DURATION: 'entra_migrate.request.duration',
  LEGACY_CHECK_DURATION: 'entra_migrate.legacy_check.duration',
  SIGNING_KEY_REFRESHES: 'entra_migrate.signing_key.refreshes',
  HASH_VERIFY_DURATION: 'entra_migrate.hash_verify.duration',
  DECRYPTION_DURATION: 'entra_migrate.decryption.duration',
  HASH_CHECKS_REJECTED: 'entra_migrate.hash_checks.rejected',
  CREDENTIAL_STUFFING_SIGNALS: 'entra_migrate.credential_stuffing.signals',
} as const;

/**
 * The extension's metrics on an OpenTelemetry `Meter` — the same figures as the Prometheus ones, with the same
 * bounded attribute values (event names, actions, statuses, outcome tokens), exported wherever the meter's provider
 * sends them (OTLP, Application Insights). Meant to be fanned out beside the Prometheus recorder, each call made on
 * both.
 *
 * @example
 *   const otel = createOtelExtensionMetrics(telemetry.meter);
 *   otel.answered({ event: 'OnPasswordSubmit', action: 'MigratePassword', status: 200, seconds: 0.084 });
 */
export function createOtelExtensionMetrics(meter: Meter): ExtensionMetricsRecorder {
  const answers = meter.createCounter(OtelMetricName.ANSWERS, {
    description: 'Callouts answered, by event, action (error for an answer other than 200) and HTTP status.',
    unit: '{answer}',
  });
  const requestSeconds = meter.createHistogram(OtelMetricName.REQUEST_DURATION, {
    description: "From a callout's arrival to its answer, by event; Entra stops waiting at 2 s.",
    unit: 's',
    advice: { explicitBucketBoundaries: [...OTEL_LATENCY_BUCKETS] },
  });
  const legacySeconds = meter.createHistogram(OtelMetricName.LEGACY_CHECK_DURATION, {
    description: 'One password check against the legacy store (look-up and hash verification), by outcome.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...OTEL_LATENCY_BUCKETS] },
  });
  const refreshes = meter.createCounter(OtelMetricName.SIGNING_KEY_REFRESHES, {
    description: "Refreshes of Entra's token signing keys, by result.",
    unit: '{refresh}',
  });
  const hashSeconds = meter.createHistogram(OtelMetricName.HASH_VERIFY_DURATION, {
    description: "One password hash computed by the verifier, from its slot at the gate to its result (no queue wait), by the hash's format.",
    unit: 's',
    advice: { explicitBucketBoundaries: [...OTEL_STEP_BUCKETS] },
  });
  const decryptionSeconds = meter.createHistogram(OtelMetricName.DECRYPTION_DURATION, {
    description: 'One password context decrypted and its claims checked (Key Vault round trip included), by result.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...OTEL_STEP_BUCKETS] },
  });
  const rejections = meter.createCounter(OtelMetricName.HASH_CHECKS_REJECTED, {
    description: "Password checks the hash verifier's gate turned away unhashed: busy (queue full) or expired (deadline passed before a slot).",
    unit: '{check}',
  });
  const stuffingSignals = meter.createCounter(OtelMetricName.CREDENTIAL_STUFFING_SIGNALS, {
    description: "Credential-stuffing signals raised: the last minute's share of wrong passwords at or over STUFFING_SIGNAL_WRONG_PERCENT (at most one a minute).",
    unit: '{signal}',
  });
  return {
    answered({ event, action, status, seconds }) {
      answers.add(1, { event, action, 'http.response.status_code': status });
      requestSeconds.record(seconds, { event });
    },
    legacyCheck(seconds, outcome) {
      legacySeconds.record(seconds, { outcome });
    },
    signingKeyRefresh(result) {
      refreshes.add(1, { result });
    },
    hashVerify(seconds, format) {
      hashSeconds.record(seconds, { format });
    },
    decryption(seconds, result) {
      decryptionSeconds.record(seconds, { result });
    },
    admissionRejected(reason) {
      rejections.add(1, { reason });
    },
    credentialStuffingSignal() {
      stuffingSignals.add(1);
    },
  };
}
