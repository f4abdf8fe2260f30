import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OTP_PURPOSES } from '../../src/events/index.js';
import { createSmtpMailer, DEFAULT_OTP_TEMPLATES, OtpError, renderOtpMail, type OtpMailer, type OtpMessage } from '../../src/otp/index.js';
import { makeTestPki, type TestPki } from '../legacy/web-service/pki.js';
import { CANARY_OTP_CODE } from '../support/canaries.js';
import { closedPort, skipUnlessAiosmtpd, startSilentServer, startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

const skip = await skipUnlessAiosmtpd();
const code = CANARY_OTP_CODE;
const FROM = 'Contoso Sign-in <codes@contoso.example>';
const AUTH = { user: 'otp@contoso.example', password: 'Smtp:Pa55/Secret' };
const never = () => new AbortController().signal;
let server: TestSmtpServer;
let mailer: OtpMailer;

before(async () => {
  if (skip) return;
  server = await startSmtpServer({ auth: AUTH });
  mailer = createSmtpMailer({ url: server.url(AUTH), timeoutInMs: 5000 });
});
after(async () => {
  await mailer?.close();
  await server?.close();
});

function message(to: string, locale = 'en', purpose: (typeof OTP_PURPOSES)[number] = 'sign-up'): OtpMessage {
  return { to, from: FROM, ...renderOtpMail(DEFAULT_OTP_TEMPLATES, { locale, purpose, code }) };
}

async function failure(send: Promise<void>): Promise<OtpError> {
  try {
    await send;
  } catch (error) {
    assert.ok(error instanceof OtpError, 'an OtpError, never the provider\'s own');
    return error;
  }
  assert.fail('expected the send to fail');
}

function assertNoSecret(error: OtpError, ...secrets: string[]) {
  const text = `${error.message} ${error.publicMessage} ${JSON.stringify(error)} ${String(error.stack)}`;
  for (const secret of [code, ...secrets]) assert.ok(!text.includes(secret), 'the error quotes nothing sent');
}

test('SMTP end to end: every locale and purpose arrives with recipient, From, subject, the code in both bodies, headers, UTF-8', { skip }, async () => {
  const before = server.messages().length;
  const sent: { to: string; locale: string; purpose: (typeof OTP_PURPOSES)[number] }[] = [];
  for (const locale of ['en', 'fr', 'de', 'es']) {
    for (const purpose of OTP_PURPOSES) {
      const to = `user.${locale}.${purpose}@example.com`;
      await mailer.send(message(to, locale, purpose), { abortSignal: never() });
      sent.push({ to, locale, purpose });
    }
  }
  const received = server.messages().slice(before);
  assert.equal(received.length, sent.length);
  for (const [index, mail] of received.entries()) {
    const { to, locale, purpose } = sent[index]!;
    const templates = DEFAULT_OTP_TEMPLATES.get(locale)!;
    assert.deepEqual(mail.rcptTos, [to]);
    assert.equal(mail.mailFrom, 'codes@contoso.example');
    assert.equal(mail.authenticated, true);
    assert.equal(mail.headers.to, to);
    assert.equal(mail.headers.from, FROM);
    assert.equal(mail.headers.subject, templates.subject[purpose]);
    assert.equal(mail.headers['content-language'], locale);
    assert.equal(mail.headers['auto-submitted'], 'auto-generated');
    assert.equal(mail.headers['x-auto-response-suppress'], 'All');
    assert.match(mail.headers['message-id'] ?? '', /^<[^@]+@contoso\.example>$/);
    assert.match(mail.headers['content-type'] ?? '', /^multipart\/alternative/);
    assert.ok(mail.text?.includes(code), 'code in the text body');
    assert.ok(mail.html?.includes(`>${code}</p>`), 'code in the HTML body');
    assert.ok(mail.text?.includes(templates.purpose[purpose]), 'the purpose wording, decoded as UTF-8');
    assert.ok(!mail.headers.subject?.includes(code));
    assert.match(mail.raw, /charset=utf-8/);
  }
  assert.ok(received.some((mail) => mail.headers.subject === 'Ihr Bestätigungscode zum Erstellen Ihres Kontos'));
});

test('SMTP: a refused recipient is OTP_PROVIDER_FAILED without the address the server quoted', { skip }, async () => {
  const error = await failure(mailer.send(message('refused.ada@example.com'), { abortSignal: never() }));
  assert.equal(error.code, 'OTP_PROVIDER_FAILED');
  assert.match(error.message, /^smtp: the server refused the message \(EENVELOPE 550 at RCPT TO\)$/);
  assertNoSecret(error, 'refused.ada');
});

test('SMTP: a refused message is OTP_PROVIDER_FAILED without the text the server quoted (the code)', { skip }, async () => {
  const refused = { ...message('grace@example.com'), text: `REFUSE-DATA ${code}` };
  const error = await failure(mailer.send(refused, { abortSignal: never() }));
  assert.equal(error.code, 'OTP_PROVIDER_FAILED');
  assert.match(error.message, /554 at DATA/);
  assertNoSecret(error, 'grace@');
});

test('SMTP: wrong credentials are OTP_PROVIDER_FAILED (EAUTH) without the password', { skip }, async () => {
  const wrong = createSmtpMailer({ url: server.url({ user: AUTH.user, password: 'Wrong-Pa55' }), timeoutInMs: 5000 });
  try {
    const error = await failure(wrong.send(message('ada@example.com'), { abortSignal: never() }));
    assert.equal(error.code, 'OTP_PROVIDER_FAILED');
    assert.match(error.message, /EAUTH/);
    assertNoSecret(error, 'Wrong-Pa55', AUTH.user);
  } finally {
    await wrong.close();
  }
});

test('SMTP: an unreachable server is OTP_PROVIDER_FAILED (ECONNECTION)', async () => {
  const unreachable = createSmtpMailer({ url: new URL(`smtp://127.0.0.1:${await closedPort()}`), timeoutInMs: 5000 });
  try {
    const error = await failure(unreachable.send(message('ada@example.com'), { abortSignal: never() }));
    assert.equal(error.code, 'OTP_PROVIDER_FAILED');
    assert.match(error.message, /could not be reached \((ECONNECTION|ESOCKET)/);
    assertNoSecret(error, 'ada@');
  } finally {
    await unreachable.close();
  }
});

test('SMTP: a server that never greets is abandoned at the abort (OTP_PROVIDER_TIMEOUT); the connection times out by itself', async () => {
  const silent = await startSilentServer();
  const stalled = createSmtpMailer({ url: new URL(`smtp://127.0.0.1:${silent.port}`), timeoutInMs: 3000 });
  try {
    const abort = new AbortController();
    const sending = stalled.send(message('ada@example.com'), { abortSignal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    const error = await failure(sending);
    assert.equal(error.code, 'OTP_PROVIDER_TIMEOUT');
    assertNoSecret(error, 'ada@');
    const already = await failure(stalled.send(message('ada@example.com'), { abortSignal: AbortSignal.abort() }));
    assert.equal(already.code, 'OTP_PROVIDER_TIMEOUT');
  } finally {
    await stalled.close();
    await silent.close();
  }
});

test('SMTP: STARTTLS is required beyond loopback: a server without it gets no credentials and no message', { skip }, async () => {
  // [::ffff:127.0.0.1] reaches this machine but is not one of the loopback names, so the mailer treats it as the network.
  const overNetwork = createSmtpMailer({ url: new URL(`smtp://${encodeURIComponent(AUTH.user)}:${encodeURIComponent(AUTH.password)}@[::ffff:127.0.0.1]:${server.port}`), timeoutInMs: 5000 });
  const before = server.messages().length;
  try {
    const error = await failure(overNetwork.send(message('ada@example.com'), { abortSignal: never() }));
    assert.equal(error.code, 'OTP_PROVIDER_FAILED');
    assert.match(error.message, /\(ETLS/, error.message);
    assertNoSecret(error, AUTH.password, 'ada@');
    assert.equal(server.messages().length, before);
  } finally {
    await overNetwork.close();
  }
});

test('SMTP: a closed mailer refuses to send', async () => {
  const closed = createSmtpMailer({ url: new URL('smtp://127.0.0.1:25'), timeoutInMs: 1000 });
  await closed.close();
  assert.equal((await failure(closed.send(message('ada@example.com'), { abortSignal: never() }))).code, 'OTP_PROVIDER_FAILED');
});

describe('SMTP over TLS (a throwaway CA, a server certificate for 127.0.0.1)', { skip }, () => {
  let pki: TestPki;
  before(() => {
    pki = makeTestPki();
  });
  after(() => pki?.remove());

  for (const mode of ['implicit', 'starttls'] as const) {
    test(`${mode === 'implicit' ? 'smtps:// (TLS from the first byte)' : 'smtp:// upgraded with STARTTLS'}: the message arrives over TLS; an untrusted certificate is refused`, async () => {
      const tlsServer = await startSmtpServer({ auth: AUTH, tls: { mode, certFile: pki.serverCertFile, keyFile: pki.serverKeyFile } });
      const url = tlsServer.url(AUTH, mode === 'implicit' ? 'smtps' : 'smtp');
      const trusted = createSmtpMailer({ url, timeoutInMs: 5000, ca: pki.read(pki.caFile).toString() });
      const untrusted = createSmtpMailer({ url, timeoutInMs: 5000 });
      try {
        await trusted.send(message('ada.tls@example.com'), { abortSignal: never() });
        const [mail] = tlsServer.messages();
        assert.equal(mail?.tls, true);
        assert.deepEqual(mail?.rcptTos, ['ada.tls@example.com']);
        assert.ok(mail?.text?.includes(code));
        const error = await failure(untrusted.send(message('grace.tls@example.com'), { abortSignal: never() }));
        assert.equal(error.code, 'OTP_PROVIDER_FAILED');
        assertNoSecret(error, AUTH.password, 'grace.tls');
        assert.equal(tlsServer.messages().length, 1);
      } finally {
        await trusted.close();
        await untrusted.close();
        await tlsServer.close();
      }
    });
  }
});
