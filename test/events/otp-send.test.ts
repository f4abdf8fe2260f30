import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import Fastify from 'fastify';
import { z } from 'zod';
import {
  EventErrorCode,
  buildOtpSendResponse,
  otpPurposeOf,
  otpSendActionOf,
  otpSendResponseSchema,
  parseOtpSendRequest,
  parseOtpSendResponse,
  type EventError,
} from '../../src/events/index.js';
import { expectEventError } from './expect-event-error.js';

const fixtures = new URL('../fixtures/entra/', import.meta.url);
const readFixture = (name: string): any => JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));
const request = readFixture('otp-send.request.json');
const tenantId = 'ffff5f5f-aa6a-bb7b-cc8c-dddddd9d9d9d';
const withOtpContext = (otpContext: unknown) => ({ ...request, data: { ...request.data, otpContext } });


test('request: the published example parses, with the address, the code and why it is sent', () => {
  const parsed = parseOtpSendRequest(request, { tenantId });
  assert.deepEqual(parsed.data.otpContext, { identifier: 'someone@example.com', oneTimeCode: '12345678' });
  assert.equal(parsed.data.authenticationContext.requestType, 'signUp');
  assert.equal(parsed.data.authenticationContext.client?.locale, 'en-us');
  assert.equal(otpPurposeOf(parsed.data.authenticationContext.requestType), 'sign-up');
});

test('request: the code is read under both of Microsoft\'s spellings, oneTimeCode and onetimecode', () => {
  assert.deepEqual(parseOtpSendRequest(readFixture('otp-send.request.onetimecode.json'), { tenantId }).data.otpContext, { identifier: 'someone@example.com', oneTimeCode: '12345678' });
  assert.equal(parseOtpSendRequest(withOtpContext({ identifier: 'someone@example.com', oneTimeCode: '123456', onetimecode: '123456' }), { tenantId }).data.otpContext.oneTimeCode, '123456');
});

test('request: a missing code, two different codes, a code that is not one, or an address that is not one is refused, never quoted', () => {
  const cases = [
    { identifier: 'someone@example.com' },
    { identifier: 'someone@example.com', oneTimeCode: '123456', onetimecode: '654321' },
    { identifier: 'someone@example.com', oneTimeCode: '12' },
    { identifier: 'someone@example.com', oneTimeCode: '1234<script>' },
    { identifier: 'someone@example.com', oneTimeCode: 12345678 },
    { identifier: 'someone@example.com', oneTimeCode: '9'.repeat(33) },
    { identifier: 'not an address', oneTimeCode: '98765432' },
    { identifier: 'a@b@c', oneTimeCode: '98765432' },
    { identifier: 'someone@example.com\r\nBcc: all@example.com', oneTimeCode: '98765432' },
    { identifier: `${'x'.repeat(250)}@example.com`, oneTimeCode: '98765432' },
  ];
  for (const otpContext of cases) {
    const error = expectEventError(() => parseOtpSendRequest(withOtpContext(otpContext), { tenantId }), EventErrorCode.REQUEST_INVALID);
    assert.doesNotMatch(`${error.message} ${error.publicMessage} ${error.issues.join(' ')}`, /98765432|654321|123456|script/);
  }
});

test('request: another event or another tenant is refused', () => {
  expectEventError(() => parseOtpSendRequest(request, { tenantId: 'aaaabbbb-0000-cccc-1111-dddd2222eeee' }), EventErrorCode.TENANT_MISMATCH);
  expectEventError(() => parseOtpSendRequest({ ...request, type: 'microsoft.graph.authenticationEvent.tokenIssuanceStart' }, { tenantId }), EventErrorCode.REQUEST_INVALID);
  expectEventError(() => parseOtpSendRequest({ ...request, data: { ...request.data, '@odata.type': 'microsoft.graph.onTokenIssuanceStartCalloutData' } }, { tenantId }), EventErrorCode.REQUEST_INVALID);
  for (const hostile of [null, 'text', [], { type: request.type, data: null }]) expectEventError(() => parseOtpSendRequest(hostile, { tenantId }), EventErrorCode.REQUEST_INVALID);
});

test('request: the purpose follows the request type, and an unknown one reads as a sign-in', () => {
  assert.equal(otpPurposeOf('signUp'), 'sign-up');
  assert.equal(otpPurposeOf('passwordReset'), 'password-reset');
  assert.equal(otpPurposeOf('selfServicePasswordReset'), 'password-reset');
  assert.equal(otpPurposeOf('mfa'), 'mfa');
  assert.equal(otpPurposeOf('signIn'), 'sign-in');
  assert.equal(otpPurposeOf(undefined), 'sign-in');
  assert.equal(otpPurposeOf('somethingNew'), 'sign-in');
});

test('response: the builder writes the published answer, and the reader names its one action', () => {
  const fixture = readFixture('otp-send.response.continueWithDefaultBehavior.json');
  assert.equal(JSON.stringify(buildOtpSendResponse({ action: 'continueWithDefaultBehavior' })), JSON.stringify(fixture));
  assert.deepEqual(parseOtpSendResponse(fixture), fixture);
  assert.equal(otpSendActionOf(fixture.data.actions[0]['@odata.type']), 'continueWithDefaultBehavior');
  // Entra's type has a capital O; the spelling every other event uses is not this event's.
  expectEventError(() => parseOtpSendResponse({ data: { ...fixture.data, '@odata.type': 'microsoft.graph.onOtpSendResponseData' } }), EventErrorCode.RESPONSE_INVALID);
  assert.equal(otpSendActionOf('microsoft.graph.otpSend.continueWithDefaultBehavior'), undefined);
});

test('response: as a Fastify response schema, the answer goes out unchanged', async () => {
  const app = Fastify();
  app.post('/answer', { schema: { response: { 200: z.toJSONSchema(otpSendResponseSchema, { target: 'draft-7' }) } } }, async () => ({ ...buildOtpSendResponse({ action: 'continueWithDefaultBehavior' }), code: '12345678' }));
  try {
    assert.equal((await app.inject({ method: 'POST', url: '/answer' })).body, JSON.stringify(readFixture('otp-send.response.continueWithDefaultBehavior.json')));
  } finally {
    await app.close();
  }
});
