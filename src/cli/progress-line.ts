/** Where a long run stands, for one progress line. */
export interface ProgressFacts {
  /** Accounts finished (created, existing, failed or skipped). */
  done: number;
  /** Accounts expected, when known (an estimate from the source's size). */
  total: number | null;
  elapsedInMs: number;
  /** Writes per second achieved so far. */
  ratePerSecond: number;
  throttled: number;
  failed: number;
}

const BAR_WIDTH = 24;

/**
 * One line of progress: a bar with done/total and ETA when the total is known, else the count alone.
 *
 * @example
 *   progressLine({ done: 500, total: 1000, elapsedInMs: 25_000, ratePerSecond: 18, throttled: 2, failed: 0 })
 *   // '[############------------]  50%  500/1,000 · 18.0/s · ETA 28s · throttled 2 · failed 0'
 */
export function progressLine(facts: ProgressFacts): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const tail = `${facts.ratePerSecond.toFixed(1)}/s`;
  const trailer = `throttled ${count(facts.throttled)} · failed ${count(facts.failed)}`;
  if (facts.total === null || facts.total <= 0) return `${count(facts.done)} done · ${tail} · ${duration(facts.elapsedInMs)} · ${trailer}`;
  const total = Math.max(facts.total, facts.done);
  const share = facts.done / total;
  const filled = Math.round(share * BAR_WIDTH);
  const left = total - facts.done;
  const eta = facts.ratePerSecond > 0 ? `ETA ${duration((left / facts.ratePerSecond) * 1000)}` : 'ETA –';
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${`${Math.floor(share * 100)}%`.padStart(4)}  ${count(facts.done)}/${count(total)} · ${tail} · ${eta} · ${trailer}`;
}

/** 28s, 4m05s, 2h07m. */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}
