import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readOtpSettings } from '../../src/config/otp-settings.js';
import { SettingsReader } from '../../src/config/settings.js';

const PASSWORD = 'Smtp-Pa55-Secret';
const KEY = 'c2VjcmV0LWFjY2Vzcy1rZXktQ2FuYXJ5LWZvci1hY3M=';
const FROM = 'Contoso <codes@contoso.example>';

function read(env: Record<string, string>) {
  const reader = new SettingsReader(env);
  const settings = readOtpSettings(reader);
  return { settings, problems: reader.problems, text: reader.problems.map((problem) => `${problem.setting}: ${problem.problem}`).join('\n') };
}

test('no provider: null and no problem; OTP_FROM or OTP_TEMPLATES_DIR alone are reported', () => {
  assert.deepEqual(read({}), { settings: null, problems: [], text: '' });
  const { settings, problems } = read({ OTP_FROM: FROM, OTP_TEMPLATES_DIR: '/etc/otp' });
  assert.equal(settings, null);
  assert.deepEqual(problems.map((problem) => problem.setting), ['OTP_FROM', 'OTP_TEMPLATES_DIR']);
});

test('SMTP: smtp:// and smtps:// with credentials; the URL with its password stays out of JSON and spreads', () => {
  const { settings, problems } = read({ OTP_SMTP_URL: `smtps://otp%40contoso:${PASSWORD}@smtp.contoso.example:465`, OTP_FROM: FROM, OTP_TEMPLATES_DIR: '/etc/otp' });
  assert.deepEqual(problems, []);
  assert.equal(settings?.provider.kind, 'smtp');
  assert.equal(settings?.from, FROM);
  assert.equal(settings?.templatesDir, '/etc/otp');
  assert.ok(settings?.provider.kind === 'smtp' && settings.provider.url.password === PASSWORD);
  assert.ok(!JSON.stringify(settings).includes(PASSWORD));
  assert.ok(!JSON.stringify({ ...settings?.provider }).includes(PASSWORD));
  assert.ok(Object.isFrozen(settings));
  assert.equal(read({ OTP_SMTP_URL: 'smtp://127.0.0.1:2525', OTP_FROM: 'codes@contoso.example' }).settings?.provider.kind, 'smtp');
});

test('SMTP: malformed and hostile URLs are refused without echoing them', () => {
  const cases: [string, RegExp][] = [
    [`http://otp:${PASSWORD}@smtp.contoso.example`, /must start with smtp:\/\/ \(STARTTLS\) or smtps:\/\//],
    [`smtp://otp:${PASSWORD}@smtp.contoso.example:25/path`, /no path, \?query or #fragment/],
    [`smtp://otp:${PASSWORD}@smtp.contoso.example?x=1`, /no path/],
    [`smtp://:${PASSWORD}@smtp.contoso.example`, /password but no user name/],
    [`smtp://otp:${PASSWORD}%ZZ@smtp.contoso.example`, /broken %-escape/],
    [`not a url ${PASSWORD}`, /is not a URL/],
    [`smtp://otp:${PASSWORD}@${'a'.repeat(3000)}`, /longer than 2048/],
    [`smtp://otp:${PASSWORD}@smtp.contoso.example:99999`, /is not a URL/],
  ];
  for (const [url, expected] of cases) {
    const { settings, text } = read({ OTP_SMTP_URL: url, OTP_FROM: FROM });
    assert.equal(settings, null, url.slice(0, 40));
    assert.match(text, expected);
    assert.ok(!text.includes(PASSWORD), 'the password is never echoed');
  }
});

test('exactly one provider; OTP_FROM required and checked', () => {
  const both = read({ OTP_SMTP_URL: `smtp://u:${PASSWORD}@127.0.0.1:25`, OTP_ACS_ENDPOINT: 'https://contoso.communication.azure.com', OTP_FROM: FROM });
  assert.equal(both.settings, null);
  assert.match(both.text, /OTP_ACS_ENDPOINT: is set together with OTP_SMTP_URL; set exactly one/);
  assert.ok(!both.text.includes(PASSWORD));
  assert.match(read({ OTP_ACS_ENDPOINT: 'https://contoso.communication.azure.com' }).text, /OTP_FROM: is required with an e-mail provider/);
  for (const from of ['codes', 'a@b@c.example', 'codes@contoso.example\r\nBcc: x@evil.example', 'Evil "Quote" <codes@contoso.example>', 'A <b@c.example>, d@e.example', `${'x'.repeat(400)}@contoso.example`, 'codes@-contoso.example']) {
    const { settings, problems } = read({ OTP_ACS_ENDPOINT: 'https://contoso.communication.azure.com', OTP_FROM: from });
    assert.equal(settings, null, from.slice(0, 40));
    assert.deepEqual(problems.map((problem) => problem.setting), ['OTP_FROM']);
  }
  for (const from of ['codes@contoso.example', 'DoNotReply@0123abcd.azurecomm.net', 'Contoso Sign-in <codes@contoso.example>', 'Grüße GmbH <codes@contoso.example>']) {
    assert.equal(read({ OTP_ACS_ENDPOINT: 'https://contoso.communication.azure.com', OTP_FROM: from }).settings?.from, from);
  }
});

test('ACS: a connection string (the key stays out of JSON) or an endpoint for a managed identity', () => {
  const connection = read({ OTP_ACS_CONNECTION_STRING: `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`, OTP_FROM: FROM });
  assert.deepEqual(connection.problems, []);
  assert.equal(connection.settings?.provider.kind, 'acs-connection-string');
  assert.ok(!JSON.stringify(connection.settings).includes(KEY));
  const endpoint = read({ OTP_ACS_ENDPOINT: 'https://contoso.communication.azure.com/', OTP_FROM: FROM });
  assert.deepEqual(endpoint.settings?.provider, { kind: 'acs-managed-identity', endpoint: 'https://contoso.communication.azure.com' });
  assert.equal(read({ OTP_ACS_ENDPOINT: 'http://127.0.0.1:8080', OTP_FROM: FROM }).settings?.provider.kind, 'acs-managed-identity');
});

test('ACS: malformed connection strings and endpoints are refused without echoing them', () => {
  for (const value of [`accesskey=${KEY}`, `endpoint=https://contoso.communication.azure.com/`, `endpoint=https://contoso.communication.azure.com/;accesskey=not base64!${KEY}`, `endpoint=http://contoso.communication.azure.com/;accesskey=${KEY}`, `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY};extra=1`, `${KEY}`, `endpoint=https://x/;accesskey=${KEY}${'A'.repeat(3000)}`]) {
    const { settings, text } = read({ OTP_ACS_CONNECTION_STRING: value, OTP_FROM: FROM });
    assert.equal(settings, null);
    assert.match(text, /^OTP_ACS_CONNECTION_STRING: /);
    assert.ok(!text.includes(KEY));
  }
  for (const value of ['http://contoso.communication.azure.com', 'https://contoso.communication.azure.com/path', 'https://u:p@contoso.communication.azure.com', 'ftp://x', 'nope']) {
    assert.match(read({ OTP_ACS_ENDPOINT: value, OTP_FROM: FROM }).text, /^OTP_ACS_ENDPOINT: must be the resource's https: endpoint/);
  }
});
