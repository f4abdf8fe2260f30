import { formatCounts, formatDuration, formatRate, type BulkRunView } from './bulk-runs.js';
import type { DashboardFigures, ProgressPoint } from './data.js';
import { HOURLY_COLUMNS, DAILY_ACTIONS } from './data.js';
import { escapeHtml, formatCount, formatLatency, formatShare } from './html.js';
import type { StragglerSearch } from './stragglers.js';

/** What the page is rendered from: the figures, where the ledger is, and a search if one was made. */
export interface DashboardPageInput {
  figures: DashboardFigures;
  /** The ledger as it may be shown (a PostgreSQL URL without its password). */
  ledgerShown: string;
  search: { text: string; result: StragglerSearch };
  /** How often the page asks for new figures, in ms (at most 5000). */
  pollIntervalInMs: number;
}

/** The summary figures: id on the page (`fig-…`, which the script updates), label, value. */
export function summaryFigures(figures: DashboardFigures): Array<[id: string, label: string, value: number]> {
  const { status, progress } = figures;
  return [
    ['preCreated', 'Pre-created', progress.preCreated],
    ['migratedByExtension', 'Migrated by the extension', progress.migratedByExtension],
    ['migratedByReset', 'Migrated by a password reset', progress.migratedByReset],
    ['migratedBySignUp', 'Migrated at sign-up', progress.migratedBySignUp],
    ['remaining', 'Remaining', progress.remaining],
    ['neverSignedIn', 'Never signed in', status.neverSignedIn],
    ['needsNewPassword', 'Needing a new password', status.needsNewPassword],
    ['blocked', 'Blocked', status.blocked],
    ['notApplied', 'Not applied (needs attention)', status.notApplied],
  ];
}

/**
 * The whole page, server-rendered so it reads without its script; the script (served from /assets) draws the charts
 * and refreshes every figure. Every value from the ledger is escaped.
 */
