import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAcsMailer, createSmtpMailer } from '../../src/otp/index.js';
import { startAcsStandIn, type AcsStandIn } from '../support/acs-stand-in.js';
import { CANARY_OTP_CODE, CANARY_PASSWORDS } from '../support/canaries.js';
import { closedPort, skipUnlessAiosmtpd, startSilentServer, startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { startOtpServer, type OtpServer } from '../otp/otp-server-harness.js';

const skip = await skipUnlessAiosmtpd();
const AUTH = { user: 'otp', password: CANARY_PASSWORDS.correct };
let smtp: TestSmtpServer;
let server: OtpServer;

before(async () => {
  if (skip) return;
  smtp = await startSmtpServer({ auth: AUTH });
  server = await startOtpServer({ mailer: createSmtpMailer({ url: smtp.url(AUTH), timeoutInMs: 1500 }) });
});
after(async () => {
  await server?.close();
  await smtp?.close();
});

/** Nothing the server logged holds the code, the recipient or the SMTP password. */
function assertLogsClean(logs: string, recipient: string) {
  assert.ok(!logs.includes(CANARY_OTP_CODE), 'no code in the logs');
  assert.ok(!logs.includes(recipient), 'no recipient in the logs');
  assert.ok(!logs.includes(AUTH.password), 'no SMTP password in the logs');
}

test('POST /events/otp-send with a real caller token: 200 continueWithDefaultBehavior, the mail at the SMTP server', { skip }, async () => {
  const to = 'ada.server@example.com';
  const response = await server.post(server.body(to, { locale: 'es-MX', requestType: 'signUp' }));
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), { data: { '@odata.type': 'microsoft.graph.OnOtpSendResponseData', actions: [{ '@odata.type': 'microsoft.graph.OtpSend.continueWithDefaultBehavior' }] } });
  const mail = smtp.messages().find((message) => message.rcptTos.includes(to));
  assert.ok(mail, 'the mail arrived');
  assert.equal(mail.headers.subject, 'Su código de verificación para crear su cuenta');
  assert.ok(mail.text?.includes(CANARY_OTP_CODE) && mail.html?.includes(CANARY_OTP_CODE));
  const outcome = server.outcomes.at(-1)!;
  assert.equal(outcome.event, 'OnOtpSend');
  assert.equal(outcome.reason, 'otp-sent');
  assert.ok(!JSON.stringify(server.outcomes).includes(CANARY_OTP_CODE));
  assertLogsClean(server.logs(), to);
});

test('POST /events/otp-send: the SMTP server refuses the recipient → 502 OTP_PROVIDER_FAILED, nothing quoted in logs or answer', { skip }, async () => {
  const to = 'refused.grace@example.com';
  const response = await server.post(server.body(to));
  assert.equal(response.statusCode, 502);
  assert.equal(response.json().error.code, 'OTP_PROVIDER_FAILED');
  assert.ok(!response.body.includes(CANARY_OTP_CODE) && !response.body.includes(to));
  assert.equal(server.outcomes.at(-1)!.reason, 'otp-not-sent');
  assertLogsClean(server.logs(), to);
});

test('POST /events/otp-send: without a caller token 401 and no mail; a malformed body 400', { skip }, async () => {
  const before = smtp.messages().length;
  const unauthenticated = await server.app.inject({ method: 'POST', url: '/events/otp-send', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(server.body('ada@example.com')) });
  assert.equal(unauthenticated.statusCode, 401);
  const forged = await server.post(server.body('ada@example.com'), { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' });
  assert.equal(forged.statusCode, 401);
  const malformed = await server.post({ ...server.body('ada@example.com'), type: 'nope' });
  assert.equal(malformed.statusCode, 400);
  assert.ok(!malformed.body.includes(CANARY_OTP_CODE));
  assert.equal(smtp.messages().length, before);
  assertLogsClean(server.logs(), 'ada@example.com');
});

test('POST /events/otp-send: an unreachable SMTP server → 502; one that never answers → 504 inside the deadline', async () => {
  const unreachable = await startOtpServer({ mailer: createSmtpMailer({ url: new URL(`smtp://otp:${encodeURIComponent(AUTH.password)}@127.0.0.1:${await closedPort()}`), timeoutInMs: 1000 }) });
  const silent = await startSilentServer();
  const stalled = await startOtpServer({ mailer: createSmtpMailer({ url: new URL(`smtp://127.0.0.1:${silent.port}`), timeoutInMs: 5000 }), responseDeadlineInMs: 300 });
  try {
    const refused = await unreachable.post(unreachable.body('ada@example.com'));
    assert.equal(refused.statusCode, 502);
    assert.equal(refused.json().error.code, 'OTP_PROVIDER_FAILED');
    assertLogsClean(unreachable.logs(), 'ada@example.com');
    const late = await stalled.post(stalled.body('ada@example.com'));
    assert.equal(late.statusCode, 504);
    assert.deepEqual(late.json(), { error: { code: 'OTP_PROVIDER_TIMEOUT', message: 'The e-mail provider did not answer in time.' } });
    assert.equal(stalled.outcomes.at(-1)!.errorCode, 'OTP_PROVIDER_TIMEOUT');
    assertLogsClean(stalled.logs(), 'ada@example.com');
  } finally {
    await unreachable.close();
    await stalled.close();
    await silent.close();
  }
});

test('POST /events/otp-send over ACS (its REST stand-in): 200 when sent, 502 when the operation fails', async () => {
  const acs: AcsStandIn = await startAcsStandIn();
  const viaAcs = await startOtpServer({ mailer: createAcsMailer({ connectionString: acs.connectionString, pollIntervalInMs: 20 }) });
  try {
    const sent = await viaAcs.post(viaAcs.body('ada.acs@example.com', { locale: 'de-AT', requestType: 'mfa' }));
    assert.equal(sent.statusCode, 200);
    assert.equal(acs.messages.at(-1)!.subject, 'Ihr Bestätigungscode');
    acs.behaviour = 'fail';
    const failed = await viaAcs.post(viaAcs.body('ada.acs@example.com'));
    assert.equal(failed.statusCode, 502);
    assertLogsClean(viaAcs.logs(), 'ada.acs@example.com');
  } finally {
    await viaAcs.close();
    await acs.close();
  }
});

test('no provider: the route answers 502 OTP_PROVIDER_MISSING so Entra falls back', async () => {
  const bare = await startOtpServer({ mailer: null });
  try {
    const response = await bare.post(bare.body('ada@example.com'));
    assert.equal(response.statusCode, 502);
    assert.equal(response.json().error.code, 'OTP_PROVIDER_MISSING');
  } finally {
    await bare.close();
  }
});
