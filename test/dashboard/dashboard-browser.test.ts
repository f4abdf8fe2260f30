import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { silentLogger } from '../../src/common/logger.js';
import { DEMO_USERS, startDemo, type RunningDemo } from '../../src/demo/index.js';
import { loadDashboardConfig } from '../../src/dashboard/dashboard-config.js';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/start-dashboard.js';
import { openLedger, type Ledger } from '../../src/ledger/index.js';
import { statusFigures, type StatusFigures } from '../../src/status/index.js';
import { seedStatusLedger } from '../status/seed-status-ledger.js';

const CHROMIUM = '/usr/bin/chromium';
/** Where the screenshots go: outside the repository, so nothing generated is committed by accident. */
const SCREENSHOTS = join(tmpdir(), 'entra-migrate-test-results', 'dashboard');

/**
 * The little of the browser's globals the test reads inside the page (the project's TypeScript has no DOM library;
 * strings would be eval, which the dashboard's CSP rightly forbids).
 */
interface InBrowser {
  notReloaded?: boolean;
  document: {
    getElementById(id: string): { textContent: string | null } | null;
    querySelectorAll(selector: string): { length: number; [Symbol.iterator](): Iterator<{ textContent: string | null }> };
    documentElement: { scrollWidth: number };
    activeElement: { textContent: string | null } | null;
  };
}

function skipReason(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const reason = `${CHROMIUM} is missing; install Debian's chromium (apt-get install chromium) to run the browser test`;
  if (process.env.CI === 'true') throw new Error(`CI requires the browser test: ${reason}`);
  return reason;
}

/** The figures the page shows in its summary, by id, as the seeded ledger's status figures give them. */
function expectedSummary(figures: StatusFigures): Record<string, string> {
  const n = (value: number) => value.toLocaleString('en-US');
  return {
    preCreated: n(figures.accounts.preCreated),
    migratedByExtension: n(figures.migratedBy.extension),
    migratedByReset: n(figures.migratedBy.reset),
    migratedBySignUp: n(figures.migratedBy.signUp),
    remaining: n(figures.needsNewPassword + figures.blocked + figures.triedNotMigrated + figures.neverSignedIn + figures.notApplied),
    neverSignedIn: n(figures.neverSignedIn),
    needsNewPassword: n(figures.needsNewPassword),
    blocked: n(figures.blocked),
    notApplied: n(figures.notApplied),
  };
}

const DAY_IN_MS = 86_400_000;

/**
 * A chart's time axis as the page drew it (uPlot draws on a canvas; the page writes the ticks and range on the
 * chart's element after each draw): the range lies around now and spans at most `widestInMs`, and no tick names a
 * year after this one (uPlot once widened a single point by 1000 days, out to 2029).
 */
async function assertSaneTimeAxis(page: Page, chart: string, widestInMs: number): Promise<void> {
  const attribute = async (name: string) => (await page.getAttribute(`#${chart}`, name)) ?? '';
  const [ticks, min, max] = [await attribute('data-x-ticks'), Date.parse(await attribute('data-x-min')), Date.parse(await attribute('data-x-max'))];
  const now = Date.now();
  assert.ok(ticks.length > 0, `${chart}: ticks drawn`);
  assert.ok(max - min > 0 && max - min <= widestInMs, `${chart}: the axis spans ${(max - min) / 3_600_000} h`);
  assert.ok(min >= now - 15 * DAY_IN_MS && max <= now + 2 * 3_600_000, `${chart}: the axis is around now (${new Date(min).toISOString()} to ${new Date(max).toISOString()})`);
  const thisYear = new Date(now).getUTCFullYear();
  for (const year of ticks.match(/\b20\d\d\b/g) ?? []) assert.ok(Number(year) <= thisYear, `${chart}: a tick names ${year}: ${ticks}`);
  for (const [, shortYear] of ticks.matchAll(/\d{1,2}\/\d{1,2}\/(\d\d)\b/g)) assert.ok(2000 + Number(shortYear) <= thisYear, `${chart}: a tick names 20${shortYear}: ${ticks}`);
}

async function shownSummary(page: Page): Promise<Record<string, string>> {
  return page.$$eval('dd[id^="fig-"]', (elements) => Object.fromEntries(elements.map((element) => [element.id.slice(4), element.textContent ?? ''])));
}

