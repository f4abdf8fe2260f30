/** Graph's identity-write limits as the emulator enforces them (DESIGN.md: ~3,000 / 150 s per app, 18,000 / 5 min per tenant). */
export interface WriteBudgetOptions {
  /** Writes one app may make per window. Default 3000. */
  perApp?: number;
  /** Writes all apps together may make per window. Default 18000 (per 300 s in Graph; scaled to the window). */
  perTenant?: number;
  /** Window length in ms. Default 150,000. */
  windowInMs?: number;
}

export interface WriteBudget {
  /** Takes one write for `appId`, or says how many seconds to wait (the 429's Retry-After). */
  admit(appId: string, now: number): { ok: true } | { ok: false; retryAfterInSeconds: number };
}

/** Sliding-window write counters, per app and per tenant. */
export function createWriteBudget(options: WriteBudgetOptions = {}): WriteBudget {
  const windowInMs = options.windowInMs ?? 150_000;
  const perApp = options.perApp ?? 3000;
  const perTenant = options.perTenant ?? 18000;
  const byApp = new Map<string, number[]>();
  const tenant: number[] = [];
  const prune = (times: number[], now: number) => {
    while (times.length > 0 && times[0]! <= now - windowInMs) times.shift();
  };
  const wait = (times: number[], now: number) => Math.max(1, Math.ceil((times[0]! + windowInMs - now) / 1000));
  return {
    admit(appId, now) {
      const app = byApp.get(appId) ?? [];
      byApp.set(appId, app);
      prune(app, now);
      prune(tenant, now);
      if (app.length >= perApp) return { ok: false, retryAfterInSeconds: wait(app, now) };
      if (tenant.length >= perTenant) return { ok: false, retryAfterInSeconds: wait(tenant, now) };
      app.push(now);
      tenant.push(now);
      return { ok: true };
    },
  };
}
