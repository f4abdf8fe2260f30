/**
 * Graph's identity and access resource-unit limit as the emulator enforces it: every request of an app costs
 * resource units, summed over a sliding window of 10 s per app and tenant; past the limit Graph answers 429 with
 * Retry-After (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits).
 * The limit depends on the tenant's size: S (under 50 users) 3,500, M (50 to 500) 5,000, L (above 500) 8,000.
 */
export interface ReadBudgetOptions {
  /** Resource units one app may spend per window; default by the tenant's size (S/M/L). */
  perApp?: number;
  /** Window length in ms. Default 10,000. */
  windowInMs?: number;
}

export interface ReadBudget {
  /**
   * Spends `cost` resource units of `appId`, or says how many seconds to wait (the 429's Retry-After). `usage` is
   * the share of the limit in use once this request is counted, 0–1: from 0.8 up Graph reports it in
   * `x-ms-throttle-limit-percentage`.
   */
  admit(appId: string, cost: number, now: number, userCount: number): { ok: true; usage: number } | { ok: false; retryAfterInSeconds: number; usage: number };
}

/** Graph's resource units per 10 s per app and tenant, by the tenant's number of users. */
export function resourceUnitLimitOf(userCount: number): number {
  if (userCount < 50) return 3500;
  return userCount <= 500 ? 5000 : 8000;
}

/** Request paths whose base cost is not 1 (throttling-limits.md, "base request costs"), by method and path pattern. */
const BASE_COSTS: readonly { method: string; path: RegExp; cost: number }[] = [
  { method: 'GET', path: /^\/(v1\.0|beta)\/users$/, cost: 2 },
  { method: 'GET', path: /^\/(v1\.0|beta)\/applications$/, cost: 2 },
  { method: 'GET', path: /^\/(v1\.0|beta)\/applications\/[^/]+\/extensionProperties$/, cost: 2 },
  { method: 'GET', path: /^\/(v1\.0|beta)\/oauth2PermissionGrants(\/[^/]+)?$/, cost: 2 },
  { method: 'GET', path: /^\/(v1\.0|beta)\/servicePrincipals\/[^/]+\/appRoleAssignments$/, cost: 2 },
  { method: 'POST', path: /^\/(v1\.0|beta)\/directoryObjects\/getByIds$/, cost: 5 },
];

/**
 * The resource units one request costs: its path's base cost (1 when not listed), less 1 with `$select`, plus 1 with
 * `$expand`, less 1 with `$top` under 20; never below 1.
 *
 * @example
 *   resourceUnitCostOf('GET', '/v1.0/users/1234?$select=id'); // 1
 */
export function resourceUnitCostOf(method: string, url: string): number {
  const [path = '', query = ''] = url.split('?', 2);
  const base = BASE_COSTS.find((entry) => entry.method === method.toUpperCase() && entry.path.test(path))?.cost ?? 1;
  const parameters = new URLSearchParams(query);
  const top = Number(parameters.get('$top'));
  let cost = base;
  if (parameters.has('$select')) cost -= 1;
  if (parameters.has('$expand')) cost += 1;
  if (parameters.has('$top') && top < 20) cost -= 1;
  return Math.max(1, cost);
}

/** Sliding-window resource-unit sums per app; each admission is amortised O(1). */
export function createReadBudget(options: ReadBudgetOptions = {}): ReadBudget {
  const windowInMs = options.windowInMs ?? 10_000;
  const byApp = new Map<string, SpentUnits>();
  return {
    admit(appId, cost, now, userCount) {
      const limit = options.perApp ?? resourceUnitLimitOf(userCount);
      let spent = byApp.get(appId);
      if (!spent) byApp.set(appId, (spent = new SpentUnits()));
      spent.forgetBefore(now - windowInMs);
      if (spent.total + cost > limit) {
        const retryAfterInSeconds = Math.max(1, Math.ceil((spent.timeWhenBelow(limit - cost) + windowInMs - now) / 1000));
        return { ok: false, retryAfterInSeconds, usage: Math.min(1, spent.total / limit) };
      }
      spent.push(now, cost);
      return { ok: true, usage: Math.min(1, spent.total / limit) };
    },
  };
}

/** The (time, cost) of the requests in the window, oldest first, with their running total. */
class SpentUnits {
  #times: number[] = [];
  #costs: number[] = [];
  #start = 0;
  total = 0;

  push(time: number, cost: number): void {
    this.#times.push(time);
    this.#costs.push(cost);
    this.total += cost;
  }

  /** Drops the requests at or before `cutoff`: they have left the window. */
  forgetBefore(cutoff: number): void {
    while (this.#start < this.#times.length && this.#times[this.#start]! <= cutoff) {
      this.total -= this.#costs[this.#start]!;
      this.#start++;
    }
    // Compact now and then, so the arrays hold the window and not the whole history.
    if (this.#start > 1024 && this.#start * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#start);
      this.#costs = this.#costs.slice(this.#start);
      this.#start = 0;
    }
  }

  /** The time of the request whose leaving the window brings the total to `target` or below. */
  timeWhenBelow(target: number): number {
    let total = this.total;
    for (let i = this.#start; i < this.#times.length; i++) {
      total -= this.#costs[i]!;
      if (total <= target) return this.#times[i]!;
    }
    return this.#times.at(-1) ?? 0;
  }
}
