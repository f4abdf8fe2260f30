import type { FastifyPluginAsync } from 'fastify';
import type { EmulatedTenant } from '../tenant.js';

/** The tenant's OpenID metadata and JWKS, at the paths Entra serves them under the tenant id. */
export const openIdRoutes: FastifyPluginAsync<{ tenant: EmulatedTenant; baseUrl: () => string }> = async (app, { tenant, baseUrl }) => {
  app.get(`/${tenant.tenantId}/v2.0/.well-known/openid-configuration`, async () => tenant.openIdConfiguration(baseUrl()));
  app.get(`/${tenant.tenantId}/discovery/v2.0/keys`, async () => tenant.jwks());
};