export function renderDashboardPage(input: DashboardPageInput): string {
  const { figures, ledgerShown, search } = input;
  const { status } = figures;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Migration dashboard — entra-migrate</title>
<link rel="stylesheet" href="/assets/uplot.css">
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/uplot.js" defer></script>
<script src="/assets/dashboard.js" defer></script>
</head>
<body data-poll-ms="${input.pollIntervalInMs}" data-deadline-ms="${figures.deadlineInMs}" data-entra-timeout-ms="${figures.entraTimeoutInMs}">
<a class="skip" href="#main">Skip to the figures</a>
<header>
<h1>Migration dashboard</h1>
<p>Ledger <code>${escapeHtml(ledgerShown)}</code>; figures of <time id="generated-at" datetime="${escapeHtml(status.generatedAt)}">${escapeHtml(status.generatedAt)}</time>.
<span id="live" role="status" aria-live="polite">Updates every ${Math.round(input.pollIntervalInMs / 1000)} s.</span></p>
<p id="reconcile-note">${escapeHtml(reconcileNote(status.lastReconcileAt))}</p>
</header>
<main id="main">
<section aria-labelledby="progress-heading">
<h2 id="progress-heading">Progress</h2>
<dl class="figures">
${summaryFigures(figures).map(([id, label, value]) => `<div><dt>${escapeHtml(label)}</dt><dd id="fig-${id}">${formatCount(value)}</dd></div>`).join('\n')}
</dl>
<figure>
<figcaption id="progress-caption">Accounts hour by hour over the last 14 days, from the ledger, the last point now (the table below gives the same figures). Each account is drawn where it stands now, from the moment that explains it: its pre-creation, our first MigratePassword answer, its sign-up, or reconcile's confirmation.</figcaption>
<div id="progress-chart" class="chart" role="img" aria-labelledby="progress-caption"></div>
</figure>
<details><summary>Progress as a table</summary>
<div class="scroll" tabindex="0" role="region" aria-label="Progress over time, table"><table id="progress-table">
<thead><tr><th scope="col">At (UTC)</th><th scope="col">Pre-created</th><th scope="col">By extension</th><th scope="col">By reset</th><th scope="col">By sign-up</th><th scope="col">Remaining</th></tr></thead>
<tbody>${[...figures.history].slice(-PROGRESS_ROWS).reverse().map(progressRow).join('')}</tbody>
</table></div></details>
</section>

<section aria-labelledby="answers-heading">
<h2 id="answers-heading">The extension's answers, last 24 hours</h2>
<p id="hours-note"${figures.hours.complete ? ' hidden' : ''}>More answers than the dashboard reads (10,000) fell in the last day: the oldest hours miss some.</p>
<figure>
<figcaption id="answers-caption">Answers per hour: MigratePassword, UpdatePassword, Retry, Block (legacy account locked), Block (legacy system unavailable), sign-up.</figcaption>
<div id="answers-chart" class="chart" role="img" aria-labelledby="answers-caption"></div>
</figure>
<figure>
<figcaption id="latency-caption">Answer latency per hour (p50, p95, p99, arrival to answer) against the deadline (${figures.deadlineInMs} ms) and Entra's timeout (${figures.entraTimeoutInMs} ms), and beside them the legacy password check inside the answer (legacy p50 and p95, from the answers that record it). The table adds the legacy store's share: the median of each answer's check time over its whole latency.</figcaption>
<div id="latency-chart" class="chart" role="img" aria-labelledby="latency-caption"></div>
</figure>
<details><summary>Answers per hour as a table</summary>
<div class="scroll" tabindex="0" role="region" aria-label="Answers per hour, table"><table id="hours-table">
<thead><tr><th scope="col">Hour (UTC)</th>${HOURLY_COLUMNS.map((column) => `<th scope="col">${escapeHtml(column)}</th>`).join('')}<th scope="col">p50</th><th scope="col">p95</th><th scope="col">p99</th><th scope="col">Over deadline</th><th scope="col">Legacy checks</th><th scope="col">Legacy p50</th><th scope="col">Legacy p95</th><th scope="col">Legacy share (median)</th></tr></thead>
<tbody>${[...figures.hours.perHour].reverse().map(hourRow).join('')}</tbody>
</table></div></details>
</section>

<section aria-labelledby="days-heading">
<h2 id="days-heading">Answers per day</h2>
<div class="scroll" tabindex="0" role="region" aria-labelledby="days-heading"><table id="days-table">
<thead><tr><th scope="col">Day (UTC)</th><th scope="col">Answers</th>${DAILY_ACTIONS.map((action) => `<th scope="col">${escapeHtml(action)}</th>`).join('')}<th scope="col">p50</th><th scope="col">p99</th><th scope="col">Unavailable</th></tr></thead>
<tbody>${[...status.answers.perDay].reverse().map(dayRow).join('')}</tbody>
</table></div>
</section>

<section aria-labelledby="anomalies-heading">
<h2 id="anomalies-heading">Needs attention</h2>
<ul id="anomalies">${anomalyItems(figures)}</ul>
</section>

<section aria-labelledby="stragglers-heading">
<h2 id="stragglers-heading">Stragglers</h2>
<p>Pre-created accounts that have not migrated. <a href="/stragglers.csv" download>Download them all as CSV</a> (legacy id and e-mail).</p>
<form id="straggler-search" method="get" action="/" role="search">
<label for="q">Search by legacy id or e-mail</label>
<input id="q" name="q" type="search" maxlength="200" value="${escapeHtml(search.text)}" autocomplete="off">
<button type="submit">Search</button>
</form>
<div class="scroll" tabindex="0" role="region" aria-label="Stragglers found"><table id="stragglers-table">
<thead><tr><th scope="col">Legacy id</th><th scope="col">E-mail</th><th scope="col">Last answer</th></tr></thead>
<tbody>${search.result.stragglers.map((row) => `<tr><th scope="row">${escapeHtml(row.legacyId)}</th><td>${escapeHtml(row.email)}</td><td>${escapeHtml(row.lastAnswer ?? 'never signed in')}</td></tr>`).join('')}</tbody>
</table></div>
<p id="stragglers-note" role="status">${escapeHtml(stragglerNote(search.result))}</p>
</section>

<section aria-labelledby="bulk-heading">
<h2 id="bulk-heading">Bulk runs</h2>
<p>The last ${BULK_RUN_ROWS} runs of premigrate, premigrate --sync, reconcile and cutover, newest first: the Graph requests they sent per second against the rate their pacer allowed, and the requests Graph throttled (HTTP 429).</p>
<div class="scroll" tabindex="0" role="region" aria-labelledby="bulk-heading"><table id="bulk-runs-table">
<thead><tr><th scope="col">Command</th><th scope="col">Started (UTC)</th><th scope="col">Duration</th><th scope="col">Outcome</th><th scope="col">Dry run</th><th scope="col">Graph requests</th><th scope="col">Rate against budget</th><th scope="col">Throttled (429)</th><th scope="col">Counts</th></tr></thead>
<tbody>${figures.bulkRuns.map(bulkRunRow).join('')}</tbody>
</table></div>
<p id="bulk-runs-note"${figures.bulkRuns.length > 0 ? ' hidden' : ''}>No bulk run is recorded in the ledger yet.</p>
</section>
</main>
</body>
</html>
`;
}

/** Rows of the progress table: the last day. */
const PROGRESS_ROWS = 24;
/** Rows of the bulk runs table (the figures hold at most this many). */
const BULK_RUN_ROWS = 10;

/** A bulk run's cells, in the order of the table's columns (the script fills the same ones). */
export function bulkRunCells(run: BulkRunView): string[] {
  return [run.command, run.startedAt, formatDuration(run.durationInMs), run.outcome, run.dryRun ? 'yes' : 'no', formatCount(run.graphRequests), formatRate(run), formatCount(run.throttled), formatCounts(run.counts)];
}

function bulkRunRow(run: BulkRunView): string {
  const [command, ...cells] = bulkRunCells(run);
  return `<tr><th scope="row">${escapeHtml(command)}</th>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`;
}

function reconcileNote(lastReconcileAt: string | null): string {
  return lastReconcileAt === null
    ? 'Reconcile has not run: nothing is confirmed through Graph; "migrated" counts our answers only.'
    : `Reconcile last read Graph at ${lastReconcileAt}.`;
}

export function stragglerNote(result: StragglerSearch): string {
  if (result.stragglers.length === 0) return 'No straggler matches.';
  return result.more ? `The first ${result.stragglers.length} matches; the CSV has them all.` : `${result.stragglers.length} found.`;
}

function progressRow(point: ProgressPoint): string {
  const cells = [point.preCreated, point.migratedByExtension, point.migratedByReset, point.migratedBySignUp, point.remaining].map((n) => `<td>${formatCount(n)}</td>`);
  return `<tr><th scope="row">${escapeHtml(point.at)}</th>${cells.join('')}</tr>`;
}

function hourRow(hour: DashboardFigures['hours']['perHour'][number]): string {
  const counts = HOURLY_COLUMNS.map((column) => `<td>${formatCount(hour.byColumn[column])}</td>`).join('');
  const latencies = [hour.p50LatencyInMs, hour.p95LatencyInMs, hour.p99LatencyInMs].map((ms) => `<td>${formatLatency(ms)}</td>`).join('');
  const legacy = [formatCount(hour.legacyChecks), formatLatency(hour.legacyP50LatencyInMs), formatLatency(hour.legacyP95LatencyInMs), formatShare(hour.legacyShareP50)].map((cell) => `<td>${cell}</td>`).join('');
  return `<tr><th scope="row">${escapeHtml(hour.hour.slice(0, 13))}:00</th>${counts}${latencies}<td>${formatCount(hour.overDeadline)}</td>${legacy}</tr>`;
}

function dayRow(day: DashboardFigures['status']['answers']['perDay'][number]): string {
  const counts = DAILY_ACTIONS.map((action) => `<td>${formatCount(day.byAction[action])}</td>`).join('');
  const share = day.unavailableShare === null ? '–' : `${(day.unavailableShare * 100).toFixed(1)}%`;
  return `<tr><th scope="row">${escapeHtml(day.day)}</th><td>${formatCount(day.answers)}</td>${counts}<td>${formatLatency(day.p50LatencyInMs)}</td><td>${formatLatency(day.p99LatencyInMs)}</td><td>${share}</td></tr>`;
}

function anomalyItems(figures: DashboardFigures): string {
  if (figures.anomalies.length === 0) return '<li>Nothing needs attention.</li>';
  return figures.anomalies.map((anomaly) => `<li><strong>${formatCount(anomaly.count)} ${escapeHtml(anomaly.kind)}</strong>: ${escapeHtml(anomaly.advice)}</li>`).join('');
}
