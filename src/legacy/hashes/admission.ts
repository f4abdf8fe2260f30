import { HashError, HashErrorCode } from './errors.js';

export interface Admission {
  /**
   * Runs `work` when a slot is free. Waiting work is dropped (rejecting with the signal's reason) when the signal
   * aborts first, and refused with HASH_VERIFIER_BUSY when `maxQueue` are already waiting.
   */
  run<T>(work: () => Promise<T>, abortSignal?: AbortSignal): Promise<T>;
  /** Checks running now and waiting. */
  load(): AdmissionLoad;
}

/** Checks running at the gate and waiting for a slot, at one instant. */
export interface AdmissionLoad {
  running: number;
  waiting: number;
}

/**
 * Why the gate turned work away without running it: `busy` when `maxQueue` were already waiting (the caller gets
 * HASH_VERIFIER_BUSY); `expired` when the work's signal had aborted before it was given a slot (on arrival, or while
 * it waited) — in `serve`, the callout's deadline came first.
 */
export type AdmissionRejection = 'busy' | 'expired';

export interface AdmissionOptions {
  /** Checks running at once. */
  concurrency: number;
  /** Checks waiting beyond which work is refused with HASH_VERIFIER_BUSY. */
  maxQueue: number;
  /** How long the oldest waiter may wait before the queue serves its newest first, in ms. Default 1000. */
  lifoAfterInMs?: number;
  /** The clock that switch reads, in ms; default performance.now. */
  now?: () => number;
  /** Told of each piece of work turned away (for metrics); never called on the path of work that runs. */
  onRejected?: (reason: AdmissionRejection) => void;
}

/**
 * A bounded gate in front of password hashing. Native bcrypt/argon2 and async PBKDF2 run on libuv's thread pool,
 * which RSA decryption and token verification (WebCrypto) share: unbounded hashing under load queues the request's
 * own decryption behind seconds of bcrypt and every answer misses Entra's deadline. The gate keeps at least one
 * pool thread free for them, work whose deadline passed while waiting is never started, and a congested queue serves
 * its newest waiter first.
 *
 * @example
 *   const admission = createAdmission({ concurrency: 3, maxQueue: 256 });
 *   await admission.run(() => bcryptVerify(password, hash), abortSignal);
 */
export function createAdmission(options: AdmissionOptions): Admission {
  const now = options.now ?? (() => performance.now());
  const lifoAfterInMs = options.lifoAfterInMs ?? 1000;
  let running = 0;
  const waiting: Array<{ start: () => void; abandon: () => void; since: number }> = [];

  // Adaptive LIFO: first come, first served while the queue is short; once the oldest waiter has waited longer than
  // `lifoAfterInMs`, the queue is congested, the oldest waiters' deadlines are nearly gone, and starting their hash
  // would only burn CPU on answers already sent — so the newest waiter goes first and the old ones are dropped by
  // their own deadlines. This keeps the goodput at capacity under overload without starving anyone under load.
  const release = () => {
    running--;
    const congested = waiting.length > 0 && now() - waiting[0]!.since > lifoAfterInMs;
    (congested ? waiting.pop() : waiting.shift())?.start();
  };

  return {
    load: () => ({ running, waiting: waiting.length }),
    run<T>(work: () => Promise<T>, abortSignal?: AbortSignal): Promise<T> {
      if (abortSignal?.aborted) {
        options.onRejected?.('expired');
        return Promise.reject(abortSignal.reason);
      }
      const execute = (): Promise<T> => {
        running++;
        let result: Promise<T>;
        try {
          result = work();
        } catch (error) {
          result = Promise.reject(error);
        }
        return result.finally(release);
      };
      if (running < options.concurrency) return execute();
      if (waiting.length >= options.maxQueue) {
        options.onRejected?.('busy');
        return Promise.reject(new HashError(HashErrorCode.HASH_VERIFIER_BUSY, 'Too many password checks are waiting; the verifier is overloaded.'));
      }
      return new Promise<T>((resolve, reject) => {
        const entry = {
          since: now(),
          start: () => {
            abortSignal?.removeEventListener('abort', onAbort);
            execute().then(resolve, reject);
          },
          abandon: () => reject(abortSignal?.reason),
        };
        const onAbort = () => {
          const index = waiting.indexOf(entry);
          if (index >= 0) waiting.splice(index, 1);
          options.onRejected?.('expired');
          entry.abandon();
        };
        abortSignal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(entry);
      });
    },
  };
}
