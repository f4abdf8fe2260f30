import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildDashboardServer } from '../../src/dashboard/server.js';
import { SESSION_COOKIE } from '../../src/dashboard/auth.js';
import { openLedger, type Ledger } from '../../src/ledger/index.js';
import { NOW, seedStatusLedger } from '../status/seed-status-ledger.js';

const TOKEN = 'dashboard-token-for-the-tests-0123';
const HOSTILE_ID = '<script>alert(1)</script>';
const HOSTILE_EMAIL = '"><img src=x onerror=alert(2)>@example.com';

async function seeded(): Promise<Ledger> {
  const ledger = await openLedger('memory:');
  await seedStatusLedger(ledger, NOW);
  await ledger.recordAccount({ legacyId: HOSTILE_ID, email: HOSTILE_EMAIL, state: 'created', entraObjectId: 'o-hostile', reason: null, updatedAt: NOW });
  return ledger;
}

describe('dashboard server, no token (loopback)', () => {
  let ledger: Ledger;
  let app: FastifyInstance;
  before(async () => {
    ledger = await seeded();
    app = await buildDashboardServer({ ledger, ledgerShown: 'memory:', token: undefined, deadlineInMs: 1500, now: () => NOW });
  });
  after(async () => {
    await app?.close();
    await ledger?.close();
  });

  test('the page shows the seeded figures, with security headers and no inline script', async () => {
    const response = await app.inject({ url: '/' });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /^text\/html/);
    const csp = response.headers['content-security-policy'] as string;
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.match(response.body, /<dd id="fig-preCreated">13<\/dd>/);
    assert.match(response.body, /<dd id="fig-migratedByExtension">2<\/dd>/);
    assert.match(response.body, /<dd id="fig-remaining">9<\/dd>/);
    assert.doesNotMatch(response.body, /<script>(?!alert)/, 'no inline script element');
    for (const [, attributes] of response.body.matchAll(/<script([^>]*)>/g)) assert.match(attributes!, /src="\/assets\//);
  });

  test('a ledger value is escaped: <script> and a quote-breaking e-mail arrive as text', async () => {
    const body = (await app.inject({ url: '/' })).body;
    assert.ok(!body.includes(HOSTILE_ID), 'the raw <script> is not on the page');
    assert.ok(!body.includes('<img'), 'the raw <img is not on the page');
    assert.ok(body.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
    assert.ok(body.includes('&#34;&#62;&#60;img src=x onerror=alert(2)&#62;@example.com'));
  });

  test('hostile search input is plain text: no pattern, no query, echoed escaped, bounded', async () => {
    const hostile = ["' OR 1=1 --", '.*', '(a+)+$', '%', '_', '\\', '"><script>alert(3)</script>', 'x'.repeat(1000)];
    for (const q of hostile) {
      const api = await app.inject({ url: '/api/stragglers', query: { q } });
      assert.equal(api.statusCode, 200, q.slice(0, 20));
      assert.deepEqual(api.json().stragglers, [], `${q.slice(0, 20)} matches nothing`);
      const page = await app.inject({ url: '/', query: { q } });
      assert.equal(page.statusCode, 200);
      assert.ok(!page.body.includes('<script>alert(3)'), 'the search is escaped on the page');
    }
    const all = (await app.inject({ url: '/api/stragglers' })).json();
    assert.deepEqual((await app.inject({ url: '/api/stragglers', query: { q: '\u0000\u0007 ' } })).json(), all, 'control characters are dropped: an empty search');
    assert.equal((await app.inject({ url: '/api/stragglers', query: { q: 'x'.repeat(1001) } })).statusCode, 400);
    const repeated = await app.inject({ url: '/api/stragglers?q=a&q=b' });
    assert.equal(repeated.statusCode, 400, 'a repeated parameter is a bad request, not a crash');
    assert.equal(repeated.json().error, 'bad-request');
  });

  test('search matches the legacy id or e-mail, case-insensitively, as a substring', async () => {
    const search = async (q: string) => (await app.inject({ url: '/api/stragglers', query: { q } })).json().stragglers.map((s: { legacyId: string }) => s.legacyId);
    assert.deepEqual(await search('A-NEVER'), ['a-never1', 'a-never2']);
    assert.deepEqual(await search('<script>'), [HOSTILE_ID]);
    assert.deepEqual(await search('-x@example'), ['=1+2']);
    assert.ok((await search('')).length >= 8);
    const answer = (await app.inject({ url: '/api/stragglers', query: { q: 'a-never1' } })).json();
    assert.deepEqual(answer, { stragglers: [{ legacyId: 'a-never1', email: 'a-never1@example.com', lastAnswer: null }], more: false });
  });

  test('the CSV holds ids and e-mails only, formula-proofed, not cached, as an attachment', async () => {
    const response = await app.inject({ url: '/stragglers.csv' });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /^text\/csv/);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.match(response.headers['content-disposition'] as string, /^attachment; filename="stragglers.csv"$/);
    const lines = response.body.split('\r\n');
    assert.equal(lines[0], 'legacy_id,email');
    assert.equal(lines.at(-1), '');
    assert.ok(lines.includes("'=1+2,\"'-x@example.com, \"\"q\"\"\""), 'formula cells prefixed, quotes doubled');
    assert.ok(lines.includes(`${HOSTILE_ID},"${HOSTILE_EMAIL.replaceAll('"', '""')}"`));
    assert.ok(lines.slice(1, -1).every((line) => !/20\d\d-\d\d-\d\d/.test(line)), 'no dates or answers: ids and e-mails only');
  });

  test('the JSON figures and the assets', async () => {
    const json = (await app.inject({ url: '/api/figures' })).json();
    assert.equal(json.figures.progress.preCreated, 13);
    assert.deepEqual(Object.keys(json), ['figures']);
    assert.equal(json.figures.history.length, 14 * 24, 'hour by hour from the ledger, not what the server read while it ran');
    assert.deepEqual(json.figures.history.at(-1), json.figures.progress);
    assert.deepEqual(json.figures.bulkRuns, []);
    const uplot = await app.inject({ url: '/assets/uplot.js' });
    assert.equal(uplot.statusCode, 200);
    assert.match(uplot.headers['content-type'] as string, /javascript/);
    assert.match(uplot.body, /uPlot/);
    assert.equal((await app.inject({ url: '/assets/dashboard.js' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/assets/uplot.css' })).statusCode, 200);
  });

  test('a ledger that went away answers 503 without detail', async () => {
    const gone = await openLedger('memory:');
    const broken = await buildDashboardServer({ ledger: gone, ledgerShown: 'memory:', token: undefined, deadlineInMs: 1500 });
    await gone.close();
    const response = await broken.inject({ url: '/api/figures' });
    assert.equal(response.statusCode, 503);
    assert.deepEqual(Object.keys(response.json()), ['error', 'message']);
    await broken.close();
  });
});

describe('dashboard server with DASHBOARD_TOKEN', () => {
  let ledger: Ledger;
  let app: FastifyInstance;
  before(async () => {
    ledger = await seeded();
    app = await buildDashboardServer({ ledger, ledgerShown: 'memory:', token: TOKEN, deadlineInMs: 1500, now: () => NOW });
  });
  after(async () => {
    await app?.close();
    await ledger?.close();
  });

  test('without the token: the page sends a browser to sign in, everything else is 401, the sign-in form is open', async () => {
    const page = await app.inject({ url: '/' });
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, '/login');
    for (const url of ['/api/figures', '/api/stragglers?q=a', '/stragglers.csv', '/assets/uplot.js', '/?q=a']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, url === '/?q=a' ? 303 : 401, url);
      assert.ok(!response.body.includes('a-never1'), `${url} shows no straggler`);
    }
    assert.equal((await app.inject({ url: '/login' })).statusCode, 200);
  });

  test('a wrong token is refused, a bearer token works, and no answer ever contains the token', async () => {
    const wrong = await app.inject({ url: '/api/figures', headers: { authorization: `Bearer ${TOKEN}x` } });
    assert.equal(wrong.statusCode, 401);
    assert.ok(!wrong.body.includes(TOKEN));
    const right = await app.inject({ url: '/api/figures', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(right.statusCode, 200);
    assert.ok(!right.body.includes(TOKEN));
    const csv = await app.inject({ url: '/stragglers.csv', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(csv.statusCode, 200);
  });

  test('the sign-in form: a wrong token shows an error; the right one sets a session cookie that opens the page', async () => {
    const failed = await app.inject({ method: 'POST', url: '/login', payload: 'token=not-the-token', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(failed.statusCode, 401);
    assert.match(failed.body, /role="alert"/);
    assert.equal(failed.headers['set-cookie'], undefined);
    const signedIn = await app.inject({ method: 'POST', url: '/login', payload: `token=${encodeURIComponent(TOKEN)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(signedIn.statusCode, 303);
    const cookie = String(signedIn.headers['set-cookie']);
    assert.ok(cookie.startsWith(`${SESSION_COOKIE}=`));
    assert.ok(!cookie.includes(TOKEN));
    const page = await app.inject({ url: '/', headers: { cookie: cookie.split(';')[0]! } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /fig-preCreated/);
  });
});
