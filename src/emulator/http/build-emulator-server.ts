import formbody from '@fastify/formbody';
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Directory } from '../directory.js';
import type { SignInService } from '../sign-in.js';
import type { EmulatedTenant } from '../tenant.js';
import { graphRoutes, type GraphRoutesOptions } from '../graph/graph-routes.js';
import { openIdRoutes } from './openid-routes.js';
import { signInRoutes } from './sign-in-routes.js';

/** Bodies of the sign-in forms and JSON API are small; anything larger is refused (413). */
const BODY_LIMIT_IN_BYTES = 16 * 1024;

export interface EmulatorServerDeps {
  tenant: EmulatedTenant;
  directory: Directory;
  signIn: SignInService;
  logger: Logger;
  baseUrl: () => string;
  graph: Omit<GraphRoutesOptions, 'tenant' | 'directory'>;
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
    return reply.code(status).send({ error: { code: status === 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST', message: status === 413 ? 'The body is too large.' : 'The request was refused.' } });
  });
  await app.register(openIdRoutes, { tenant: deps.tenant, baseUrl: deps.baseUrl });
  await app.register(signInRoutes, { service: deps.signIn, directory: deps.directory, tenantDomain: deps.tenant.domain });
  await app.register(graphRoutes, { tenant: deps.tenant, directory: deps.directory, ...deps.graph });
  return app;
}

export type EmulatorServer = Awaited<ReturnType<typeof buildEmulatorServer>>;
