import formbody from '@fastify/formbody';
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Directory } from '../directory.js';
import type { SignInService } from '../sign-in.js';
import type { EmulatedTenant } from '../tenant.js';
import { graphRoutes, type GraphRoutesOptions } from '../graph/graph-routes.js';
import { graphError } from '../graph/graph-error.js';
import { legacyB2cRoutes, type LegacyB2cTenant } from '../legacy-b2c/index.js';
import { openIdRoutes } from './openid-routes.js';
import { notFoundPage, pageLocale, refusedPage } from './pages.js';
import { signInRoutes } from './sign-in-routes.js';
import { signUpRoutes, type SignUpService } from '../sign-up/index.js';
import { passwordResetRoutes, type PasswordResetService } from '../password-reset/index.js';

/** Bodies of the sign-in forms and JSON API are small; anything larger is refused (413). */
const BODY_LIMIT_IN_BYTES = 16 * 1024;

/** Where the machine-facing routes live; every other address is a page people read, answered in HTML. */
const GRAPH_PATH = /^\/(v1\.0|beta)(\/|$)/;
const JSON_PATH = /^\/(api|v1\.0|beta|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\/|$)/i;
const HTML = 'text/html; charset=utf-8';
/** The page's locale from the query string, for the "back" link of an error page. */
const localeOf = (url: string) => pageLocale(new URL(url, 'http://emulator').searchParams.get('locale'));

export interface EmulatorServerDeps {
  tenant: EmulatedTenant;
  directory: Directory;
  signIn: SignInService;
  signUp: SignUpService;
  passwordReset: PasswordResetService;
  logger: Logger;
  baseUrl: () => string;
  graph: Omit<GraphRoutesOptions, 'tenant' | 'directory'>;
  /** The legacy Azure AD B2C tenant to serve beside Entra (an ROPC token endpoint), when the emulator has one. */
  legacyB2c?: LegacyB2cTenant;
}

/** The emulator's HTTP face. Route modules are independent plugins over the same directory (Graph joins later). */
export async function buildEmulatorServer(deps: EmulatorServerDeps) {
  const app = Fastify({
    loggerInstance: deps.logger.child({ name: 'emulator:http' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_IN_BYTES,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  await app.register(formbody);
  app.setErrorHandler(async (error: { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ code: error.code }, 'emulator error');
    const message = status === 413 ? 'The body is too large.' : status === 500 ? 'Something went wrong in the emulator.' : 'The request was refused.';
    if (!JSON_PATH.test(request.url)) return reply.code(status).type(HTML).send(refusedPage(message, localeOf(request.url)));
    return reply.code(status).send({ error: { code: status === 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST', message } });
  });
  // An unknown address: an HTML page under the pages; the JSON API and Graph keep answering JSON.
  app.setNotFoundHandler(async (request, reply) => {
    const what = `${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`;
    if (GRAPH_PATH.test(request.url)) return reply.code(404).send(graphError('NotFound', `The emulator does not serve ${what}: it is not a Graph call the emulator implements.`));
    if (JSON_PATH.test(request.url)) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `Nothing is served at ${what}.` } });
    return reply.code(404).type(HTML).send(notFoundPage(localeOf(request.url)));
  });
  await app.register(openIdRoutes, { tenant: deps.tenant, baseUrl: deps.baseUrl });
  await app.register(signInRoutes, { service: deps.signIn, directory: deps.directory, tenantDomain: deps.tenant.domain });
  await app.register(signUpRoutes, { service: deps.signUp });
  await app.register(passwordResetRoutes, { service: deps.passwordReset });
  await app.register(graphRoutes, { tenant: deps.tenant, directory: deps.directory, ...deps.graph });
  if (deps.legacyB2c) await app.register(legacyB2cRoutes, { tenant: deps.legacyB2c, baseUrl: deps.baseUrl });
  return app;
}

export type EmulatorServer = Awaited<ReturnType<typeof buildEmulatorServer>>;
