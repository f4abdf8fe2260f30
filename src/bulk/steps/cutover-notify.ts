import type { Ledger } from '../../ledger/index.js';

/** One line of the `--notify` file: a user whose flag cut-over cleared, who must reset their password. */
export interface ReleasedAccount {
  legacyId: string;
  email: string;
  /** Unknown today: the ledger keeps no profile, only its fingerprint (a column kept for mailing tools). */
  displayName: string | null;
}

/**
 * Every account the ledger holds `released-by-cutover`, earlier runs included (a resumed `--apply` writes the whole
 * list, not just its own part), in legacy-id order, with the e-mail phase 1 recorded. The ledger lists reconciliations
 * by account only, so this walks the pre-created accounts page by page and stops once `expected` (the ledger's count
 * of released accounts) were found.
 *
 * @example
 *   for await (const account of releasedAccounts(ledger, summary.releasedInAll)) lines.push(account.email);
 */
export async function* releasedAccounts(ledger: Pick<Ledger, 'listAccounts' | 'reconciliation'>, expected: number, pageSize = 1000): AsyncGenerator<ReleasedAccount> {
  let found = 0;
  let after: string | undefined;
  while (found < expected) {
    const page = await ledger.listAccounts({ limit: pageSize, ...(after !== undefined && { after }) });
    for (const account of page) {
      if (account.entraObjectId === null) continue;
      if ((await ledger.reconciliation(account.legacyId))?.confirmation !== 'released-by-cutover') continue;
      found++;
      yield { legacyId: account.legacyId, email: account.email, displayName: null };
    }
    if (page.length < pageSize) return;
    after = page.at(-1)!.legacyId;
  }
}

/**
 * The `--notify` file: `legacy_id,email,display_name`, RFC 4180 (CRLF, every field quoted, quotes doubled). A field
 * that a spreadsheet would take for a formula (beginning with `=`, `+`, `-`, `@`, a tab or a carriage return) is
 * prefixed with `'`, as OWASP's "CSV Injection" page advises: the file is opened by people, in spreadsheets.
 *
 * @example
 *   notifyCsv([{ legacyId: '42', email: 'ada@example.com', displayName: null }])
 *   // '"legacy_id","email","display_name"\r\n"42","ada@example.com",""\r\n'
 */
export function notifyCsv(accounts: Iterable<ReleasedAccount>): string {
  const lines = [['legacy_id', 'email', 'display_name'].map(field).join(',')];
  for (const account of accounts) lines.push([account.legacyId, account.email, account.displayName ?? ''].map(field).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function field(value: string): string {
  const inert = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${inert.replace(/"/g, '""')}"`;
}
