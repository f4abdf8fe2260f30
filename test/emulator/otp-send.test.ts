import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createLogger } from '../../src/common/logger.js';
import { CalloutErrorCode, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { parseOtpSendRequest } from '../../src/events/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { addEventListener, otpAnswer, startEventStub, type EventStub, type EventStubAnswer } from './event-stub.js';

describe('emulator: e-mail one-time codes through OnOtpSend', () => {
  let emulator: RunningEmulator;
  let stub: EventStub;
  let logText = '';
  let count = 0;

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const form = async (path: string, fields: Record<string, string>) =>
    (await fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() })).text();
  /** An OTP listener for every app whose extension answers `answer`; returns the path it is served at. */
  const listener = (answer: EventStubAnswer, options: { fallback?: boolean; grant?: boolean } = {}) => {
    const path = `/otp-${++count}`;
    stub.answers.set(path, answer);
    addEventListener(emulator.objects, { event: 'otp-send', targetUrl: `${stub.url}${path}`, timeoutInMs: 300, ...options });
    return path;
  };
  const calls = (path: string) => stub.received.filter((entry) => entry.path === path);
  const newEmail = () => `otp${++count}@contoso.example`;

  before(async () => {
    const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
    emulator = await startEmulator({ port: 0, logger });
    stub = await startEventStub();
  });
  after(async () => {
    await emulator.close();
    await stub.close();
  });
  beforeEach(() => emulator.objects.listeners.clear());

  test('without a listener Microsoft sends the code: the emulator shows it', async () => {
    const sent = (await post('/api/sign-up/start', { email: newEmail() })).body;
    assert.equal(sent.outcome, 'code-sent');
    assert.equal(sent.sentBy, 'microsoft');
    assert.match(sent.code, /^\d{8}$/);
  });

  test("sign-up: the extension receives the code and the organisation's provider sends it; the emulator does not show it", async () => {
    const path = listener({ kind: 'json', body: otpAnswer() });
    const email = newEmail();
    const before = emulator.otp.calloutCount();
    const sent = (await post('/api/sign-up/start', { email, locale: 'de-de' })).body;
    assert.deepEqual(Object.keys(sent).sort(), ['email', 'expiresInSeconds', 'outcome', 'verificationId']);
    assert.equal(sent.outcome, 'code-sent-by-provider');
    assert.equal(emulator.otp.calloutCount(), before + 1);

    const [request] = calls(path);
    const parsed = parseOtpSendRequest(request!.body, { tenantId: emulator.tenant.tenantId });
    assert.equal(parsed.data.otpContext.identifier, email);
    assert.match(parsed.data.otpContext.oneTimeCode, /^\d{8}$/);
    assert.equal(parsed.data.authenticationContext.requestType, 'signUp');
    assert.equal(parsed.data.authenticationContext.client?.locale, 'de-de');
    // The code the provider got is the one the flow accepts.
    const verified = (await post('/api/sign-up/verify', { verificationId: sent.verificationId, code: parsed.data.otpContext.oneTimeCode })).body;
    assert.equal(verified.outcome, 'attributes-required');
    assert.equal(logText.includes(parsed.data.otpContext.oneTimeCode), false, 'the code never reaches a log line');
  });

  test('Forgot password: the code goes to the extension with requestType passwordReset and resets the password', async () => {
    const email = newEmail();
    await emulator.directory.createUser({ displayName: 'Reset', mail: email, identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: email }], password: 'Initial-Password-1!' });
    const path = listener({ kind: 'json', body: otpAnswer() });
    const sent = (await post('/api/password-reset/start', { email })).body;
    assert.equal(sent.outcome, 'code-sent-by-provider');
    assert.equal('code' in sent, false);
    const body = calls(path)[0]!.body;
    assert.equal(body.data.authenticationContext.requestType, 'passwordReset');
    const verified = (await post('/api/password-reset/verify', { verificationId: sent.verificationId, code: body.data.otpContext.oneTimeCode })).body;
    assert.equal(verified.outcome, 'new-password-required');
    assert.equal((await post('/api/password-reset/password', { state: verified.state, newPassword: CANARY_PASSWORDS.correct })).body.outcome, 'password-reset');
  });

  test('a failure with fallbackToMicrosoftProviderOnError: Microsoft sends the code (the emulator shows it) and says so', async () => {
    const path = listener({ kind: 'json', status: 500, body: otpAnswer() }, { fallback: true });
    const sent = (await post('/api/sign-up/start', { email: newEmail() })).body;
    assert.equal(sent.outcome, 'code-sent');
    assert.equal(sent.sentBy, 'microsoft-fallback');
    assert.equal(sent.fallbackErrorCode, CalloutErrorCode.INVALID_HTTP_STATUS);
    assert.equal(calls(path).length, 2, 'a 5xx is retried once before the fallback');
    assert.equal((await post('/api/sign-up/verify', { verificationId: sent.verificationId, code: sent.code })).body.outcome, 'attributes-required');

    const page = await form('/signup', { email: newEmail() });
    assert.match(page, /data-sent-by="microsoft-fallback"/);
    assert.match(page, /by Microsoft \(fallback\)/);
    assert.match(page, /id="one-time-code">\d{8}</);
  });

  test('a failure without fallback stops the flow with AADSTS1100001 and the code; no code is shown', async () => {
    listener({ kind: 'json', status: 503, body: otpAnswer() });
    const sent = (await post('/api/sign-up/start', { email: newEmail() })).body;
    assert.deepEqual({ ...sent, detail: undefined }, { outcome: 'extension-error', event: 'otp-send', errorCode: CalloutErrorCode.INVALID_HTTP_STATUS, aadsts: 'AADSTS1100001', detail: undefined });
    const page = await form('/signup', { email: newEmail() });
    assert.match(page, /AADSTS1100001/);
    assert.match(page, /OnOtpSend/);
    assert.doesNotMatch(page, /one-time-code/);
  });

  const failures: Array<{ name: string; answer: EventStubAnswer; errorCode: number }> = [
    { name: 'a text/plain answer', answer: { kind: 'json', contentType: 'text/plain', body: otpAnswer() }, errorCode: CalloutErrorCode.INVALID_CONTENT_TYPE },
    { name: 'a body of another schema', answer: { kind: 'json', body: { data: { '@odata.type': 'microsoft.graph.onOtpSendResponseData', actions: [] } } }, errorCode: CalloutErrorCode.INVALID_RESPONSE_BODY },
    { name: 'a body that is not JSON', answer: { kind: 'json', body: 'sent!' }, errorCode: CalloutErrorCode.INVALID_RESPONSE_BODY },
    { name: 'two actions', answer: { kind: 'json', body: otpAnswer(undefined, 2) }, errorCode: CalloutErrorCode.INVALID_ACTION_COUNT },
    { name: 'an unknown action', answer: { kind: 'json', body: otpAnswer('microsoft.graph.OtpSend.sendItYourself') }, errorCode: CalloutErrorCode.INVALID_ACTION_TYPE },
    { name: 'no answer within the timeout', answer: { kind: 'slow', delayInMs: 600, body: otpAnswer() }, errorCode: CalloutErrorCode.TIMEOUT },
  ];
  for (const failure of failures) {
    test(`${failure.name} is ${failure.errorCode}: the flow stops without fallback, Microsoft sends the code with it`, async () => {
      listener(failure.answer);
      const stopped = (await post('/api/password-reset/start', { email: await existing() })).body;
      assert.equal(stopped.outcome, 'extension-error');
      assert.equal(stopped.errorCode, failure.errorCode);
      emulator.objects.listeners.clear();
      listener(failure.answer, { fallback: true });
      const fallback = (await post('/api/password-reset/start', { email: await existing() })).body;
      assert.equal(fallback.outcome, 'code-sent');
      assert.equal(fallback.sentBy, 'microsoft-fallback');
      assert.equal(fallback.fallbackErrorCode, failure.errorCode);
    });
  }

  test('an extension app without Receive.Payload is 1003021 before any call; the fallback still applies', async () => {
    const path = listener({ kind: 'json', body: otpAnswer() }, { grant: false, fallback: true });
    const sent = (await post('/api/sign-up/start', { email: newEmail() })).body;
    assert.equal(sent.sentBy, 'microsoft-fallback');
    assert.equal(sent.fallbackErrorCode, CalloutErrorCode.PERMISSION_NOT_GRANTED);
    assert.equal(calls(path).length, 0);
  });

  test("the code page names the organisation's provider and shows no code", async () => {
    listener({ kind: 'json', body: otpAnswer() });
    const page = await form('/signup', { email: newEmail() });
    assert.match(page, /data-sent-by="custom-provider"/);
    assert.match(page, /your organisation's e-mail provider/);
    assert.doesNotMatch(page, /id="one-time-code"/);
    assert.doesNotMatch(page, /\b\d{8}\b/);
    const reset = await form('/reset-password', { email: await existing() });
    assert.match(reset, /data-sent-by="custom-provider"/);
    assert.doesNotMatch(reset, /id="one-time-code"/);
  });

  async function existing(): Promise<string> {
    const email = newEmail();
    await emulator.directory.createUser({ displayName: 'Existing', mail: email, identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: email }], password: 'Initial-Password-1!' });
    return email;
  }
});