describe('the dashboard in a real browser', { skip: skipReason() }, () => {
  let dir: string;
  let writer: Ledger;
  let dashboard: RunningDashboard;
  let browser: Browser;
  const problems: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dashboard-browser-'));
    const url = `sqlite://${join(dir, 'ledger.db')}`;
    writer = await openLedger(url);
    await seedStatusLedger(writer, new Date()); // the dashboard reads the real clock: the answers' days end today
    await writer.recordAccount({ legacyId: '<script>alert(1)</script>', email: 'x"><b>bold</b>@example.com', state: 'created', entraObjectId: 'o-hostile', reason: null, updatedAt: new Date() });
    // An answer of this hour that timed its legacy check (40 of 100 ms), and a finished and a running bulk run.
    await writer.recordDecision({ at: new Date(), correlationId: 'c-legacy-timed', objectId: 'o-legacy-timed', legacyId: null, action: 'Retry', reason: 'password-wrong', latencyInMs: 100, legacyLatencyInMs: 40 });
    const started = Date.now() - 3_600_000;
    await writer.recordBulkRun({ id: '11111111-1111-4111-8111-111111111111', command: 'premigrate', startedAt: new Date(started), finishedAt: new Date(started + 600_000), outcome: 'completed', dryRun: false, counts: { read: 9000, created: 8990, failed: 10 }, graphRequests: 9000, throttled: 4, budgetPerSecond: 16 });
    await writer.recordBulkRun({ id: '22222222-2222-4222-8222-222222222222', command: 'reconcile', startedAt: new Date(Date.now() - 30_000), finishedAt: null, outcome: 'running', dryRun: true, counts: { checked: 120 }, graphRequests: 300, throttled: 0, budgetPerSecond: null });
    dashboard = await startDashboard(loadDashboardConfig({ DASHBOARD_PORT: '0', LEDGER_DATABASE_URL: url }));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    await mkdir(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await dashboard?.close();
    await writer?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function open(width: number, height: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true });
    const page = await context.newPage();
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(dashboard.url);
    await page.waitForSelector('#progress-chart canvas', { timeout: 10_000 }); // uPlot ran, under the CSP
    return page;
  }

  test('shows the seeded figures, draws the charts, and updates without a reload when a user migrates', async () => {
    const page = await open(1280, 900);
    assert.deepEqual(await shownSummary(page), expectedSummary(await statusFigures({ ledger: writer, days: 14, now: new Date() })));
    for (const chart of ['progress-chart', 'answers-chart', 'latency-chart']) {
      assert.equal(await page.locator(`#${chart} canvas`).count(), 1, chart);
      await assertSaneTimeAxis(page, chart, 15 * DAY_IN_MS);
    }
    // The progress chart comes from the ledger: 14 days back, where the seeded accounts were pre-created weeks ago.
    assert.ok(Date.parse((await page.getAttribute('#progress-chart', 'data-x-min'))!) < Date.now() - 13 * DAY_IN_MS, 'the progress chart goes back 14 days');
    assert.match((await page.textContent('#hours-table tbody tr:first-child')) ?? '', /40 ms.*40 ms.*40\.0%/, 'the legacy check of this hour, and its share');
    const runs = await page.$$eval('#bulk-runs-table tbody tr', (rows) => rows.map((row) => row.textContent ?? ''));
    assert.equal(runs.length, 2);
    assert.match(runs[0]!, /^reconcile.*running.*yes.*300.*\(unpaced\).*checked 120$/);
    assert.match(runs[1]!, /^premigrate.*10 min 0 s.*completed.*no.*9,000.*15\.0\/s of 16\/s.*4.*read 9,000, created 8,990, failed 10$/);
    assert.match((await page.textContent('#stragglers-table')) ?? '', /<script>alert\(1\)<\/script>/, 'the hostile id shows as text');
    assert.equal(await page.locator('#stragglers-table b').count(), 0, 'and makes no markup');
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-desktop.png'), fullPage: true });

    await page.evaluate(() => ((globalThis as unknown as InBrowser).notReloaded = true));
    const before = Number((await page.textContent('#fig-migratedByExtension'))!.replace(/,/g, ''));
    const remaining = Number((await page.textContent('#fig-remaining'))!.replace(/,/g, ''));
    const recordedAt = Date.now();
    await writer.recordDecision({ at: new Date(), correlationId: 'c-browser-1', objectId: 'o-a-never1', legacyId: 'a-never1', action: 'MigratePassword', reason: 'password-correct', latencyInMs: 123 });
    await page.waitForFunction((expected) => (globalThis as unknown as InBrowser).document.getElementById('fig-migratedByExtension')?.textContent === expected, String(before + 1), { timeout: 5000 });
    const tookInMs = Date.now() - recordedAt;
    assert.equal(await page.textContent('#fig-remaining'), String(remaining - 1));
    await writer.recordBulkRun({ id: '33333333-3333-4333-8333-333333333333', command: 'cutover', startedAt: new Date(), finishedAt: null, outcome: 'running', dryRun: false, counts: {}, graphRequests: 0, throttled: 0, budgetPerSecond: 16 });
    await page.waitForFunction(() => ((globalThis as unknown as InBrowser).document.getElementById('bulk-runs-table')?.textContent ?? '').includes('cutover'), undefined, { timeout: 5000 });
    assert.equal(await page.evaluate(() => (globalThis as unknown as InBrowser).notReloaded), true, 'the page was not reloaded');
    process.stdout.write(`# the page showed the new migration ${tookInMs} ms after it was recorded\n`);
    assert.deepEqual(problems, [], 'no script error and no CSP violation');
    await page.context().close();
  });

  test('searches the stragglers and downloads their CSV (ids and e-mails)', async () => {
    const page = await open(1280, 900);
    await page.fill('#q', 'A-NEVER2');
    await page.press('#q', 'Enter');
    await page.waitForFunction(() => (globalThis as unknown as InBrowser).document.querySelectorAll('#stragglers-table tbody tr').length === 1);
    assert.match((await page.textContent('#stragglers-table tbody')) ?? '', /a-never2.*a-never2@example\.com/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href="/stragglers.csv"]')]);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.split('\r\n');
    assert.equal(lines[0], 'legacy_id,email');
    assert.ok(lines.includes('a-never2,a-never2@example.com'));
    assert.ok(!lines.includes('a-never1,a-never1@example.com'), 'a-never1 migrated in the test before: no longer a straggler');
    assert.ok(lines.includes("'=1+2,\"'-x@example.com, \"\"q\"\"\""));
    assert.ok(lines.slice(1, -1).every((line) => line.split(',').length >= 2));
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('a ledger with nothing in it yet: its one progress point gets an hour either side, not years (regression)', async () => {
    const emptyUrl = `sqlite://${join(dir, 'empty.db')}`;
    await (await openLedger(emptyUrl)).close();
    const empty = await startDashboard(loadDashboardConfig({ DASHBOARD_PORT: '0', LEDGER_DATABASE_URL: emptyUrl }));
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(empty.url);
      await page.waitForSelector('#progress-chart canvas', { timeout: 10_000 });
      await assertSaneTimeAxis(page, 'progress-chart', 2 * 3_600_000 + 1000);
      assert.match((await page.getAttribute('#progress-chart', 'data-x-ticks'))!, /\d(am|pm)|:\d\d/, 'the ticks are hours');
      assert.equal(await page.textContent('#bulk-runs-note'), 'No bulk run is recorded in the ledger yet.');
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-empty-ledger.png'), fullPage: true });
      await context.close();
    } finally {
      await empty.close();
    }
  });

  test('at 375 px the page fits the width and is usable by keyboard', async () => {
    const page = await open(375, 812);
    assert.ok((await page.evaluate(() => (globalThis as unknown as InBrowser).document.documentElement.scrollWidth)) <= 375, 'no sideways scrolling');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => (globalThis as unknown as InBrowser).document.activeElement?.textContent), 'Skip to the figures');
    assert.equal(await page.locator('label[for="q"]').count(), 1);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-375px.png'), fullPage: true });
    process.stdout.write(`# screenshots: ${join(SCREENSHOTS, 'dashboard-desktop.png')} and ${join(SCREENSHOTS, 'dashboard-375px.png')}\n`);
    assert.deepEqual(problems, []);
    await page.context().close();
  });
});

