import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { OTP_PURPOSES } from '../../src/events/index.js';
import { DEFAULT_OTP_TEMPLATES, escapeHtml, loadOtpTemplatesDir, OtpError, renderOtpMail, templatesFor, type OtpLocaleTemplates, type OtpTemplateSet } from '../../src/otp/index.js';
import { checkLocaleTemplates } from '../../src/otp/templates/template-set.js';
import { CANARY_OTP_CODE } from '../support/canaries.js';

const code = CANARY_OTP_CODE;
const root = mkdtempSync(join(tmpdir(), 'otp-templates-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

const STRINGS = {
  subject: { 'sign-up': 'Welcome to Contoso', 'password-reset': 'Reset at Contoso', 'sign-in': 'Contoso sign-in', mfa: 'Contoso check' },
  purpose: { 'sign-up': 'to join', 'password-reset': 'to reset', 'sign-in': 'to sign in', mfa: 'to check' },
};

/** A templates folder: `locales` maps a folder to its files (a string, or null to leave a file out). */
function templatesDir(locales: Record<string, { strings?: string | null; text?: string | null; html?: string | null }>): string {
  const dir = join(root, `set-${(dirs += 1)}`);
  mkdirSync(dir);
  for (const [locale, files] of Object.entries(locales)) {
    mkdirSync(join(dir, locale));
    const strings = files.strings === undefined ? JSON.stringify(STRINGS) : files.strings;
    const text = files.text === undefined ? 'Contoso code {{code}} {{ purpose }}\n' : files.text;
    const html = files.html === undefined ? '<p>Contoso {{purpose}}: <b>{{code}}</b></p>' : files.html;
    if (strings !== null) writeFileSync(join(dir, locale, 'strings.json'), strings);
    if (text !== null) writeFileSync(join(dir, locale, 'body.txt'), text);
    if (html !== null) writeFileSync(join(dir, locale, 'body.html'), html);
  }
  return dir;
}

function problemsOf(dir: string): string {
  try {
    loadOtpTemplatesDir(dir);
  } catch (error) {
    assert.ok(error instanceof OtpError);
    assert.equal(error.code, 'OTP_TEMPLATES_INVALID');
    return error.message;
  }
  assert.fail('expected OTP_TEMPLATES_INVALID');
}

test('shipped templates: en, fr, de and es, each valid, with a subject and a phrase for every purpose', () => {
  assert.deepEqual([...DEFAULT_OTP_TEMPLATES.keys()].sort(), ['de', 'en', 'es', 'fr']);
  for (const [locale, templates] of DEFAULT_OTP_TEMPLATES) {
    assert.deepEqual(checkLocaleTemplates(templates, { strings: `${locale}/strings`, text: `${locale}/text`, html: `${locale}/html` }), []);
    assert.equal(new Set(OTP_PURPOSES.map((purpose) => templates.subject[purpose])).size, OTP_PURPOSES.length, `${locale}: one subject per purpose`);
    assert.match(templates.html, new RegExp(`<html lang="${locale}">`));
  }
});

test('render: every locale and purpose has the code in both bodies, its own wording, the code never in the subject', () => {
  for (const locale of ['en', 'fr', 'de', 'es']) {
    for (const purpose of OTP_PURPOSES) {
      const mail = renderOtpMail(DEFAULT_OTP_TEMPLATES, { locale, purpose, code });
      const templates = DEFAULT_OTP_TEMPLATES.get(locale)!;
      assert.equal(mail.language, locale);
      assert.equal(mail.subject, templates.subject[purpose]);
      assert.ok(!mail.subject.includes(code));
      assert.ok(mail.text.includes(`\n${code}\n`), `${locale} ${purpose} text holds the code`);
      assert.ok(mail.html.includes(`>${code}</p>`), `${locale} ${purpose} html holds the code`);
      assert.ok(mail.text.includes(templates.purpose[purpose]));
      assert.ok(mail.html.includes(escapeHtml(templates.purpose[purpose])));
      assert.ok(!/\{\{|\}\}/.test(mail.text + mail.html), 'no placeholder left');
    }
  }
  assert.equal(renderOtpMail(DEFAULT_OTP_TEMPLATES, { locale: 'de-DE', purpose: 'sign-up', code }).subject, 'Ihr Bestätigungscode zum Erstellen Ihres Kontos');
  assert.ok(renderOtpMail(DEFAULT_OTP_TEMPLATES, { locale: 'fr', purpose: 'mfa', code }).html.includes('c&#39;est bien vous'));
});

test('locale fallback: fr-ca → fr → en; case, underscores, unknown, missing and hostile locales', () => {
  const set: OtpTemplateSet = new Map([...DEFAULT_OTP_TEMPLATES, ['fr-ca', DEFAULT_OTP_TEMPLATES.get('fr')!]]);
  assert.equal(templatesFor(set, 'fr-CA').language, 'fr-ca');
  assert.equal(templatesFor(DEFAULT_OTP_TEMPLATES, 'fr-CA').language, 'fr');
  assert.equal(templatesFor(DEFAULT_OTP_TEMPLATES, 'fr_BE').language, 'fr');
  assert.equal(templatesFor(DEFAULT_OTP_TEMPLATES, 'es-419').language, 'es');
  assert.equal(templatesFor(DEFAULT_OTP_TEMPLATES, 'de-ch-1901').language, 'de');
  for (const locale of ['ja-jp', 'pt', '', null, undefined, '../../etc/passwd', 'en-us\r\nBcc: x@evil.example', '__proto__', 'constructor', 'x'.repeat(10_000)]) {
    assert.equal(templatesFor(DEFAULT_OTP_TEMPLATES, locale).language, 'en', String(locale).slice(0, 20));
  }
});

test('render: inserted values are HTML-escaped in the HTML body only, and replaced in one pass', () => {
  const hostile: OtpLocaleTemplates = {
    subject: { 'sign-up': 's', 'password-reset': 's', 'sign-in': 's', mfa: 's' },
    purpose: { 'sign-up': '<script>alert("x")</script> & {{code}}', 'password-reset': 'p', 'sign-in': 'p', mfa: 'p' },
    text: '{{purpose}} / {{code}}',
    html: '<p title="{{purpose}}">{{code}}</p>',
  };
  const mail = renderOtpMail(new Map([['en', hostile]]), { locale: 'en', purpose: 'sign-up', code: 'A1b2<>' });
  assert.equal(mail.html, '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; {{code}}">A1b2&lt;&gt;</p>');
  assert.equal(mail.text, '<script>alert("x")</script> & {{code}} / A1b2<>');
});

test('OTP_TEMPLATES_DIR: a valid folder replaces the shipped set; en-only and per-region folders load', () => {
  const dir = templatesDir({ en: {}, 'fr-ca': {}, '.git': { strings: null, text: null, html: null } });
  const set = loadOtpTemplatesDir(dir);
  assert.deepEqual([...set.keys()].sort(), ['en', 'fr-ca']);
  const mail = renderOtpMail(set, { locale: 'fr', purpose: 'password-reset', code });
  assert.equal(mail.language, 'en');
  assert.equal(mail.subject, 'Reset at Contoso');
  assert.ok(mail.text.includes(`Contoso code ${code} to reset`));
  assert.ok(mail.html.includes(`<b>${code}</b>`));
  assert.equal(renderOtpMail(set, { locale: 'fr-CA', purpose: 'mfa', code }).language, 'fr-ca');
});

test('OTP_TEMPLATES_DIR: a UTF-8 byte-order mark is dropped; non-ASCII wording is kept', () => {
  const strings = JSON.stringify({ ...STRINGS, subject: { ...STRINGS.subject, mfa: 'Grüße 😀' } });
  const set = loadOtpTemplatesDir(templatesDir({ en: { strings: `\uFEFF${strings}`, text: '\uFEFFÇa {{code}}' } }));
  assert.equal(set.get('en')!.subject.mfa, 'Grüße 😀');
  assert.equal(set.get('en')!.text, 'Ça {{code}}');
});

test('OTP_TEMPLATES_DIR: every problem is reported at once, naming the file, never quoting it', () => {
  const secret = 'Hunter2-Template-Secret';
  const message = problemsOf(templatesDir({
    fr: { strings: `{"subject": ${secret}` },
    de: { text: 'no code here' },
    es: { html: '<p>{{code}} {{name}}</p>' },
    it: { strings: JSON.stringify({ ...STRINGS, extra: secret }) },
    nl: { strings: JSON.stringify({ ...STRINGS, subject: { ...STRINGS.subject, mfa: 'Code {{code}}' } }) },
    pt: { strings: JSON.stringify({ ...STRINGS, subject: { ...STRINGS.subject, mfa: 'line\r\nBcc: x@evil.example' } }) },
    pl: { text: null },
    'Bad Name': {},
  }));
  assert.ok(!message.includes(secret));
  assert.ok(!message.includes('evil.example'));
  for (const expected of ['fr/strings.json: is not JSON', 'de/body.txt: must hold {{code}}', 'es/body.html: unknown placeholder {{name}}', 'it/strings.json: must be {"subject"', 'nl/strings.json: subject.mfa must be one line', 'pt/strings.json: subject.mfa must be one line', 'pl/body.txt: missing', 'Bad Name: expected a folder named for a lower-case locale', 'en/: missing']) {
    assert.ok(message.includes(expected), `reports: ${expected}\n${message}`);
  }
});

test('OTP_TEMPLATES_DIR: oversized, non-UTF-8, control characters, symbolic links and stray files are refused', () => {
  const outside = join(root, 'outside.txt');
  writeFileSync(outside, 'Secret {{code}}');
  const dir = templatesDir({ en: {}, fr: { html: `<p>{{code}}</p>${'x'.repeat(300 * 1024)}` }, de: {}, es: {}, it: { text: 'nul\u0000 {{code}}' } });
  writeFileSync(join(dir, 'de', 'body.txt'), Buffer.from([0x7b, 0x7b, 0x63, 0x6f, 0x64, 0x65, 0x7d, 0x7d, 0xff, 0xfe]));
  rmSync(join(dir, 'es', 'body.txt'));
  symlinkSync(outside, join(dir, 'es', 'body.txt'));
  symlinkSync(join(dir, 'en'), join(dir, 'nl'));
  writeFileSync(join(dir, 'README.md'), 'notes');
  const message = problemsOf(dir);
  for (const expected of ['fr/body.html: is larger than', 'de/body.txt: is not UTF-8 text', 'es/body.txt: must be a regular file', 'it/body.txt: holds control characters', 'nl: expected a folder', 'README.md: expected a folder']) {
    assert.ok(message.includes(expected), `reports: ${expected}\n${message}`);
  }
  assert.ok(!message.includes('Secret'));
});

test('OTP_TEMPLATES_DIR: a missing folder, a file, an empty folder, too many folders', () => {
  assert.match(problemsOf(join(root, 'nowhere')), /cannot be read/);
  assert.match(problemsOf(join(root, 'outside.txt')), /cannot be read/);
  assert.match(problemsOf(templatesDir({})), /en\/: missing/);
  const many = templatesDir({});
  for (let index = 0; index < 120; index += 1) mkdirSync(join(many, `x${String(index).padStart(3, '0')}`.replace(/^x/, 'en-x')));
  assert.match(problemsOf(many), /at most 100 language folders/);
});
