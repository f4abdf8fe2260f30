/**
 * The wait a 429/503 asks for, in ms: `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), else
 * undefined. Values are capped at `maxInMs` so a hostile or broken header cannot park a run for hours.
 *
 * @example
 *   retryAfterInMs('7', Date.now()) // 7000
 */
export function retryAfterInMs(header: string | null | undefined, now: number, maxInMs = 300_000): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d{1,10}$/.test(text)) return Math.min(Number(text) * 1000, maxInMs);
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.min(Math.max(0, date - now), maxInMs);
}

/**
 * Exponential back-off with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): a random wait in
 * [0, min(cap, base · 2^attempt)). `random` is injectable for tests.
 */
export function backoffInMs(attempt: number, options: { baseInMs?: number; capInMs?: number; random?: () => number } = {}): number {
  const base = options.baseInMs ?? 500;
  const cap = options.capInMs ?? 30_000;
  return Math.floor((options.random ?? Math.random)() * Math.min(cap, base * 2 ** Math.max(0, attempt)));
}