describe('the demo\'s own dashboard (npm start): a sign-in on the emulator shows up without a reload', { skip: skipReason() }, () => {
  let dir: string;
  let demo: RunningDemo;
  let browser: Browser;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dashboard-demo-'));
    demo = await startDemo({ dataDir: dir, extensionPort: 0, emulatorPort: 0, dashboardPort: 0, logger: silentLogger() });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  after(async () => {
    await browser?.close();
    await demo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('Ada signs in with her legacy password; the dashboard counts the MigratePassword within 5 s', async () => {
    const ada = DEMO_USERS.find((user) => user.expected === 'MigratePassword')!;
    const context = await browser.newContext();
    const board = await context.newPage();
    await board.goto(demo.dashboardUrl);
    await board.waitForSelector('#answers-chart canvas');
    // The MigratePassword answers of the last 24 hours, as the hourly table shows them (its first count column).
    const shown = () => {
      let sum = 0;
      for (const cell of (globalThis as unknown as InBrowser).document.querySelectorAll('#hours-table tbody tr td:nth-of-type(1)')) sum += Number((cell.textContent ?? '0').replace(/,/g, ''));
      return sum;
    };
    const before = await board.evaluate(shown);

    const signIn = await context.newPage();
    await signIn.goto(demo.signInUrl);
    await signIn.fill('#username', ada.email);
    await signIn.fill('#password', ada.password);
    await signIn.click('button[type=submit]');
    assert.equal(await signIn.textContent('#result'), 'Signed in');
    const signedInAt = Date.now();

    await board.waitForFunction((expected) => {
      let sum = 0;
      for (const cell of (globalThis as unknown as InBrowser).document.querySelectorAll('#hours-table tbody tr td:nth-of-type(1)')) sum += Number((cell.textContent ?? '0').replace(/,/g, ''));
      return sum === expected;
    }, before + 1, { timeout: 5000 });
    process.stdout.write(`# the dashboard showed the emulator sign-in ${Date.now() - signedInAt} ms after it\n`);
    await context.close();
  });
});
