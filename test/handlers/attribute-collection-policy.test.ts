import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { beforeDeadline } from '../../src/handlers/before-deadline.js';
import { profileAttributes } from '../../src/handlers/attribute-collection-policy.js';
import { DEFAULT_MESSAGES, type JitMessageCatalogue } from '../../src/jit/index.js';
import { signUpMessagesFor } from '../../src/jit/messages.js';

describe('sign-up block-page texts', () => {
  test('every built-in locale has both texts, and "exists" is the issue\'s sentence in English', () => {
    for (const [locale, messages] of Object.entries(DEFAULT_MESSAGES)) {
      assert.ok(messages.signUpCollision?.exists.message && messages.signUpCollision.tryLater.message, locale);
    }
    assert.equal(signUpMessagesFor(DEFAULT_MESSAGES, 'en-GB').exists.message, 'There is already an account with this e-mail address. Sign in with your existing password.');
    assert.match(signUpMessagesFor(DEFAULT_MESSAGES, 'en').tryLater.message, /try again in a few minutes/);
  });

  test('a JIT_MESSAGES_FILE locale without them falls back to the built-in texts of that language, then English', () => {
    const { signUpCollision: _ignored, ...frenchSignIn } = DEFAULT_MESSAGES.fr!;
    const custom: JitMessageCatalogue = { ...DEFAULT_MESSAGES, fr: frenchSignIn, nl: { ...frenchSignIn } };
    assert.equal(signUpMessagesFor(custom, 'fr-CA').exists.title, 'Compte existant');
    assert.equal(signUpMessagesFor(custom, 'nl').exists.title, 'Account already exists');
    assert.equal(signUpMessagesFor(custom, '__proto__').exists.title, 'Account already exists');
  });
});

describe('profileAttributes', () => {
  test('the profile by Entra name, and the legacy id as a string under LEGACY_ID_ATTRIBUTE', () => {
    assert.deepEqual(profileAttributes({ legacyId: '7', status: 'active', profile: { givenName: 'Ada' } }, 'extension_x_legacyId'), { givenName: 'Ada', extension_x_legacyId: '7' });
    assert.deepEqual(profileAttributes({ legacyId: null, status: 'active', profile: {} }, 'extension_x_legacyId'), {});
    assert.deepEqual(profileAttributes({ legacyId: '7', status: 'active', profile: { surname: 'L' } }, undefined), { surname: 'L' });
  });
});

describe('beforeDeadline', () => {
  test('work that finishes in time wins; work still running at the deadline is aborted and the late value returned', async () => {
    assert.equal(await beforeDeadline(async () => 'done', () => 'late', Date.now() + 1000, Date.now), 'done');
    let aborted = false;
    const started = Date.now();
    const result = await beforeDeadline(
      (signal) => new Promise<string>((resolve) => signal.addEventListener('abort', () => ((aborted = true), resolve('aborted')))),
      () => 'late',
      Date.now() + 50,
      Date.now,
    );
    assert.equal(result, 'late');
    assert.ok(aborted);
    assert.ok(Date.now() - started < 500);
  });

  test('a deadline already past answers at once', async () => {
    assert.equal(await beforeDeadline(() => new Promise<string>(() => undefined), () => 'late', Date.now() - 10, Date.now), 'late');
  });
});
