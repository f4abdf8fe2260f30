import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Directory } from '../directory.js';
import type { SignInService } from '../sign-in.js';
import { pageOfUsers } from '../user-pages.js';
import { changePasswordResultPage, pageLocale, signInPage, signInResultPage } from './pages.js';

const locale = z.string().refine((value) => pageLocale(value) !== undefined).optional();

const signInSchema = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
  locale,
  clientId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i).optional(),
  includeIdToken: z.boolean().optional(),
});
const changePasswordSchema = z.object({ state: z.string().min(1).max(128), newPassword: z.string().min(1).max(1024), locale, includeIdToken: z.boolean().optional() });
/** The page's locale from `?locale=`, when it is one. */
const localeOf = (query: unknown) => pageLocale((query as { locale?: unknown } | undefined)?.locale);

export interface SignInRoutesOptions {
  service: SignInService;
  directory: Directory;
  tenantDomain: string;
}

const badRequest = (message: string) => ({ error: { code: 'BAD_REQUEST', message } });

/**
 * The sign-in page and its JSON twin. `POST /api/sign-in` runs exactly what the form runs and answers the outcome
 * as JSON, for tests and scripts; `GET /api/users` lists the directory (never a password) with extension attributes,
 * paged as Graph pages (`$top`, `@odata.nextLink`). Every page keeps the locale chosen (`?locale=`) in its links.
 */
export const signInRoutes: FastifyPluginAsync<SignInRoutesOptions> = async (app, { service, directory, tenantDomain }) => {
  const html = (body: string) => ({ 'content-type': 'text/html; charset=utf-8', body });

  app.get('/', async (request, reply) => {
    const locale = localeOf(request.query);
    const { body, ...headers } = html(signInPage({ tenantDomain, ...(locale && { locale }) }));
    return reply.headers(headers).send(body);
  });

  app.post('/signin', async (request, reply) => {
    const form = signInSchema.safeParse(request.body);
    if (!form.success) return reply.code(400).headers({ 'content-type': 'text/html; charset=utf-8' }).send(signInPage({ tenantDomain, message: 'Enter your email address and password.' }));
    // The page after sign-in shows the id token's claims.
    const outcome = await service.signIn({ ...form.data, ip: request.ip, includeIdToken: true });
    return reply.headers({ 'content-type': 'text/html; charset=utf-8' }).send(signInResultPage(outcome, { username: form.data.username, tenantDomain, ...(form.data.locale && { locale: form.data.locale }) }));
  });

  app.post('/change-password', async (request, reply) => {
    const form = changePasswordSchema.safeParse(request.body);
    if (!form.success) return reply.code(400).headers({ 'content-type': 'text/html; charset=utf-8' }).send(signInPage({ tenantDomain, message: 'The form was incomplete.' }));
    const outcome = await service.changePassword(form.data.state, form.data.newPassword, { includeIdToken: true });
    return reply.code(outcome.outcome === 'signed-in' ? 200 : 400).headers({ 'content-type': 'text/html; charset=utf-8' }).send(changePasswordResultPage(outcome, form.data.locale));
  });

  app.post('/api/sign-in', async (request, reply) => {
    const input = signInSchema.safeParse(request.body);
    if (!input.success) return reply.code(400).send(badRequest('Expected {"username": string, "password": string, "locale"?: string, "clientId"?: GUID, "includeIdToken"?: boolean}.'));
    return service.signIn({ ...input.data, ip: request.ip });
  });

  app.post('/api/change-password', async (request, reply) => {
    const input = changePasswordSchema.safeParse(request.body);
    if (!input.success) return reply.code(400).send(badRequest('Expected {"state": string, "newPassword": string}.'));
    const outcome = await service.changePassword(input.data.state, input.data.newPassword, input.data.includeIdToken === undefined ? {} : { includeIdToken: input.data.includeIdToken });
    return reply.code(outcome.outcome === 'signed-in' ? 200 : 400).send(outcome);
  });

  app.get('/api/users', async (request, reply) => {
    const page = pageOfUsers(directory, request.query as Record<string, unknown>, `${request.protocol}://${request.host}/api/users`);
    if (!page.ok) return reply.code(400).send(badRequest(page.message));
    return {
      // lastPasswordChangeDateTime is left out, as Graph leaves it out of a listing without $select.
      value: page.users.map(({ lastPasswordChangeDateTime: _omitted, ...user }) => ({ ...user, extensionAttributes: directory.getExtensionAttributes(user.id) })),
      ...(page.nextLink && { '@odata.nextLink': page.nextLink }),
    };
  });
};
