/** One thing `GET /readyz` checks: keys loaded, OpenID metadata fetched, the legacy store answering … */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when ready; rejects (or times out) when not. Must not throw secrets into its error. */
  check(options: { abortSignal: AbortSignal }): Promise<void>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'ok' | string>;
}

/** Runs every check at once, each bounded by `timeoutInMs`. */
export async function runReadinessChecks(checks: readonly ReadinessCheck[], timeoutInMs: number): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      const abortSignal = AbortSignal.timeout(timeoutInMs);
      try {
        await Promise.race([
          check({ abortSignal }),
          new Promise<never>((_, reject) => abortSignal.addEventListener('abort', () => reject(new Error('timed out')), { once: true })),
        ]);
        return [name, 'ok'] as const;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        return [name, typeof code === 'string' ? code : error instanceof Error ? error.message : 'failed'] as const;
      }
    }),
  );
  return { ready: results.every(([, status]) => status === 'ok'), checks: Object.fromEntries(results) };
}
