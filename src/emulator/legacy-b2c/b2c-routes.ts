import type { FastifyPluginAsync } from 'fastify';
import { answerRopc } from './b2c-ropc.js';
import { B2C_ERRORS, b2cErrorBody } from './b2c-errors.js';
import type { LegacyB2cTenant } from './legacy-b2c-tenant.js';

const FORM = 'application/x-www-form-urlencoded';

/**
 * The legacy B2C tenant's HTTP face, at B2C's own paths under `/{tenant}.onmicrosoft.com/{policy}/`: the ROPC token
 * endpoint, the policy's OpenID metadata and its JWKS. Errors are answered in B2C's JSON shape, never the
 * emulator's HTML pages (this plugin has its own error handler).
 */
export const legacyB2cRoutes: FastifyPluginAsync<{ tenant: LegacyB2cTenant; baseUrl: () => string }> = async (app, { tenant, baseUrl }) => {
  const base = `/${tenant.domain}/:policy`;
  const knownPolicy = (policy: string) => policy.toLowerCase() === tenant.policy.toLowerCase();

  app.setErrorHandler(async (error: { statusCode?: number }, _request, reply) => {
    if (error.statusCode === 413) return reply.code(413).send({ error: 'invalid_request', error_description: 'The request body is too large.' });
    // A body that cannot be read holds no grant_type as B2C reads it.
    return reply.code(400).send(b2cErrorBody(B2C_ERRORS.missingParameter('grant_type'), tenant.now()));
  });

  app.post<{ Params: { policy: string } }>(`${base}/oauth2/v2.0/token`, async (request, reply) => {
    const contentType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    // A body that is not a form holds no grant_type as B2C reads it.
    const form = contentType === FORM && typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {};
    const answer = await answerRopc(tenant, request.params.policy, form, baseUrl());
    return reply.code(answer.status).header('cache-control', 'no-store').send(answer.body);
  });

  app.get<{ Params: { policy: string } }>(`${base}/v2.0/.well-known/openid-configuration`, async (request, reply) => {
    if (!knownPolicy(request.params.policy)) return reply.code(404).send(b2cErrorBody(B2C_ERRORS.unknownPolicy(request.params.policy, tenant.domain), tenant.now()));
    return tenant.openIdConfiguration(baseUrl());
  });

  app.get<{ Params: { policy: string } }>(`${base}/discovery/v2.0/keys`, async (request, reply) => {
    if (!knownPolicy(request.params.policy)) return reply.code(404).send(b2cErrorBody(B2C_ERRORS.unknownPolicy(request.params.policy, tenant.domain), tenant.now()));
    return tenant.tokens.jwks();
  });
};
