import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { answerEvent, handleOtpSend, type OtpSendDeps } from '../../src/handlers/index.js';
import { DEFAULT_OTP_TEMPLATES, OtpError, type OtpMailer, type OtpMessage, type OtpSendOptions } from '../../src/otp/index.js';
import { CANARY_OTP_CODE } from '../support/canaries.js';

const tenantId = 'ffff5f5f-aa6a-bb7b-cc8c-dddddd9d9d9d';
const fixture = JSON.parse(readFileSync(new URL('../fixtures/entra/otp-send.request.json', import.meta.url), 'utf8'));
const RECIPIENT = 'ada.recipient@example.com';

/** The published request, for `RECIPIENT`, with the canary code, a locale and a request type. */
function body(options: { locale?: string; requestType?: string; spelling?: 'oneTimeCode' | 'onetimecode' } = {}) {
  const copy = structuredClone(fixture);
  copy.data.otpContext = { identifier: RECIPIENT, [options.spelling ?? 'oneTimeCode']: CANARY_OTP_CODE };
  copy.data.authenticationContext.client.locale = options.locale ?? 'en-us';
  copy.data.authenticationContext.requestType = options.requestType ?? 'signUp';
  return copy;
}

/** A mailer whose `send` does what `behave` says, recording each message and its abort signal. */
function fakeMailer(behave: (message: OtpMessage, options: OtpSendOptions) => Promise<void>) {
  const sent: { message: OtpMessage; signal: AbortSignal }[] = [];
  const mailer: OtpMailer = {
    kind: 'smtp',
    send: (message, options) => {
      sent.push({ message, signal: options.abortSignal });
      return behave(message, options);
    },
    close: async () => undefined,
  };
  return { mailer, sent };
}

function deps(mailer: OtpMailer | null, overrides: Partial<OtpSendDeps> = {}): OtpSendDeps {
  return { tenantId, mailer, templates: DEFAULT_OTP_TEMPLATES, from: 'Contoso <codes@contoso.example>', clock: Date.now, responseDeadlineInMs: 1000, sendMarginInMs: () => 50, ...overrides };
}

/** Nothing the handler returns may hold the code or the recipient. */
function assertNothingLeaks(result: unknown) {
  const text = JSON.stringify(result);
  assert.ok(!text.includes(CANARY_OTP_CODE), 'no code in the answer or the outcome');
  assert.ok(!text.includes(RECIPIENT), 'no recipient in the answer or the outcome');
}

test('sent: 200 continueWithDefaultBehavior, outcome otp-sent; the mail for the recipient, in the language and for the purpose', async () => {
  const { mailer, sent } = fakeMailer(async () => undefined);
  const result = await handleOtpSend(body({ locale: 'fr-CA', requestType: 'passwordReset' }), deps(mailer), { receivedAt: Date.now() });
  assert.equal(result.status, 200);
  assert.deepEqual(result.body, { data: { '@odata.type': 'microsoft.graph.OnOtpSendResponseData', actions: [{ '@odata.type': 'microsoft.graph.OtpSend.continueWithDefaultBehavior' }] } });
  assert.ok('outcome' in result);
  assert.deepEqual({ ...result.outcome, latencyInMs: 0 }, { event: 'OnOtpSend', correlationId: '3333dddd-44ee-ffff-aa55-bbbbbbbb6666', objectId: null, action: 'continueWithDefaultBehavior', status: 200, reason: 'otp-sent', legacyId: null, errorCode: null, errorDetail: null, latencyInMs: 0 });
  assertNothingLeaks(result);
  assert.equal(sent.length, 1);
  const { message } = sent[0]!;
  assert.equal(message.to, RECIPIENT);
  assert.equal(message.from, 'Contoso <codes@contoso.example>');
  assert.equal(message.language, 'fr');
  assert.equal(message.subject, 'Votre code pour réinitialiser votre mot de passe');
  assert.ok(message.text.includes(CANARY_OTP_CODE) && message.html.includes(CANARY_OTP_CODE));
});

test('the lower-case onetimecode spelling of Microsoft\'s sample is sent the same way; an unknown request type reads as sign-in', async () => {
  const { mailer, sent } = fakeMailer(async () => undefined);
  const result = await handleOtpSend(body({ spelling: 'onetimecode', requestType: 'somethingNew', locale: 'xx' }), deps(mailer), { receivedAt: Date.now() });
  assert.equal(result.status, 200);
  assert.equal(sent[0]!.message.subject, 'Your sign-in code');
  assert.ok(sent[0]!.message.text.includes(CANARY_OTP_CODE));
});

