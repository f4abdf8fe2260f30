import type { BulkRunRecord, Ledger } from '../ledger/index.js';

/** Runs the panel shows: the last few, enough to see this week's premigrate and reconcile runs side by side. */
export const BULK_RUNS_SHOWN = 10;

/** One bulk run as the page shows it: the ledger's record with its duration and the request rate it achieved. */
export interface BulkRunView {
  id: string;
  command: BulkRunRecord['command'];
  /** ISO 8601 UTC. */
  startedAt: string;
  finishedAt: string | null;
  /** To its end, or to now while it runs (or if it died without a last word: its last write is the best we know). */
  durationInMs: number;
  outcome: BulkRunRecord['outcome'];
  dryRun: boolean;
  counts: Record<string, number>;
  graphRequests: number;
  /** Graph requests sent per second of the run; null for a run under a second. */
  requestsPerSecond: number | null;
  /** The rate the run's pacer allowed, null when unpaced. */
  budgetPerSecond: number | null;
  /** 429 answers received. */
  throttled: number;
}

/**
 * The last {@link BULK_RUNS_SHOWN} runs of premigrate, premigrate --sync, reconcile and cutover, newest first, with
 * what the panel compares: the request rate achieved against the pacer's budget, and the 429s.
 *
 * @example
 *   const runs = await recentBulkRuns(ledger, new Date());
 *   runs[0]?.requestsPerSecond; // e.g. 15.2 of a budget of 16
 */
export async function recentBulkRuns(ledger: Ledger, now: Date): Promise<BulkRunView[]> {
  return (await ledger.listBulkRuns({ limit: BULK_RUNS_SHOWN })).map((run) => bulkRunView(run, now));
}

export function bulkRunView(run: BulkRunRecord, now: Date): BulkRunView {
  const end = run.finishedAt ?? (run.outcome === 'running' ? now : run.startedAt);
  const durationInMs = Math.max(0, end.getTime() - run.startedAt.getTime());
  return {
    id: run.id,
    command: run.command,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    durationInMs,
    outcome: run.outcome,
    dryRun: run.dryRun,
    counts: run.counts,
    graphRequests: run.graphRequests,
    requestsPerSecond: durationInMs >= 1000 ? run.graphRequests / (durationInMs / 1000) : null,
    budgetPerSecond: run.budgetPerSecond,
    throttled: run.throttled,
  };
}

/** A duration as the panel prints it: `42 s`, `12 min 5 s`, `3 h 20 min`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The rate against the budget as the panel prints it: `15.2/s of 16/s`, `15.2/s (unpaced)`, `–` under a second. */
export function formatRate(view: Pick<BulkRunView, 'requestsPerSecond' | 'budgetPerSecond'>): string {
  if (view.requestsPerSecond === null) return '–';
  const rate = `${view.requestsPerSecond.toFixed(1)}/s`;
  return view.budgetPerSecond === null ? `${rate} (unpaced)` : `${rate} of ${Number(view.budgetPerSecond.toFixed(2))}/s`;
}

/** The counters as the panel prints them: `read 120, created 100`. */
export function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '–' : entries.map(([key, value]) => `${key} ${value.toLocaleString('en-US')}`).join(', ');
}
