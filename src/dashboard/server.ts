import { Readable } from 'node:stream';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Ledger } from '../ledger/index.js';
import { loadChartLibrary } from './assets/chart-library.js';
import { CLIENT_SCRIPT } from './assets/client-script.js';
import { STYLE_SHEET } from './assets/style.js';
import { requireToken, sessionCookie, tokenMatches } from './auth.js';
import { dashboardFigures, type DashboardFigures } from './data.js';
import { renderLoginPage } from './login-page.js';
import { renderDashboardPage } from './page.js';
import { ProgressHistoryCache } from './progress-history.js';
import { readOnlyLedger } from './read-only-ledger.js';
import { normaliseSearch, searchStragglers, stragglerIdCsvLines } from './stragglers.js';

/** How often the page asks for new figures: 3 s, inside the 5 s issue 14 allows even when a reading takes a while. */
export const POLL_INTERVAL_IN_MS = 3000;
/**
 * How long one reading of the figures is reused: 1 s. Several open pages then cost one reading per second at most,
 * and every page still sees a change within its 5 s poll.
 */
const FIGURES_REUSED_FOR_IN_MS = 1000;

/**
 * No script but our own files, no inline script or style element, no framing, nothing sent elsewhere. uPlot sets
 * element styles from script (CSSOM), which `style-src 'self'` allows.
 */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export interface DashboardServerOptions {
  /** The ledger, opened by the caller and closed by it; the dashboard only reads. */
  ledger: Ledger;
  /** The ledger as the page may show it (a PostgreSQL URL without its password). */
  ledgerShown: string;
  /** DASHBOARD_TOKEN: when set, every page and endpoint but the sign-in form asks for it. */
  token: string | undefined;
  /** RESPONSE_DEADLINE_MS: the latency chart's deadline. */
  deadlineInMs: number;
  /** Marks the session cookie `Secure` (the dashboard is reached over https through a proxy). Default false. */
  secureCookie?: boolean;
  now?: () => Date;
}

/**
 * The dashboard's Fastify app: the page, its JSON (`/api/figures`, `/api/stragglers`), the stragglers' CSV and its
 * own assets. The CLI only calls `listen`; tests use `inject` or a port on loopback.
 *
 * @example
 *   const app = await buildDashboardServer({ ledger, ledgerShown: 'data/ledger.db', token: undefined, deadlineInMs: 1500 });
 *   await app.listen({ port: 7090, host: '127.0.0.1' });
 */
export async function buildDashboardServer(options: DashboardServerOptions): Promise<FastifyInstance> {
  const { token } = options;
  const ledger = readOnlyLedger(options.ledger);
  const now = options.now ?? (() => new Date());
  const chartLibrary = loadChartLibrary();
  const history = new ProgressHistoryCache(ledger);
  // No request logging at all: a query string or header could carry the token.
  const app = Fastify({ logger: false, bodyLimit: 4096 });
  await app.register(formbody);

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
  if (token !== undefined) app.addHook('onRequest', requireToken(token));

  app.setErrorHandler(async (error, _request, reply) => {
    const status = (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return reply.code(status).send({ error: 'bad-request', message: 'The request was not understood.' });
    // A ledger that went away: the page retries; the detail stays out of the answer.
    return reply.code(503).send({ error: 'ledger-unavailable', message: 'The ledger cannot be read just now; the page tries again.' });
  });

  let cached: { at: number; figures: Promise<DashboardFigures> } | undefined;
  const figures = (): Promise<DashboardFigures> => {
    const at = Date.now();
    if (cached === undefined || at - cached.at >= FIGURES_REUSED_FOR_IN_MS) {
      const reading = dashboardFigures({ ledger, now: now(), deadlineInMs: options.deadlineInMs, history: (at) => history.points(at) });
      reading.catch(() => (cached = undefined)); // a failed reading is not reused
      cached = { at, figures: reading };
    }
    return cached.figures;
  };

  const searchQuery = { type: 'object', properties: { q: { type: 'string', maxLength: 1000 } } } as const;

  app.get('/', { schema: { querystring: searchQuery } }, async (request, reply) => {
    const text = normaliseSearch((request.query as { q?: unknown }).q);
    const [read, result] = await Promise.all([figures(), searchStragglers(ledger, text)]);
    const html = renderDashboardPage({ figures: read, ledgerShown: options.ledgerShown, search: { text, result }, pollIntervalInMs: POLL_INTERVAL_IN_MS });
    return reply.type('text/html; charset=utf-8').send(html);
  });

  app.get('/api/figures', async () => ({ figures: await figures() }));

  // The response schema is the allow-list: ids, e-mail and the last answer, nothing else of an account leaves.
  const stragglerAnswer = {
    200: {
      type: 'object',
      properties: {
        stragglers: { type: 'array', items: { type: 'object', properties: { legacyId: { type: 'string' }, email: { type: 'string' }, lastAnswer: { type: ['string', 'null'] } }, required: ['legacyId', 'email', 'lastAnswer'] } },
        more: { type: 'boolean' },
      },
      required: ['stragglers', 'more'],
    },
  } as const;
  app.get('/api/stragglers', { schema: { querystring: searchQuery, response: stragglerAnswer } }, async (request) => searchStragglers(ledger, (request.query as { q?: unknown }).q));

  app.get('/stragglers.csv', async (request, reply) => {
    const aborted = new AbortController();
    request.raw.once('close', () => aborted.abort());
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="stragglers.csv"')
      .header('cache-control', 'no-store')
      .send(Readable.from(stragglerIdCsvLines(ledger, aborted.signal)));
  });

  app.get('/login', async (_request, reply) => reply.type('text/html; charset=utf-8').send(renderLoginPage({ failed: false })));
  app.post('/login', async (request, reply) => {
    const presented = (request.body as { token?: unknown } | undefined)?.token;
    if (token === undefined) return reply.code(303).header('location', '/').send();
    if (typeof presented !== 'string' || !tokenMatches(presented, token)) return reply.code(401).type('text/html; charset=utf-8').send(renderLoginPage({ failed: true }));
    return reply.code(303).header('set-cookie', sessionCookie(token, options.secureCookie ?? false)).header('location', '/').send();
  });

  const asset = (reply: FastifyReply, type: string, body: string) => reply.type(type).header('cache-control', 'public, max-age=3600').send(body);
  app.get('/assets/dashboard.js', async (_request, reply) => asset(reply, 'text/javascript; charset=utf-8', CLIENT_SCRIPT));
  app.get('/assets/dashboard.css', async (_request, reply) => asset(reply, 'text/css; charset=utf-8', STYLE_SHEET));
  app.get('/assets/uplot.js', async (_request, reply) => asset(reply, 'text/javascript; charset=utf-8', chartLibrary.script));
  app.get('/assets/uplot.css', async (_request, reply) => asset(reply, 'text/css; charset=utf-8', chartLibrary.styleSheet));

  return app;
}
