import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { pageLocale } from '../http/pages.js';
import { ATTRIBUTE_FIELD_PREFIX, signUpEmailPage, signUpResultPage } from './sign-up-pages.js';
import type { SignUpService } from './sign-up-service.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const token = z.string().min(1).max(128);
const startSchema = z.object({
  email: z.string().min(1).max(256),
  locale: z.string().refine((value) => pageLocale(value) !== undefined).optional(),
  clientId: z.string().regex(GUID).optional(),
});
const verifySchema = z.object({ verificationId: token, code: z.string().min(1).max(32) });
const attributeValues = z.record(z.string().max(200), z.string().max(1024)).refine((map) => Object.keys(map).length <= 100);
const submitSchema = z.object({ state: token, password: z.string().min(1).max(1024), attributes: attributeValues.default({}), includeIdToken: z.boolean().optional() });
/** The attribute page's form: `a.<name>` fields beside the state and the two passwords. */
const submitFormSchema = z.object({ state: token, password: z.string().min(1).max(1024), confirmPassword: z.string().max(1024) }).passthrough();

const HTML = 'text/html; charset=utf-8';
const badRequest = (message: string) => ({ error: { code: 'BAD_REQUEST', message } });

/**
 * The sign-up for an e-mail + password user flow: the pages (`/signup`, `/signup/verify`, `/signup/submit`) and their
 * JSON twins (`POST /api/sign-up/start`, `/api/sign-up/verify`, `/api/sign-up/submit`), which answer the outcome —
 * the one-time code included when Microsoft sends it (the emulator sends no mail); not when the OnOtpSend extension
 * took it for the organisation's provider.
 */
export const signUpRoutes: FastifyPluginAsync<{ service: SignUpService }> = async (app, { service }) => {
  const html = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type(HTML).send(body);

  app.get('/signup', async (_request, reply) => html(reply, signUpEmailPage()));

  app.post('/signup', async (request, reply) => {
    const form = startSchema.safeParse(request.body);
    if (!form.success) return html(reply, signUpEmailPage('Enter your email address.'), 400);
    return html(reply, signUpResultPage(await service.begin({ ...form.data, ip: request.ip })));
  });

  app.post('/signup/verify', async (request, reply) => {
    const form = verifySchema.safeParse(request.body);
    if (!form.success) return html(reply, signUpEmailPage('The form was incomplete. Start again.'), 400);
    return html(reply, signUpResultPage(await service.verify(form.data)));
  });

  app.post('/signup/submit', async (request, reply) => {
    const form = submitFormSchema.safeParse(request.body);
    if (!form.success) return html(reply, signUpEmailPage('The form was incomplete. Start again.'), 400);
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(form.data)) {
      if (key.startsWith(ATTRIBUTE_FIELD_PREFIX) && typeof value === 'string' && value.length <= 1024) attributes[key.slice(ATTRIBUTE_FIELD_PREFIX.length)] = value;
    }
    if (form.data.password !== form.data.confirmPassword) {
      // Shown again without a callout: an empty password fails the policy check, which comes before the submit event;
      // the service keeps the values typed, the page says the passwords differ.
      const again = await service.submit({ state: form.data.state, password: '', attributes });
      return html(reply, signUpResultPage(again, { confirmMismatch: true }), 400);
    }
    // The page after sign-up shows the new user's id token's claims.
    return html(reply, signUpResultPage(await service.submit({ state: form.data.state, password: form.data.password, attributes, includeIdToken: true })));
  });

  app.post('/api/sign-up/start', async (request, reply) => {
    const input = startSchema.safeParse(request.body);
    if (!input.success) return reply.code(400).send(badRequest('Expected {"email": string, "locale"?: string, "clientId"?: GUID}.'));
    return service.begin({ ...input.data, ip: request.ip });
  });

  app.post('/api/sign-up/verify', async (request, reply) => {
    const input = verifySchema.safeParse(request.body);
    if (!input.success) return reply.code(400).send(badRequest('Expected {"verificationId": string, "code": string}.'));
    return service.verify(input.data);
  });

  app.post('/api/sign-up/submit', async (request, reply) => {
    const input = submitSchema.safeParse(request.body);
    if (!input.success) return reply.code(400).send(badRequest('Expected {"state": string, "password": string, "attributes"?: {name: string}, "includeIdToken"?: boolean}.'));
    return service.submit(input.data);
  });
};
