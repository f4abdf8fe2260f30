import type { DirectoryQuota } from '../graph/index.js';
import type { RejectedRow } from './legacy-record.js';

/** An account or row that did not make it, for `--failures`: never the row itself (it may hold a password). */
export interface PremigrateFailure {
  /** The legacy id; '' when the row has none that can be read. */
  legacyId: string;
  reason: string;
  /** The source's line (record) number, as `SourceRow.line` gives it. */
  line?: number;
}

export interface PremigrateSummary {
  /** The run's id in the ledger's bulk runs (`listBulkRuns`), picked at start. */
  runId: string;
  /** Graph requests answered (each `$batch` sub-request counts as one), whichever step sent them. */
  graphRequests: number;
  read: number;
  /** Rows that cannot become an account (no id, invalid e-mail …): counted in `failed` too. */
  rejected: number;
  /** Rows whose id or e-mail an earlier row already had: counted in `failed` too. */
  duplicates: number;
  /** Already created or existing in the ledger from an earlier run. */
  skipped: number;
  created: number;
  existing: number;
  /** Accounts Graph did not take, and rejected and duplicate rows. */
  failed: number;
  /** Graph answers with HTTP 429 (creates, lookups and methods alike); the pacer waited them out. */
  throttled: number;
  /** Dry run: accounts that would be created. */
  wouldCreate: number;
  /** Dry run: the tenant's directory quota (null when Graph did not say) and whether `wouldCreate` more fit in it. */
  quota: (DirectoryQuota & { fits: boolean }) | null;
  /** Authentication methods registered (e-mail and phone together). */
  methodsAdded: number;
  /** Accounts created or found whose methods could not all be added (listed in `failures`). */
  methodsFailed: number;
  /** Stopped by the abort signal with work left: the next run resumes it. */
  interrupted: boolean;
  /** `$batch` requests in flight when the summary was taken: the batches an abort lets finish. 0 at the end. */
  batchesInFlight: number;
  elapsedInMs: number;
  /** The first 1,000 rejected and duplicate rows (line and reason; never the row). */
  rejections: RejectedRow[];
  /** The first 1,000 failures: accounts, rejected and duplicate rows, missing methods. */
  failures: PremigrateFailure[];
}

/** Rows of `rejections` and `failures` kept: enough to act on, bounded however bad the source. */
const KEEP = 1000;

export function emptySummary(): PremigrateSummary {
  return { runId: '', graphRequests: 0, read: 0, rejected: 0, duplicates: 0, skipped: 0, created: 0, existing: 0, failed: 0, throttled: 0, wouldCreate: 0, quota: null, methodsAdded: 0, methodsFailed: 0, interrupted: false, batchesInFlight: 0, elapsedInMs: 0, rejections: [], failures: [] };
}

/** Lists a failure, up to the first 1,000. */
export function listFailure(summary: PremigrateSummary, failure: PremigrateFailure): void {
  if (summary.failures.length < KEEP) summary.failures.push(failure);
}

/** A row skipped as invalid or duplicate: a failure, with its line. */
export function skipRow(summary: PremigrateSummary, kind: 'rejected' | 'duplicates', row: PremigrateFailure & { line: number }): void {
  summary[kind]++;
  summary.failed++;
  if (summary.rejections.length < KEEP) summary.rejections.push({ line: row.line, reason: row.reason });
  listFailure(summary, row);
}
