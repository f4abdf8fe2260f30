import { createWriteBudget } from '../../src/emulator/graph/write-budget.js';
import type { VirtualTime } from './virtual-time.js';

export interface SimulatedGraphOptions {
  time: VirtualTime;
  /** Writes one app registration may make per window (the emulator's sliding window). */
  perApp: number;
  windowInMs: number;
  /** Share of writes answered 503 before they run (nothing written). */
  beforeWriteFaultRate?: number;
  /** Share of writes that run and are then answered 503 (the user exists though the answer says it failed). */
  afterWriteFaultRate?: number;
  /** Retry-After on the injected 503s; none by default, as the stand-in of issue 9. */
  faultRetryAfterInSeconds?: number;
  /** Time Graph takes to answer a `$batch`. Default 150 ms. */
  latencyInMs?: number;
  random: () => number;
}

/**
 * A Graph stand-in small enough to run in virtual time: `POST /v1.0/$batch` of user creates and identity lookups,
 * with the emulator's sliding-window write budget (429 + Retry-After, `x-ms-throttle-limit-percentage` above 80 %)
 * and injected 503s before and after the write. Users live in a map, so a test sees duplicates and losses directly.
 */
export function simulatedGraph(options: SimulatedGraphOptions) {
  const budget = createWriteBudget({ perApp: options.perApp, perTenant: options.perApp * 1000, windowInMs: options.windowInMs });
  const users = new Map<string, string>();
  const stats = { batches: 0, writes: 0, throttled: 0, faultsBefore: 0, faultsAfter: 0, creates: 0 };
  const faultHeaders = (): Record<string, string> => (options.faultRetryAfterInSeconds === undefined ? {} : { 'retry-after': String(options.faultRetryAfterInSeconds) });
  const error = (code: string, message: string) => ({ error: { code, message } });

  const answer = (inner: { id: string; method: string; url: string; body?: { identities?: Array<{ issuerAssignedId: string }> } }) => {
    const base = { id: inner.id, headers: { 'content-type': 'application/json' } as Record<string, string> };
    if (inner.method === 'GET') {
      const email = /issuerAssignedId eq '([^']+)'/.exec(decodeURIComponent(inner.url))?.[1] ?? '';
      const id = users.get(email);
      return { ...base, status: 200, body: { value: id ? [{ id }] : [] } };
    }
    if (options.random() < (options.beforeWriteFaultRate ?? 0)) {
      stats.faultsBefore++;
      return { ...base, status: 503, headers: { ...base.headers, ...faultHeaders() }, body: error('serviceNotAvailable', 'The service is temporarily unavailable.') };
    }
    const admitted = budget.admit('app', options.time.now());
    if (admitted.usage > 0.8) base.headers['x-ms-throttle-limit-percentage'] = admitted.usage.toFixed(2);
    if (!admitted.ok) {
      stats.throttled++;
      return { ...base, status: 429, headers: { ...base.headers, 'retry-after': String(admitted.retryAfterInSeconds) }, body: error('TooManyRequests', 'Too many requests.') };
    }
    stats.writes++;
    const email = inner.body?.identities?.[0]?.issuerAssignedId ?? '';
    if (users.has(email)) return { ...base, status: 400, body: error('Request_BadRequest', 'Another object with the same value for property identities already exists.') };
    const id = `id-${users.size}`;
    users.set(email, id);
    stats.creates++;
    if (options.random() < (options.afterWriteFaultRate ?? 0)) {
      stats.faultsAfter++;
      return { ...base, status: 503, headers: { ...base.headers, ...faultHeaders() }, body: error('serviceNotAvailable', 'The service is temporarily unavailable.') };
    }
    return { ...base, status: 201, body: { id } };
  };

  const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    stats.batches++;
    await options.time.sleep(options.latencyInMs ?? 150);
    const { requests } = JSON.parse(String(init?.body)) as { requests: Array<Parameters<typeof answer>[0]> };
    return Response.json({ responses: requests.map(answer) });
  }) as typeof globalThis.fetch;

  return { fetch, users, stats };
}