test('refused: 502 OTP_PROVIDER_FAILED, outcome otp-not-sent with the mailer\'s own detail', async () => {
  const { mailer } = fakeMailer(async () => {
    throw new OtpError('OTP_PROVIDER_FAILED', 'smtp: the server refused the message (EENVELOPE 550 at RCPT TO)');
  });
  const result = await handleOtpSend(body(), deps(mailer), { receivedAt: Date.now() });
  assert.equal(result.status, 502);
  assert.deepEqual(result.body, { error: { code: 'OTP_PROVIDER_FAILED', message: 'The e-mail provider did not accept the message.' } });
  assert.ok('outcome' in result);
  assert.equal(result.outcome.reason, 'otp-not-sent');
  assert.equal(result.outcome.action, 'error');
  assert.equal(result.outcome.errorCode, 'OTP_PROVIDER_FAILED');
  assert.equal(result.outcome.errorDetail, 'smtp: the server refused the message (EENVELOPE 550 at RCPT TO)');
  assertNothingLeaks(result);
});

test('a mailer that throws something of its own (quoting the code and the recipient) is still a plain OTP_PROVIDER_FAILED', async () => {
  const { mailer } = fakeMailer(async (message) => {
    throw new Error(`550 ${message.to} refused: ${message.text}`);
  });
  const result = await handleOtpSend(body(), deps(mailer), { receivedAt: Date.now() });
  assert.equal(result.status, 502);
  assert.ok('outcome' in result);
  assert.equal(result.outcome.errorDetail, 'smtp: the provider failed');
  assertNothingLeaks(result);
});

test('late: the send is aborted at the deadline, 504 OTP_PROVIDER_TIMEOUT', async () => {
  const { mailer, sent } = fakeMailer((_message, options) => new Promise((_resolve, reject) => options.abortSignal.addEventListener('abort', () => reject(new Error(`aborted ${CANARY_OTP_CODE}`)))));
  const receivedAt = Date.now();
  const result = await handleOtpSend(body(), deps(mailer), { receivedAt, answerBy: receivedAt + 80 });
  assert.equal(result.status, 504);
  assert.deepEqual(result.body, { error: { code: 'OTP_PROVIDER_TIMEOUT', message: 'The e-mail provider did not answer in time.' } });
  assert.ok(sent[0]!.signal.aborted, 'the provider call was aborted');
  assert.ok('outcome' in result);
  assert.equal(result.outcome.errorCode, 'OTP_PROVIDER_TIMEOUT');
  assert.equal(result.outcome.errorDetail, 'smtp: abandoned at the deadline');
  assertNothingLeaks(result);
});

test('late: a mailer that ignores the abort is abandoned all the same; the deadline comes from arrival without answerBy', async () => {
  const { mailer, sent } = fakeMailer(() => new Promise(() => undefined));
  const result = await handleOtpSend(body(), deps(mailer, { responseDeadlineInMs: 120, sendMarginInMs: () => 20 }), { receivedAt: Date.now() });
  assert.equal(result.status, 504);
  assert.ok(sent[0]!.signal.aborted);
});

test('no provider: 502 OTP_PROVIDER_MISSING (Entra falls back), nothing sent', async () => {
  const result = await handleOtpSend(body(), deps(null), { receivedAt: Date.now() });
  assert.equal(result.status, 502);
  assert.deepEqual(result.body, { error: { code: 'OTP_PROVIDER_MISSING', message: 'No e-mail provider is configured.' } });
  assertNothingLeaks(result);
});

test('a body that is not the event is a 400 that quotes neither the code nor the address; another tenant is refused', async () => {
  const { mailer, sent } = fakeMailer(async () => undefined);
  const malformed = body();
  malformed.data.otpContext.identifier = `not an address ${CANARY_OTP_CODE}`;
  const twoCodes = body();
  twoCodes.data.otpContext.onetimecode = 'Other1234';
  for (const bad of [malformed, twoCodes, { ...body(), type: 'microsoft.graph.authenticationEvent.passwordSubmit' }, null, 'text', [], { data: { otpContext: { oneTimeCode: CANARY_OTP_CODE } } }]) {
    const result = await handleOtpSend(bad, deps(mailer), { receivedAt: Date.now() });
    assert.equal(result.status, 400);
    assertNothingLeaks(result);
  }
  const other = body();
  other.data.tenantId = '00000000-0000-4000-8000-000000000000';
  const result = await handleOtpSend(other, deps(mailer), { receivedAt: Date.now() });
  assert.equal(result.status, 400);
  assert.equal(result.body.error.code, 'EVENT_TENANT_MISMATCH');
  assert.equal(sent.length, 0);
});

test('through answerEvent (the adapters\' one way in): the same answers', async () => {
  const { mailer } = fakeMailer(async () => undefined);
  const result = await answerEvent('OnOtpSend', handleOtpSend, body(), deps(mailer), { receivedAt: Date.now() });
  assert.equal(result.status, 200);
});
