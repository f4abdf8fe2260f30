import { randomBytes } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { AttemptLimitSettings } from '../config/serve-config.js';
import type { DecisionReason } from '../jit/index.js';
import {
  createAttemptLimiter,
  createMemoryAttemptStore,
  createRedisAttemptStore,
  createSharedAttemptStore,
  createStuffingSignal,
  type AttemptLimiter,
  type StuffingFigures,
} from '../limits/index.js';
import type { SecuritySignalRecord } from '../ledger/index.js';
import type { ExtensionMetricsRecorder } from '../metrics/extension-metrics.js';

/**
 * Opens the per-account attempt limit `serve` asks before each legacy check (docs/attempt-limits.md): counts in this
 * process's memory, keyed by an HMAC whose key is drawn at start (the names never leave the process, and a heap dump
 * shows no address); or, with RATE_LIMIT_REDIS_URL, in Redis shared by every replica, keyed by RATE_LIMIT_KEY_SECRET,
 * with memory taking over while Redis cannot answer. Undefined when ATTEMPT_LIMIT_PER_ACCOUNT=0. One line at start
 * says which; the Redis URL is never logged (it may hold a password).
 *
 * @example
 *   const limiter = openAttemptLimiter(config.attemptLimits, { clock, logger });
 */
export function openAttemptLimiter(settings: AttemptLimitSettings, options: { clock: Clock; logger: Logger }): AttemptLimiter | undefined {
  const log = options.logger.child({ name: 'attempt-limits' });
  const { perAccount: limit, windowInMs } = settings;
  if (limit === 0) {
    log.warn('attempt limits are off (ATTEMPT_LIMIT_PER_ACCOUNT=0): every wrong password is checked against the legacy system, however many');
    return undefined;
  }
  const local = createMemoryAttemptStore({ clock: options.clock });
  const window = { limitPerAccount: limit, windowInSeconds: windowInMs / 1000 };
  if (settings.redis === null) {
    log.info({ ...window, store: 'memory' }, `attempt limits: ${limit} wrong passwords per sign-in name in ${windowInMs / 1000} s, counted in this process's memory`);
    return createAttemptLimiter({ limit, windowInMs, keySecret: randomBytes(32), store: local });
  }
  let shared: ReturnType<typeof createSharedAttemptStore> | undefined;
  const redis = createRedisAttemptStore({ url: settings.redis.url, onConnectionError: (code) => shared?.reportConnectionError(code) });
  shared = createSharedAttemptStore({ shared: redis, local, timeoutInMs: settings.redis.timeoutInMs, clock: options.clock, logger: options.logger });
  log.info({ ...window, store: 'redis' }, `attempt limits: ${limit} wrong passwords per sign-in name in ${windowInMs / 1000} s, counted in Redis (RATE_LIMIT_REDIS_URL) across replicas`);
  return createAttemptLimiter({ limit, windowInMs, keySecret: settings.redis.keySecret, store: shared });
}

/**
 * Opens the tenant-wide credential-stuffing signal (STUFFING_SIGNAL_WRONG_PERCENT, STUFFING_SIGNAL_MIN_ATTEMPTS):
 * given each OnPasswordSubmit answer's reason, it raises one warning line and one count on each recorder (Prometheus
 * `entra_migrate_credential_stuffing_signals_total`, its OpenTelemetry twin) when the last minute's share of wrong
 * passwords reaches the threshold, and one line when it falls back; each is also told to `onRecord` (serve writes it
 * to the ledger's `security_signals`). `isRaised()` for STUFFING_SIGNAL_MODE=block. Undefined when the percentage is 0.
 *
 * @example
 *   const stuffing = openStuffingSignal(config.attemptLimits.stuffingSignal, { clock, logger, recorder });
 *   stuffing?.record(outcome.reason);
 */
export function openStuffingSignal(
  settings: AttemptLimitSettings['stuffingSignal'],
  options: { clock: Clock; logger: Logger; recorder: ExtensionMetricsRecorder | undefined; onRecord?: (record: SecuritySignalRecord) => void },
): { record(reason: DecisionReason): void; isRaised(): boolean } | undefined {
  if (settings === null) return undefined;
  const log = options.logger.child({ name: 'attempt-limits' });
  const percent = (share: number) => Math.round(share * 100);
  const fields = (figures: StuffingFigures) => ({ attempts: figures.attempts, wrong: figures.wrong, wrongPercent: percent(figures.wrongShare), thresholdPercent: percent(settings.wrongShare) });
  const recordOf = (state: SecuritySignalRecord['state'], figures: StuffingFigures): SecuritySignalRecord => ({
    at: new Date(options.clock()),
    kind: 'credential-stuffing',
    state,
    attempts: figures.attempts,
    wrong: figures.wrong,
    thresholdPercent: percent(settings.wrongShare),
    mode: settings.mode,
  });
  const signal = createStuffingSignal({
    wrongShare: settings.wrongShare,
    minAttempts: settings.minAttempts,
    clock: options.clock,
    onSignal: (figures) => {
      options.recorder?.credentialStuffingSignal();
      options.onRecord?.(recordOf('raised', figures));
      log.warn(
        fields(figures),
        `credential stuffing suspected: ${percent(figures.wrongShare)}% of the last minute's ${figures.attempts} password attempts were wrong (STUFFING_SIGNAL_WRONG_PERCENT=${percent(settings.wrongShare)})${settings.mode === 'block' ? '; every sign-in is answered "temporarily unavailable" until it ends (STUFFING_SIGNAL_MODE=block)' : ''}`,
      );
    },
    onEnd: (figures) => {
      options.onRecord?.(recordOf('ended', figures));
      log.info(fields(figures), `credential stuffing signal ended: ${percent(figures.wrongShare)}% of the last minute's ${figures.attempts} password attempts were wrong`);
    },
  });
  return signal;
}
