import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAcsMailer, DEFAULT_OTP_TEMPLATES, OtpError, renderOtpMail, type OtpMailer, type OtpMessage } from '../../src/otp/index.js';
import { startAcsStandIn, type AcsStandIn } from '../support/acs-stand-in.js';
import { CANARY_OTP_CODE } from '../support/canaries.js';

const code = CANARY_OTP_CODE;
const never = () => new AbortController().signal;
let acs: AcsStandIn;
let mailer: OtpMailer;

before(async () => {
  acs = await startAcsStandIn();
  mailer = createAcsMailer({ connectionString: acs.connectionString, pollIntervalInMs: 20 });
});
after(async () => {
  await mailer.close();
  await acs.close();
});

function message(to: string, locale = 'fr-ca'): OtpMessage {
  return { to, from: 'Contoso <DoNotReply@contoso.example>', ...renderOtpMail(DEFAULT_OTP_TEMPLATES, { locale, purpose: 'password-reset', code }) };
}

async function failure(send: Promise<void>, ...secrets: string[]): Promise<OtpError> {
  try {
    await send;
  } catch (error) {
    assert.ok(error instanceof OtpError, 'an OtpError, never the SDK\'s own');
    const text = `${error.message} ${error.publicMessage} ${JSON.stringify(error)} ${String(error.stack)}`;
    for (const secret of [code, ...secrets]) assert.ok(!text.includes(secret), 'the error quotes nothing sent');
    return error;
  }
  assert.fail('expected the send to fail');
}

test('ACS: a message is signed (HMAC-SHA256), accepted (202), and its operation read to Succeeded', async () => {
  acs.behaviour = 'succeed';
  await mailer.send(message('ada@example.com'), { abortSignal: never() });
  assert.equal(acs.refusedSignatures, 0);
  const mail = acs.messages.at(-1)!;
  assert.deepEqual(mail.to, ['ada@example.com']);
  assert.equal(mail.senderAddress, 'DoNotReply@contoso.example', 'ACS takes the address without the display name');
  assert.equal(mail.subject, 'Votre code pour réinitialiser votre mot de passe');
  assert.ok(mail.plainText.includes(code) && mail.html.includes(`>${code}</p>`));
  assert.deepEqual(mail.headers, { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'Content-Language': 'fr' });
});

test('ACS: a wrong access key is refused by the strict signature check: OTP_PROVIDER_FAILED (HTTP 401)', async () => {
  acs.behaviour = 'succeed';
  const refusedBefore = acs.refusedSignatures;
  const wrongKey = createAcsMailer({ connectionString: acs.connectionString.replace(/accesskey=.*/, `accesskey=${Buffer.alloc(64, 7).toString('base64')}`) });
  const error = await failure(wrongKey.send(message('ada@example.com'), { abortSignal: never() }), 'ada@');
  assert.equal(error.code, 'OTP_PROVIDER_FAILED');
  assert.equal(error.message, 'acs: HTTP 401 (Denied)');
  assert.equal(acs.refusedSignatures, refusedBefore + 1);
});

test('ACS: a request refused at once (400 quoting the recipient and the code) is OTP_PROVIDER_FAILED with the code only', async () => {
  acs.behaviour = 'reject';
  const error = await failure(mailer.send(message('grace@example.com'), { abortSignal: never() }), 'grace@');
  assert.equal(error.code, 'OTP_PROVIDER_FAILED');
  assert.equal(error.message, 'acs: HTTP 400 (InvalidRecipient)');
});

test('ACS: an operation that ends Failed is OTP_PROVIDER_FAILED with its error code, not its message', async () => {
  acs.behaviour = 'fail';
  const error = await failure(mailer.send(message('linus@example.com'), { abortSignal: never() }), 'linus@');
  assert.equal(error.code, 'OTP_PROVIDER_FAILED');
  assert.equal(error.message, 'acs: the operation ended Failed (EmailDroppedAllRecipientsSuppressed)');
});

test('ACS: an operation still running after the settle time counts as sent (ACS queued it)', async () => {
  acs.behaviour = 'running';
  const queued = createAcsMailer({ connectionString: acs.connectionString, pollIntervalInMs: 20, settleWithinInMs: 60 });
  await queued.send(message('ada@example.com'), { abortSignal: never() });
  assert.deepEqual(acs.messages.at(-1)!.to, ['ada@example.com']);
});

test('ACS: a POST never answered is abandoned at the abort: OTP_PROVIDER_TIMEOUT', async () => {
  acs.behaviour = 'hang';
  const abort = new AbortController();
  const sending = mailer.send(message('ada@example.com'), { abortSignal: abort.signal });
  setTimeout(() => abort.abort(), 100);
  const error = await failure(sending, 'ada@');
  assert.equal(error.code, 'OTP_PROVIDER_TIMEOUT');
  acs.behaviour = 'succeed';
});

test('ACS: an unreachable endpoint is OTP_PROVIDER_FAILED; a closed mailer refuses to send', async () => {
  const unreachable = createAcsMailer({ connectionString: `endpoint=http://127.0.0.1:9/;accesskey=${Buffer.alloc(32).toString('base64')}` });
  const error = await failure(unreachable.send(message('ada@example.com'), { abortSignal: never() }), 'ada@');
  assert.equal(error.code, 'OTP_PROVIDER_FAILED');
  assert.match(error.message, /^acs: the request failed \(/);
  await unreachable.close();
  assert.equal((await failure(unreachable.send(message('ada@example.com'), { abortSignal: never() }))).message, 'acs: the mailer is closed');
});
