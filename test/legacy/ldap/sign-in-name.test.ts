import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSendablePassword, isSendableSignInName, MAX_SIGN_IN_NAME_LENGTH } from '../../../src/legacy/stores/ldap/sign-in-name.js';

test('ordinary names, non-ASCII included, are sent', () => {
  for (const name of ['ada@example.org', 'zoë', '日本語', 'o,brien+"x"\\<y>;=z', '*', 'a b']) assert.equal(isSendableSignInName(name), true, name);
});

test('control characters (NUL, C0, DEL, C1) and lone surrogates are never sent', () => {
  for (const name of ['ada\u0000', '\u0000', 'a\tb', 'a\nb', 'a\rb', 'a\u001fb', 'a\u007fb', 'a\u0085b', 'a\u009fb', 'a\ud800', '\udc00a']) {
    assert.equal(isSendableSignInName(name), false, JSON.stringify(name));
  }
});

test('256 characters (code points, not UTF-16 units) is the limit; empty is not a name', () => {
  assert.equal(isSendableSignInName('a'.repeat(MAX_SIGN_IN_NAME_LENGTH)), true);
  assert.equal(isSendableSignInName('😀'.repeat(MAX_SIGN_IN_NAME_LENGTH)), true);
  assert.equal(isSendableSignInName('a'.repeat(MAX_SIGN_IN_NAME_LENGTH + 1)), false);
  assert.equal(isSendableSignInName('😀'.repeat(MAX_SIGN_IN_NAME_LENGTH + 1)), false);
  assert.equal(isSendableSignInName('a'.repeat(10 * 1024 * 1024)), false);
  assert.equal(isSendableSignInName(''), false);
});

test('an empty password, or one with a lone surrogate, is never sent', () => {
  assert.equal(isSendablePassword(''), false);
  assert.equal(isSendablePassword('abc\ud800'), false);
  assert.equal(isSendablePassword(' '), true);
  assert.equal(isSendablePassword('Grüße-😀'), true);
});
