import { EntraMigrateError } from '../common/errors.js';

/** One thing `GET /readyz` checks: keys loaded, OpenID metadata fetched, the legacy store answering … */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when ready; rejects (or times out) when not. Must not throw secrets into its error. */
  check(options: { abortSignal: AbortSignal }): Promise<void>;
}

export interface ReadinessReport {
  ready: boolean;
  /** Per check, `ok` or a short code (`LEGACY_STORE_UNAVAILABLE`): what `/readyz` shows anyone who asks. */
  checks: Record<string, 'ok' | string>;
  /** The failing checks with the reason for the log: the error's code and its internal detail (never a secret). */
  failures: Array<{ name: string; reason: string }>;
}

/** Longest reason kept for the log, in characters: a driver's message can be long. */
const MAX_REASON_LENGTH = 300;

/**
 * Runs every check at once, each bounded by `timeoutInMs`.
 *
 * @example
 *   const report = await runReadinessChecks(checks, 1000);
 *   report.ready; // false when any check failed or timed out
 */
export async function runReadinessChecks(checks: readonly ReadinessCheck[], timeoutInMs: number): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      const abortSignal = AbortSignal.timeout(timeoutInMs);
      try {
        await Promise.race([
          check({ abortSignal }),
          new Promise<never>((_, reject) => abortSignal.addEventListener('abort', () => reject(new Error('timed out')), { once: true })),
        ]);
        return { name, status: 'ok' };
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const message = error instanceof Error ? error.message : 'failed';
        const status = typeof code === 'string' ? code : message;
        const reason = error instanceof EntraMigrateError ? `${error.code}: ${error.message}` : message === 'timed out' ? `no answer within ${timeoutInMs} ms` : message;
        return { name, status, reason: reason.slice(0, MAX_REASON_LENGTH) };
      }
    }),
  );
  return {
    ready: results.every(({ status }) => status === 'ok'),
    checks: Object.fromEntries(results.map(({ name, status }) => [name, status])),
    failures: results.flatMap(({ name, reason }) => (reason === undefined ? [] : [{ name, reason }])),
  };
}
