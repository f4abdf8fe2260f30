import { systemClock, type Clock } from '../common/clock.js';
import type { LegacyAuthority, LegacyCheck, PasswordCheckOptions, SignInAttempt } from './authority.js';
import { LegacyStoreError, LegacyStoreErrorCode } from './errors.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Failures in a row that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long an open circuit answers at once before one probe may pass, in ms. Default 10,000. */
  openForInMs?: number;
  clock?: Clock;
  /** Told when the state changes (for the log and metrics), with the code of the failure that caused it, if any. */
  onStateChange?: (state: CircuitState, cause: { code: string | null; failuresInARow: number }) => void;
}

/** A legacy authority behind a circuit breaker, with its state for `/readyz`, metrics and tests. */
export interface GuardedAuthority extends LegacyAuthority {
  circuitState(): CircuitState;
  /**
   * Runs other work on the same legacy system through the same circuit (sign-up's look-ups by e-mail): rejected at
   * once with `LEGACY_STORE_CIRCUIT_OPEN` while it is open, its failures counted with the password checks'.
   */
  guard<T>(work: () => Promise<T>, abortSignal: AbortSignal): Promise<T>;
}

/** Failures that say the legacy system is down or unusable, as opposed to one bad row or an overloaded verifier. */
const STORE_FAILURES: ReadonlySet<string> = new Set([
  LegacyStoreErrorCode.UNAVAILABLE,
  LegacyStoreErrorCode.TIMEOUT,
  LegacyStoreErrorCode.ANSWER_INVALID,
  LegacyStoreErrorCode.MISCONFIGURED,
]);

/**
 * Stops asking a legacy system that keeps failing. After `failureThreshold` failures in a row the circuit opens:
 * every check rejects at once with `LEGACY_STORE_CIRCUIT_OPEN` (answered "temporarily unavailable" without waiting
 * for the deadline, and without piling more work on a struggling system). After `openForInMs` the next check is let
 * through as a probe while the others still fail fast: its answer closes the circuit, its failure opens it again.
 *
 * A failure is a `LegacyStoreError` that means the system did not answer usefully (unavailable, timeout, an answer
 * with no meaning, our credentials refused) or a check abandoned at the deadline. A wrong password, an unknown user,
 * a hash that cannot be verified or a busy verifier are answers: they close the circuit.
 *
 * @example
 *   const legacy = withCircuitBreaker(authority, { onStateChange: (state) => log.warn({ state }, 'legacy store circuit') });
 */
export function withCircuitBreaker(authority: LegacyAuthority, options: CircuitBreakerOptions = {}): GuardedAuthority {
  const threshold = options.failureThreshold ?? 5;
  const openForInMs = options.openForInMs ?? 10_000;
  const clock = options.clock ?? systemClock;

  let state: CircuitState = 'closed';
  let failuresInARow = 0;
  let openedAt = 0;

  const moveTo = (next: CircuitState, code: string | null) => {
    if (next === state) return;
    state = next;
    options.onStateChange?.(next, { code, failuresInARow });
  };

  const circuitOpen = () =>
    new LegacyStoreError(
      LegacyStoreErrorCode.CIRCUIT_OPEN,
      `The legacy store failed ${threshold} times in a row; sign-ins are answered "temporarily unavailable" until a probe succeeds.`,
    );

  const guard = async <T>(work: () => Promise<T>, abortSignal: AbortSignal): Promise<T> => {
    if (state === 'half-open') throw circuitOpen(); // a probe is on its way
    const probe = state === 'open';
    if (probe) {
      if (clock() - openedAt < openForInMs) throw circuitOpen();
      moveTo('half-open', null);
    }
    try {
      const result = await work();
      failuresInARow = 0;
      moveTo('closed', null);
      return result;
    } catch (error) {
      const code = failureCodeOf(error, abortSignal);
      if (code === null) {
        failuresInARow = 0;
        moveTo('closed', null);
      } else {
        failuresInARow += 1;
        if (probe || failuresInARow >= threshold) {
          openedAt = clock();
          moveTo('open', code);
        }
      }
      throw error;
    }
  };

  return {
    kind: authority.kind,
    circuitState: () => state,
    guard,
    checkPassword: (attempt: SignInAttempt, checkOptions: PasswordCheckOptions): Promise<LegacyCheck> => guard(() => authority.checkPassword(attempt, checkOptions), checkOptions.abortSignal),
    ping: (pingOptions) => authority.ping(pingOptions),
    close: () => authority.close(),
  };
}

/** The code of a failure that counts against the circuit, or null for an answer that says the system works. */
function failureCodeOf(error: unknown, abortSignal: AbortSignal): string | null {
  if (error instanceof LegacyStoreError) return STORE_FAILURES.has(error.code) ? error.code : null;
  if (abortSignal.aborted) return 'DEADLINE_EXCEEDED';
  return null;
}
