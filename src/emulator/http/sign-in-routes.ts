import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Directory } from '../directory.js';
import type { SignInService } from '../sign-in.js';
import { changePasswordResultPage, signInPage, signInResultPage } from './pages.js';

const signInSchema = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
  locale: z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/).optional(),
  clientId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i).optional(),
});
const changePasswordSchema = z.object({ state: z.string().min(1).max(128), newPassword: z.string().min(1).max(1024) });

export interface SignInRoutesOptions {
  service: SignInService;
  directory: Directory;
  tenantDomain: string;
}

const badRequest = (message: string) => ({ error: { code: 'BAD_REQUEST', message } });

/**
 * The sign-in page and its JSON twin. `POST /api/sign-in` runs exactly what the form runs and answers the outcome
 * as JSON, for tests and scripts; `GET /api/users` lists the directory (never a password) with extension attributes.
 */
export const signInRoutes: FastifyPluginAsync<SignInRoutesOptions> = async (app, { service, directory, tenantDomain }) => {
  const html = (body: string) => ({ 'content-type': 'text/html; charset=utf-8', body });

  app.get('/', async (_request, reply) => {
    const { body, ...headers } = html(signInPage({ tenantDomain }));
    return reply.headers(headers).send(body);
  });

  app.post('/signin', async (request, reply) => {
    const form = signInSchema.safeParse(request.body);
    if (!form.success) return reply.code(400).headers({ 'content-type': 'text/html; charset=utf-8' }).send(signInPage({ tenantDomain, message: 'Enter your email address and password.' }));
    const outcome = await service.signIn({ ...form.data, ip: request.ip });
    return reply.headers({ 'content-type': 'text/html; charset=utf-8' }).send(signInResultPage(outcome, form.data.username, tenantDomain));
  });

  app.post('/change-password', async (request, reply) => {
    const form = changePasswordSchema.safeParse(request.body);
    if (!form.success) return reply.code(400).headers({ 'content-type': 'text/html; charset=utf-8' }).send(signInPage({ tenantDomain, message: 'The form was incomplete.' }));
    const outcome = await service.changePassword(form.data.state, form.data.newPassword);
    return reply.code(outcome.outcome === 'signed-in' ? 200 : 400).headers({ 'content-type': 'text/html; charset=utf-8' }).send(changePasswordResultPage(outcome));
  });

  app.post('/api/sign-in', async (request, reply) => {
    const input = signInSchema.safeParse(request.body);
    if (!input.success) return reply.code(400).send(badRequest('Expected {"username": string, "password": string, "locale"?: string, "clientId"?: GUID}.'));
    return service.signIn({ ...input.data, ip: request.ip });
  });

  app.post('/api/change-password', async (request, reply) => {
    const input = changePasswordSchema.safeParse(request.body);
    if (!input.success) return reply.code(400).send(badRequest('Expected {"state": string, "newPassword": string}.'));
    const outcome = await service.changePassword(input.data.state, input.data.newPassword);
    return reply.code(outcome.outcome === 'signed-in' ? 200 : 400).send(outcome);
  });

  app.get('/api/users', async () => ({
    value: directory.listUsers({ limit: 1000 }).map((user) => ({ ...user, extensionAttributes: directory.getExtensionAttributes(user.id) })),
  }));
};
