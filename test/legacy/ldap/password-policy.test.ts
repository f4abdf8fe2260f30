import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BerReader } from 'ldapts';
import { parsePasswordPolicyResponse, PasswordPolicyControl, PASSWORD_POLICY_OID } from '../../../src/legacy/stores/ldap/password-policy.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const none = { error: null, timeBeforeExpiration: null, graceAuthNsRemaining: null };

test('PasswordPolicyResponseValue as draft-behera-ldap-password-policy-10 §6.2 encodes it', () => {
  assert.deepEqual(parsePasswordPolicyResponse(hex('30 00')), none);
  assert.deepEqual(parsePasswordPolicyResponse(hex('30 03 81 01 00')), { ...none, error: 'passwordExpired' });
  assert.deepEqual(parsePasswordPolicyResponse(hex('30 03 81 01 01')), { ...none, error: 'accountLocked' });
  assert.deepEqual(parsePasswordPolicyResponse(hex('30 03 81 01 02')), { ...none, error: 'changeAfterReset' });
  assert.deepEqual(parsePasswordPolicyResponse(hex('30 03 81 01 09')), { ...none, error: 'passwordTooLong' });
  assert.deepEqual(parsePasswordPolicyResponse(hex('30 06 a0 04 80 02 01 2c')), { ...none, timeBeforeExpiration: 300 });
  assert.deepEqual(parsePasswordPolicyResponse(hex('30 05 a0 03 81 01 02')), { ...none, graceAuthNsRemaining: 2 });
  assert.deepEqual(parsePasswordPolicyResponse(hex('30 08 a0 03 81 01 02 81 01 00')), { ...none, graceAuthNsRemaining: 2, error: 'passwordExpired' });
  assert.deepEqual(parsePasswordPolicyResponse(hex('30 81 03 81 01 01')), { ...none, error: 'accountLocked' }); // long-form length
});

test('an error value the draft does not define is no error', () => {
  assert.deepEqual(parsePasswordPolicyResponse(hex('30 03 81 01 0a')), none);
  assert.deepEqual(parsePasswordPolicyResponse(hex('30 04 81 02 01 00')), none);
});

test('malformed or hostile values are unreadable (null), never a thrown error or a guess', () => {
  const cases = [
    '', '30', '31 00', '30 05 81 01 01', '30 03 82 01 01', '30 03 81 00', '30 03 81 01 ff', '30 07 81 05 01 02 03 04 05',
    '30 00 00', '30 80 81 01 01 00 00', '30 85 00 00 00 00 03 81 01 01', '30 84 ff ff ff ff 81 01 01',
    '30 08 81 01 00 a0 03 81 01 02', '30 06 81 01 00 81 01 01', '30 04 a0 02 82 00', '30 05 a0 03 80 01 01 00',
    '30 0a a0 03 81 01 02 a0 03 80 01 01',
  ];
  for (const bytes of cases) assert.equal(parsePasswordPolicyResponse(hex(bytes)), null, bytes);
  assert.equal(parsePasswordPolicyResponse(Buffer.alloc(100_000, 0x30)), null);
});

test('the request control is the password policy OID, not critical, with no value', () => {
  const control = new PasswordPolicyControl();
  assert.equal(control.type, PASSWORD_POLICY_OID);
  assert.equal(control.critical, false);
  control.parse(new BerReader(hex('30 03 81 01 01')));
  assert.equal(control.response?.error, 'accountLocked');
});
