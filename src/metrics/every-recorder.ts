import type { ExtensionMetricsRecorder } from './extension-metrics.js';

/**
 * One recorder that tells each of `recorders` (the Prometheus one, the OpenTelemetry one), leaving out the absent:
 * undefined when none is there, so the callers' `recorder && …` keeps the path free of any clock read when no metrics
 * are wanted; the recorder itself when there is one.
 *
 * @example
 *   const recorder = everyRecorder([prometheus, otel]);
 *   recorder?.answered({ event: 'OnPasswordSubmit', action: 'MigratePassword', status: 200, seconds: 0.084 });
 */
export function everyRecorder(recorders: ReadonlyArray<ExtensionMetricsRecorder | undefined>): ExtensionMetricsRecorder | undefined {
  const present = recorders.filter((recorder): recorder is ExtensionMetricsRecorder => recorder !== undefined);
  if (present.length <= 1) return present[0];
  return {
    answered: (call) => present.forEach((recorder) => recorder.answered(call)),
    legacyCheck: (seconds, outcome) => present.forEach((recorder) => recorder.legacyCheck(seconds, outcome)),
    signingKeyRefresh: (result) => present.forEach((recorder) => recorder.signingKeyRefresh(result)),
    hashVerify: (seconds, format) => present.forEach((recorder) => recorder.hashVerify(seconds, format)),
    decryption: (seconds, result) => present.forEach((recorder) => recorder.decryption(seconds, result)),
    admissionRejected: (reason) => present.forEach((recorder) => recorder.admissionRejected(reason)),
    credentialStuffingSignal: () => present.forEach((recorder) => recorder.credentialStuffingSignal()),
  };
}
