import type { Ledger, Straggler } from '../ledger/index.js';
import { csvLine } from '../status/index.js';

/** The columns of the dashboard's CSV: ids and e-mails only (issue 14); `status --stragglers` has the full export. */
export const DASHBOARD_STRAGGLER_CSV_HEADER = ['legacy_id', 'email'] as const;
/** Longest search accepted; legacy ids and e-mail addresses are under 200 characters (the ledger's field limit). */
export const MAX_SEARCH_LENGTH = 200;
/** Stragglers shown on the page per search: a screenful; the CSV has them all. */
export const STRAGGLERS_SHOWN = 50;
/** Accounts read per page of the ledger, as `status --stragglers` reads them. */
const PAGE_SIZE = 1000;

/** One straggler as the page shows it: the ids and e-mail, and whether they ever tried. */
export interface StragglerRow {
  legacyId: string;
  email: string;
  lastAnswer: string | null;
}

export interface StragglerSearch {
  stragglers: StragglerRow[];
  /** True when more matched than are shown. */
  more: boolean;
}

/**
 * The search text as it is matched: trimmed, lower-cased, at most {@link MAX_SEARCH_LENGTH} characters, control
 * characters dropped. It is matched as plain text (a substring), never as a pattern or a query.
 */
export function normaliseSearch(text: unknown): string {
  if (typeof text !== 'string') return '';
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_SEARCH_LENGTH).toLowerCase();
}

/**
 * The first {@link STRAGGLERS_SHOWN} stragglers whose legacy id or e-mail contains the search text (all when it is
 * empty), in legacy-id order, read a page of accounts at a time.
 *
 * @example
 *   const { stragglers, more } = await searchStragglers(ledger, 'contoso.com');
 */
export async function searchStragglers(ledger: Ledger, text: unknown, abortSignal?: AbortSignal): Promise<StragglerSearch> {
  const search = normaliseSearch(text);
  const found: StragglerRow[] = [];
  for await (const straggler of everyStraggler(ledger, abortSignal)) {
    if (search !== '' && !straggler.legacyId.toLowerCase().includes(search) && !straggler.email.toLowerCase().includes(search)) continue;
    if (found.length === STRAGGLERS_SHOWN) return { stragglers: found, more: true };
    found.push({ legacyId: straggler.legacyId, email: straggler.email, lastAnswer: straggler.lastAnswer });
  }
  return { stragglers: found, more: false };
}

/**
 * The dashboard's CSV of stragglers, header first: legacy id and e-mail, cells escaped (and formula-proofed) by the
 * same `csvLine` as `status --stragglers`.
 */
export async function* stragglerIdCsvLines(ledger: Ledger, abortSignal?: AbortSignal): AsyncGenerator<string> {
  yield csvLine(DASHBOARD_STRAGGLER_CSV_HEADER);
  for await (const straggler of everyStraggler(ledger, abortSignal)) yield csvLine([straggler.legacyId, straggler.email]);
}

/** Every straggler in legacy-id order, one page of accounts in memory at a time; stops when aborted (the client left). */
async function* everyStraggler(ledger: Ledger, abortSignal?: AbortSignal): AsyncGenerator<Straggler> {
  let after: string | undefined;
  do {
    if (abortSignal?.aborted) return;
    const page = await ledger.listStragglers({ ...(after !== undefined && { after }), limit: PAGE_SIZE });
    yield* page.stragglers;
    after = page.next;
  } while (after !== undefined);
}
