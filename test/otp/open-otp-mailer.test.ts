import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openOtpMailer } from '../../src/app/open-otp-mailer.js';
import { ConfigError } from '../../src/config/errors.js';
import { readOtpSettings } from '../../src/config/otp-settings.js';
import { SettingsReader } from '../../src/config/settings.js';
import { DEFAULT_OTP_TEMPLATES } from '../../src/otp/index.js';
import { startAcsStandIn } from '../support/acs-stand-in.js';
import { CANARY_OTP_CODE } from '../support/canaries.js';

const root = mkdtempSync(join(tmpdir(), 'open-otp-'));
after(() => rmSync(root, { recursive: true, force: true }));

function settings(env: Record<string, string>) {
  const read = new SettingsReader(env);
  const otp = readOtpSettings(read);
  assert.deepEqual(read.problems, []);
  assert.ok(otp);
  return otp;
}

test('opens the provider each setting names, with the shipped templates by default', async () => {
  const smtp = openOtpMailer(settings({ OTP_SMTP_URL: 'smtp://127.0.0.1:2525', OTP_FROM: 'codes@contoso.example' }), { timeoutInMs: 1000 });
  assert.equal(smtp.mailer.kind, 'smtp');
  assert.equal(smtp.templates, DEFAULT_OTP_TEMPLATES);
  assert.equal(smtp.from, 'codes@contoso.example');
  await smtp.close();
  const managed = openOtpMailer(settings({ OTP_ACS_ENDPOINT: 'https://contoso.communication.azure.com', OTP_FROM: 'codes@contoso.example' }), { timeoutInMs: 1000 });
  assert.equal(managed.mailer.kind, 'acs');
  await managed.close();
});

test('ACS by connection string, opened from the settings, sends through the stand-in', async () => {
  const acs = await startAcsStandIn();
  const opened = openOtpMailer(settings({ OTP_ACS_CONNECTION_STRING: acs.connectionString, OTP_FROM: 'codes@contoso.example' }), { timeoutInMs: 1000 });
  try {
    await opened.mailer.send({ to: 'ada@example.com', from: opened.from, subject: 's', text: CANARY_OTP_CODE, html: `<p>${CANARY_OTP_CODE}</p>`, language: 'en' }, { abortSignal: new AbortController().signal });
    assert.equal(acs.messages.length, 1);
  } finally {
    await opened.close();
    await acs.close();
  }
});

test('OTP_TEMPLATES_DIR is loaded at start-up; a folder that cannot be used is a ConfigError naming the setting and each file', () => {
  const good = join(root, 'good');
  mkdirSync(join(good, 'en'), { recursive: true });
  const phrases = { 'sign-up': 'a', 'password-reset': 'b', 'sign-in': 'c', mfa: 'd' };
  writeFileSync(join(good, 'en', 'strings.json'), JSON.stringify({ subject: phrases, purpose: phrases }));
  writeFileSync(join(good, 'en', 'body.txt'), '{{code}}');
  writeFileSync(join(good, 'en', 'body.html'), '<b>{{code}}</b>');
  const opened = openOtpMailer(settings({ OTP_SMTP_URL: 'smtp://127.0.0.1:2525', OTP_FROM: 'codes@contoso.example', OTP_TEMPLATES_DIR: good }), { timeoutInMs: 1000 });
  assert.deepEqual([...opened.templates.keys()], ['en']);

  const bad = join(root, 'bad');
  mkdirSync(join(bad, 'fr'), { recursive: true });
  assert.throws(
    () => openOtpMailer(settings({ OTP_SMTP_URL: 'smtp://127.0.0.1:2525', OTP_FROM: 'codes@contoso.example', OTP_TEMPLATES_DIR: bad }), { timeoutInMs: 1000 }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems[0]!.setting, 'OTP_TEMPLATES_DIR');
      assert.match(error.message, /OTP_TEMPLATES_DIR: fr\/strings\.json: missing; fr\/body\.txt: missing; fr\/body\.html: missing; en\/: missing/);
      return true;
    },
  );
});
