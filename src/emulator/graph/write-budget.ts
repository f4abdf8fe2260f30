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
  /**
   * Takes one write for `appId`, or says how many seconds to wait (the 429's Retry-After). `usage` is the share of
   * the tighter of the two limits in use once this write is counted, 0–1: what Graph reports from 0.8 up in
   * `x-ms-throttle-limit-percentage`.
   */
  admit(appId: string, now: number): { ok: true; usage: number } | { ok: false; retryAfterInSeconds: number; usage: number };
}

/** Sliding-window write counters, per app and per tenant; each admission costs O(1) however large the budget. */
export function createWriteBudget(options: WriteBudgetOptions = {}): WriteBudget {
  const windowInMs = options.windowInMs ?? 150_000;
  const perApp = options.perApp ?? 3000;
  const perTenant = options.perTenant ?? 18000;
  const byApp = new Map<string, WriteTimes>();
  const tenant = new WriteTimes(perTenant);
  const wait = (times: WriteTimes, now: number) => Math.max(1, Math.ceil((times.oldest() + windowInMs - now) / 1000));
  return {
    admit(appId, now) {
      let app = byApp.get(appId);
      if (!app) byApp.set(appId, (app = new WriteTimes(perApp)));
      app.forgetBefore(now - windowInMs);
      tenant.forgetBefore(now - windowInMs);
      if (app.full()) return { ok: false, retryAfterInSeconds: wait(app, now), usage: 1 };
      if (tenant.full()) return { ok: false, retryAfterInSeconds: wait(tenant, now), usage: 1 };
      app.push(now);
      tenant.push(now);
      return { ok: true, usage: Math.max(app.usage(), tenant.usage()) };
    },
  };
}

/** The times of the last `capacity` writes, oldest first, in a ring buffer. */
class WriteTimes {
  readonly #times: Float64Array;
  #start = 0;
  #count = 0;

  constructor(capacity: number) {
    this.#times = new Float64Array(capacity);
  }

  full(): boolean {
    return this.#count === this.#times.length;
  }

  /** The share of the capacity in use, 0–1. */
  usage(): number {
    return this.#count / this.#times.length;
  }

  oldest(): number {
    return this.#times[this.#start]!;
  }

  push(time: number): void {
    this.#times[(this.#start + this.#count) % this.#times.length] = time;
    this.#count++;
  }

  /** Drops the writes at or before `cutoff`: they have left the window. */
  forgetBefore(cutoff: number): void {
    while (this.#count > 0 && this.#times[this.#start]! <= cutoff) {
      this.#start = (this.#start + 1) % this.#times.length;
      this.#count--;
    }
  }
}
