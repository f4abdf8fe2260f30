import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { pageLocale } from '../http/pages.js';
import { passwordResetEmailPage, passwordResetResultPage } from './password-reset-pages.js';
import type { PasswordResetService } from './password-reset-service.js';

const token = z.string().min(1).max(128);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const startSchema = z.object({ email: z.string().min(1).max(256), locale: z.string().refine((value) => pageLocale(value) !== undefined).optional(), clientId: z.string().regex(GUID).optional() });
const verifySchema = z.object({ verificationId: token, code: z.string().min(1).max(32) });
const passwordSchema = z.object({ state: token, newPassword: z.string().min(1).max(1024) });
const passwordFormSchema = passwordSchema.extend({ confirmPassword: z.string().max(1024) });

const HTML = 'text/html; charset=utf-8';
const badRequest = (message: string) => ({ error: { code: 'BAD_REQUEST', message } });

/**
 * "Forgot password?": the pages (`/reset-password`, `/reset-password/verify`, `/reset-password/password`) and their
 * JSON twins (`POST /api/password-reset/start`, `/api/password-reset/verify`, `/api/password-reset/password`), which
 * answer the outcome — the one-time code included when Microsoft sends it (the emulator sends no mail); not when the
 * OnOtpSend extension took it for the organisation's provider.
 */
export const passwordResetRoutes: FastifyPluginAsync<{ service: PasswordResetService }> = async (app, { service }) => {
  const html = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type(HTML).send(body);

  app.get('/reset-password', async (_request, reply) => html(reply, passwordResetEmailPage()));

  app.post('/reset-password', async (request, reply) => {
    const form = startSchema.safeParse(request.body);
    if (!form.success) return html(reply, passwordResetEmailPage('Enter your email address.'), 400);
    return html(reply, passwordResetResultPage(await service.begin({ ...form.data, ip: request.ip })));
  });

  app.post('/reset-password/verify', async (request, reply) => {
    const form = verifySchema.safeParse(request.body);
    if (!form.success) return html(reply, passwordResetEmailPage('The form was incomplete. Start again.'), 400);
    return html(reply, passwordResetResultPage(service.verify(form.data)));
  });

  app.post('/reset-password/password', async (request, reply) => {
    const form = passwordFormSchema.safeParse(request.body);
    if (!form.success) return html(reply, passwordResetEmailPage('The form was incomplete. Start again.'), 400);
    if (form.data.newPassword !== form.data.confirmPassword) {
      return html(reply, passwordResetResultPage({ outcome: 'new-password-required', state: form.data.state, email: '' }, { confirmMismatch: true }), 400);
    }
    return html(reply, passwordResetResultPage(await service.setPassword(form.data)));
  });

  app.post('/api/password-reset/start', async (request, reply) => {
    const input = startSchema.safeParse(request.body);
    if (!input.success) return reply.code(400).send(badRequest('Expected {"email": string, "locale"?: string, "clientId"?: GUID}.'));
    return service.begin({ ...input.data, ip: request.ip });
  });

  app.post('/api/password-reset/verify', async (request, reply) => {
    const input = verifySchema.safeParse(request.body);
    if (!input.success) return reply.code(400).send(badRequest('Expected {"verificationId": string, "code": string}.'));
    return service.verify(input.data);
  });

  app.post('/api/password-reset/password', async (request, reply) => {
    const input = passwordSchema.safeParse(request.body);
    if (!input.success) return reply.code(400).send(badRequest('Expected {"state": string, "newPassword": string}.'));
    return service.setPassword(input.data);
  });
};
