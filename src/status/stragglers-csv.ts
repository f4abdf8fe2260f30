import type { Ledger, Straggler } from '../ledger/index.js';

/** The header of `status --stragglers`; the columns are part of the contract (docs/status.md). */
export const STRAGGLER_CSV_HEADER = ['legacy_id', 'email', 'pre_created_at', 'last_attempt_at', 'last_answer'] as const;

/** Accounts looked at per page: two indexed queries each, a bounded amount in memory whatever the ledger's size. */
const PAGE_SIZE = 1000;

/**
 * One CSV cell (RFC 4180): quoted when it holds a quote, a comma or a line break, its quotes doubled. A cell a
 * spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed
 * with `'`, so opening the file never runs one (OWASP, "CSV Injection").
 *
 * @example
 *   csvCell('a,b')    // '"a,b"'
 *   csvCell('=1+2')   // "'=1+2"
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV line of cells, ended by CRLF as RFC 4180 writes it. */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export function stragglerCsvLine(straggler: Straggler): string {
  return csvLine([
    straggler.legacyId,
    straggler.email,
    straggler.preCreatedAt.toISOString(),
    straggler.lastAttemptAt?.toISOString() ?? '',
    straggler.lastAnswer ?? '',
  ]);
}

/** What the export wrote: the accounts, and of them how many never signed in. */
export interface StragglerExportCount {
  accounts: number;
  neverSignedIn: number;
}

/**
 * The stragglers as CSV lines, header first, read from the ledger a page at a time in legacy-id order (keyset
 * pagination), so the export of a million accounts holds one page in memory. `count` is filled as lines are
 * yielded.
 *
 * @example
 *   const count = { accounts: 0, neverSignedIn: 0 };
 *   for await (const line of stragglerCsvLines(ledger, count)) out.write(line);
 */
export async function* stragglerCsvLines(ledger: Ledger, count: StragglerExportCount): AsyncGenerator<string> {
  yield csvLine(STRAGGLER_CSV_HEADER);
  let after: string | undefined;
  do {
    const page = await ledger.listStragglers({ ...(after !== undefined && { after }), limit: PAGE_SIZE });
    for (const straggler of page.stragglers) {
      count.accounts += 1;
      if (straggler.lastAnswer === null) count.neverSignedIn += 1;
      yield stragglerCsvLine(straggler);
    }
    after = page.next;
  } while (after !== undefined);
}
