import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_MESSAGES, decide, messagesFor, type LegacyVerdict } from '../../src/jit/index.js';

const en = DEFAULT_MESSAGES.en!;

const table: Array<{ verdict: LegacyVerdict; action: string; reason: string; title?: string; message?: string }> = [
  { verdict: { kind: 'password-correct', legacyId: '1', password: 'Tr0ub4dor&3' }, action: 'MigratePassword', reason: 'password-correct' },
  { verdict: { kind: 'password-correct', legacyId: '1', password: 'letmein' }, action: 'UpdatePassword', reason: 'password-correct-policy-too-short' },
  { verdict: { kind: 'password-correct', legacyId: '1', password: 'password123' }, action: 'UpdatePassword', reason: 'password-correct-policy-too-few-character-classes' },
  { verdict: { kind: 'password-correct', legacyId: '1', password: 'Tr0ub4dor&3', mustChangePassword: true }, action: 'UpdatePassword', reason: 'password-correct-must-change' },
  { verdict: { kind: 'password-correct', legacyId: null, password: 'Grüße-2024!' }, action: 'UpdatePassword', reason: 'password-correct-policy-character-not-allowed' },
  { verdict: { kind: 'password-wrong', legacyId: '1' }, action: 'Retry', reason: 'password-wrong', message: en.retry.message },
  { verdict: { kind: 'account-not-found' }, action: 'Retry', reason: 'legacy-account-not-found', message: en.retry.message },
  { verdict: { kind: 'account-blocked', legacyId: '7' }, action: 'Block', reason: 'legacy-account-blocked', ...en.blocked },
  { verdict: { kind: 'legacy-unavailable', legacyId: null, cause: 'store-error' }, action: 'Block', reason: 'legacy-store-unavailable', ...en.unavailable },
  { verdict: { kind: 'legacy-unavailable', legacyId: '1', cause: 'hash-error' }, action: 'Block', reason: 'legacy-hash-unverifiable', ...en.unavailable },
  { verdict: { kind: 'legacy-unavailable', legacyId: null, cause: 'deadline' }, action: 'Block', reason: 'deadline-exceeded', ...en.unavailable },
  { verdict: { kind: 'legacy-unavailable', legacyId: null, cause: 'overloaded' }, action: 'Block', reason: 'overloaded', ...en.unavailable },
  { verdict: { kind: 'attempt-limit-reached' }, action: 'Block', reason: 'attempt-limit-reached', ...en.tooManyAttempts! },
  { verdict: { kind: 'stuffing-suspected' }, action: 'Block', reason: 'credential-stuffing-suspected', ...en.unavailable },
];

for (const row of table) {
  test(`decide: ${row.verdict.kind}${'cause' in row.verdict ? `/${row.verdict.cause}` : ''} → ${row.action} (${row.reason})`, () => {
    const decision = decide(row.verdict, en);
    assert.equal(decision.answer.action, row.action);
    assert.equal(decision.reason, row.reason);
    assert.equal(decision.answer.title, row.title);
    assert.equal(decision.answer.message, row.message);
  });
}

test('decide: an unknown account and a wrong password are answered identically', () => {
  const wrong = decide({ kind: 'password-wrong', legacyId: '1' }, en).answer;
  const unknown = decide({ kind: 'account-not-found' }, en).answer;
  assert.deepEqual(wrong, unknown);
});

test('decide: no answer ever carries the password', () => {
  const password = 'Sup3r-Secret!';
  for (const row of table) {
    const verdict = row.verdict.kind === 'password-correct' ? { ...row.verdict, password } : row.verdict;
    assert.ok(!JSON.stringify(decide(verdict, en)).includes(password));
  }
});

test('messagesFor: exact tag, then language, then English', () => {
  const catalogue = { ...DEFAULT_MESSAGES, 'fr-ca': { ...DEFAULT_MESSAGES.fr!, retry: { message: 'Mot de passe erroné.' } } };
  assert.equal(messagesFor(catalogue, 'fr-CA').retry.message, 'Mot de passe erroné.');
  assert.equal(messagesFor(catalogue, 'fr-fr').retry.message, DEFAULT_MESSAGES.fr!.retry.message);
  assert.equal(messagesFor(catalogue, 'fr_FR').retry.message, DEFAULT_MESSAGES.fr!.retry.message);
  assert.equal(messagesFor(catalogue, 'ja-jp').retry.message, en.retry.message);
  assert.equal(messagesFor(catalogue, null).retry.message, en.retry.message);
  assert.equal(messagesFor(catalogue, '').retry.message, en.retry.message);
});

test('messagesFor: a locale naming an inherited property ("constructor", "__proto__", "toString-us") falls back to English', () => {
  for (const locale of ['constructor', 'constructor-us', '__proto__', '__proto__-x', 'toString', 'hasOwnProperty-us', 'valueOf', 'isPrototypeOf-fr']) {
    const messages = messagesFor(DEFAULT_MESSAGES, locale);
    assert.equal(messages.retry.message, en.retry.message, locale);
    assert.equal(messages.blocked.title, en.blocked.title, locale);
    assert.equal(decide({ kind: 'account-blocked', legacyId: '1' }, messages).answer.message, en.blocked.message, locale);
  }
});

test('the attempt-limit texts exist in every built-in language and differ from the locked and the unavailable ones', () => {
  for (const [locale, messages] of Object.entries(DEFAULT_MESSAGES)) {
    const tooMany = messages.tooManyAttempts;
    assert.ok(tooMany && tooMany.title.length > 0 && tooMany.message.length > 0, locale);
    for (const other of [messages.blocked, messages.unavailable]) {
      assert.notEqual(tooMany.title, other.title, locale);
      assert.notEqual(tooMany.message, other.message, locale);
    }
    assert.deepEqual(decide({ kind: 'attempt-limit-reached' }, messages).answer, { action: 'Block', ...tooMany }, locale);
  }
  const titles = new Set(Object.values(DEFAULT_MESSAGES).map((messages) => messages.tooManyAttempts!.title));
  assert.equal(titles.size, Object.keys(DEFAULT_MESSAGES).length, 'each language has its own title');
});

test('messagesFor: a catalogue entry without the attempt-limit texts gets the built-in ones of its locale, then English', () => {
  const { tooManyAttempts: _dropped, ...withoutFr } = DEFAULT_MESSAGES.fr!;
  const nl = { retry: { message: 'Uw wachtwoord is onjuist.' }, blocked: { title: 'Geblokkeerd', message: 'Account vergrendeld.' }, unavailable: { title: 'Niet beschikbaar', message: 'Probeer het later.' } };
  const ownTexts = { title: 'Trop d’essais', message: 'Revenez dans un quart d’heure.' };
  const catalogue = { ...DEFAULT_MESSAGES, fr: withoutFr, nl, 'fr-ca': { ...withoutFr, tooManyAttempts: ownTexts } };
  assert.deepEqual(messagesFor(catalogue, 'fr-FR').tooManyAttempts, DEFAULT_MESSAGES.fr!.tooManyAttempts);
  assert.equal(messagesFor(catalogue, 'fr-FR').retry.message, DEFAULT_MESSAGES.fr!.retry.message);
  assert.deepEqual(messagesFor(catalogue, 'nl-BE').tooManyAttempts, en.tooManyAttempts);
  assert.equal(messagesFor(catalogue, 'nl-BE').retry.message, nl.retry.message);
  assert.deepEqual(messagesFor(catalogue, 'fr-CA').tooManyAttempts, ownTexts);
});
