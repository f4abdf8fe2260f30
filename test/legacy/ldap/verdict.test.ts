import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PasswordPolicyResponse } from '../../../src/legacy/stores/ldap/password-policy.js';
import type { UserEntry } from '../../../src/legacy/stores/ldap/user-entry.js';
import { verdictOf } from '../../../src/legacy/stores/ldap/verdict.js';

const entry: UserEntry = { dn: 'uid=ada,ou=people,dc=example,dc=org', legacyId: 'id-1', locked: false, disabled: false };
const policy = (error: PasswordPolicyResponse['error']): PasswordPolicyResponse => ({ error, timeBeforeExpiration: null, graceAuthNsRemaining: null });
const bound = (p: PasswordPolicyResponse | null = null) => ({ kind: 'bound' as const, policy: p });
const refused = (p: PasswordPolicyResponse | null = null, diagnosticMessage = '') => ({ kind: 'invalid-credentials' as const, diagnosticMessage, policy: p });

test('bound: correct; must change after an administrator\'s reset or on a grace bind; blocked when AD says disabled', () => {
  assert.deepEqual(verdictOf(bound(), entry), { outcome: 'correct', legacyId: 'id-1', mustChangePassword: false });
  assert.deepEqual(verdictOf(bound(policy('changeAfterReset')), entry), { outcome: 'correct', legacyId: 'id-1', mustChangePassword: true });
  assert.deepEqual(verdictOf(bound(), { ...entry, disabled: true }), { outcome: 'blocked', legacyId: 'id-1', status: 'disabled' });
  assert.deepEqual(verdictOf(bound(), null), { outcome: 'correct', legacyId: null, mustChangePassword: false });
  const grace = { error: null, timeBeforeExpiration: null, graceAuthNsRemaining: 2 };
  assert.deepEqual(verdictOf(bound(grace), entry), { outcome: 'correct', legacyId: 'id-1', mustChangePassword: true });
  const warning = { error: null, timeBeforeExpiration: 3600, graceAuthNsRemaining: null };
  assert.deepEqual(verdictOf(bound(warning), entry), { outcome: 'correct', legacyId: 'id-1', mustChangePassword: false });
});

test('bound wins over a stale pwdAccountLockedTime: slapd let the password through, so the lock is over', () => {
  assert.deepEqual(verdictOf(bound(), { ...entry, locked: true }), { outcome: 'correct', legacyId: 'id-1', mustChangePassword: false });
});

test('result 49: wrong, unless the account is locked (control or pwdAccountLockedTime) or the password expired', () => {
  assert.deepEqual(verdictOf(refused(), entry), { outcome: 'wrong', legacyId: 'id-1' });
  assert.deepEqual(verdictOf(refused(policy(null)), entry), { outcome: 'wrong', legacyId: 'id-1' });
  assert.deepEqual(verdictOf(refused(), { ...entry, locked: true }), { outcome: 'blocked', legacyId: 'id-1', status: 'locked' });
  assert.deepEqual(verdictOf(refused(policy('accountLocked')), null), { outcome: 'blocked', legacyId: null, status: 'locked' });
  assert.deepEqual(verdictOf(refused(policy('passwordExpired')), entry), { outcome: 'correct', legacyId: 'id-1', mustChangePassword: true });
  assert.deepEqual(verdictOf(refused(), null), { outcome: 'wrong', legacyId: null });
});

test('an AD data code in the 49 takes precedence over everything else', () => {
  const locked = '80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 775, v3839';
  assert.deepEqual(verdictOf(refused(policy('passwordExpired'), locked), entry), { outcome: 'blocked', legacyId: 'id-1', status: 'locked' });
});
