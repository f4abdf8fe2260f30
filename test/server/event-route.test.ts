import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { z } from 'zod';
import { EntraMigrateError } from '../../src/common/errors.js';
import { buildOtpSendResponse, EventError, EventErrorCode, otpSendResponseSchema } from '../../src/events/index.js';
import { answerEvent, errorBody, type EventHandler, type EventOutcome } from '../../src/handlers/index.js';
import { eventRoutes } from '../../src/server/routes/event-route.js';

const CORRELATION_ID = '5f0a9b1c-0000-4000-8000-00000000abcd';
const body = { data: { authenticationContext: { correlationId: CORRELATION_ID } } };
const outcomeOf = (status: number): EventOutcome => ({
  event: 'OnOtpSend', correlationId: CORRELATION_ID, objectId: null, action: status === 200 ? 'continueWithDefaultBehavior' : 'error', status,
  reason: 'test', legacyId: null, errorCode: null, errorDetail: null, latencyInMs: 1,
});

/** A server with one event route over `handle`; the caller token is good when it is `Bearer good`. */
async function serverWith(handle: EventHandler<{ clock: () => number; responseDeadlineInMs: number }, unknown>) {
  const app = Fastify();
  const outcomes: EventOutcome[] = [];
  let calls = 0;
  app.decorateRequest('receivedAt', 0);
  app.addHook('onRequest', async (request) => {
    request.receivedAt = Date.now();
  });
  await app.register(
    eventRoutes({
      path: '/events/otp-send',
      event: 'OnOtpSend',
      responseSchema: z.toJSONSchema(otpSendResponseSchema, { target: 'draft-7' }),
      handle: async (...args) => ((calls += 1), handle(...args)),
    }),
    {
      deps: { clock: Date.now, responseDeadlineInMs: 1500 },
      callerTokenVerifier: {
        async verify(header) {
          if (header !== 'Bearer good') throw new EntraMigrateError('TOKEN_INVALID', 'The bearer token is not valid.');
        },
      },
      onOutcome: (outcome) => outcomes.push(outcome),
    },
  );
  const post = (headers: Record<string, string> = { authorization: 'Bearer good' }) => app.inject({ method: 'POST', url: '/events/otp-send', payload: body, headers });
  return { app, outcomes, post, calls: () => calls };
}

test('event route: a builder that refuses the handler\'s answer is a logged 500 EVENT_RESPONSE_INVALID with an outcome, never a 200', async () => {
  const server = await serverWith(async () => {
    throw new EventError(EventErrorCode.RESPONSE_INVALID, 'The extension answered with a body Entra would not accept.', ['data.actions: expected array']);
  });
  const response = await server.post();
  assert.equal(response.statusCode, 500);
  assert.deepEqual(response.json(), { error: { code: 'EVENT_RESPONSE_INVALID', message: 'The extension built an answer Entra would not accept.' } });
  assert.equal(server.outcomes.length, 1);
  assert.equal(server.outcomes[0]!.status, 500);
  assert.equal(server.outcomes[0]!.errorCode, 'EVENT_RESPONSE_INVALID');
  assert.equal(server.outcomes[0]!.correlationId, CORRELATION_ID);
  await server.app.close();
});

test('event route: any other throw is a 500 INTERNAL_ERROR without its message or stack in the body', async () => {
  const server = await serverWith(async () => {
    throw new TypeError('cannot read properties of undefined (reading secret-detail)');
  });
  const response = await server.post();
  assert.equal(response.statusCode, 500);
  assert.equal(response.json().error.code, 'INTERNAL_ERROR');
  assert.doesNotMatch(response.body, /secret-detail|TypeError|at /);
  assert.equal(server.outcomes[0]!.errorCode, 'INTERNAL_ERROR');
  await server.app.close();
});

test('event route: an HTTP error the handler chose is sent with its outcome; a 400 has none', async () => {
  const failing = await serverWith(async () => ({ status: 502, body: errorBody('OTP_PROVIDER_FAILED', 'The e-mail provider refused the message.'), outcome: outcomeOf(502) }));
  const response = await failing.post();
  assert.equal(response.statusCode, 502);
  assert.equal(response.json().error.code, 'OTP_PROVIDER_FAILED');
  assert.deepEqual(failing.outcomes.map((outcome) => outcome.status), [502]);
  await failing.app.close();
  const refused = await serverWith(async () => ({ status: 400, body: errorBody('EVENT_REQUEST_INVALID', 'The request is not a valid OnOtpSend event.'), rejection: { code: 'EVENT_REQUEST_INVALID', detail: 'x' } }));
  assert.equal((await refused.post()).statusCode, 400);
  assert.deepEqual(refused.outcomes, []);
  await refused.app.close();
});

test('event route: the answer goes out through the response schema (a field beside it is dropped), and without a token nothing is read', async () => {
  const server = await serverWith(async () => ({ status: 200, body: { ...buildOtpSendResponse({ action: 'continueWithDefaultBehavior' }), debug: 'CanaryOtp31415926' }, outcome: outcomeOf(200) }));
  const response = await server.post();
  assert.equal(response.statusCode, 200);
  assert.doesNotMatch(response.body, /debug|Canary/);
  assert.deepEqual(response.json(), buildOtpSendResponse({ action: 'continueWithDefaultBehavior' }));
  const unauthenticated = await server.post({ authorization: 'Bearer forged' });
  assert.equal(unauthenticated.statusCode, 401);
  assert.match(String(unauthenticated.headers['www-authenticate']), /^Bearer error="invalid_token"/);
  assert.equal(server.calls(), 1);
  assert.equal((await server.app.inject({ method: 'GET', url: '/events/otp-send' })).json().event, 'OnOtpSend');
  await server.app.close();
});

test('answerEvent: a handler\'s throw names a correlation id only when the body has a plausible one', async () => {
  const thrower: EventHandler<{ clock: () => number }, unknown> = async () => {
    throw new Error('boom');
  };
  for (const hostile of [null, 'text', { data: { authenticationContext: { correlationId: 'x'.repeat(500) } } }, { data: { authenticationContext: { correlationId: { $ne: 1 } } } }]) {
    const result = await answerEvent('OnTokenIssuanceStart', thrower, hostile, { clock: Date.now }, { receivedAt: Date.now() });
    assert.equal(result.status, 500);
    assert.equal((result as { outcome: EventOutcome }).outcome.correlationId, 'unknown');
  }
});
