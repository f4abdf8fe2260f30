/**
 * Text made safe for HTML content and quoted attribute values: `& < > " '` become entities. Everything the ledger
 * holds (ids, e-mail addresses, reasons) goes through this before it reaches the page.
 *
 * @example
 *   escapeHtml('<script>alert(1)</script>') // '&lt;script&gt;alert(1)&lt;/script&gt;'
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A count as the page prints it: digits grouped (12,345). */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A latency as the page prints it, or a dash when there is none. */
export function formatLatency(ms: number | null): string {
  return ms === null ? '–' : `${Math.round(ms)} ms`;
}

/** A share (0 to 1) as the page prints it, a percentage with one decimal, or a dash when there is none. */
export function formatShare(share: number | null): string {
  return share === null ? '–' : `${(share * 100).toFixed(1)}%`;
}
