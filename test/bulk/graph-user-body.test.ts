import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_FIELD_MAP, graphUserBody, recordOf, type LegacyRecord } from '../../src/bulk/index.js';
import { policyViolationOf } from '../../src/jit/index.js';

const FLAG = 'extension_3c5e2a1b8f4d4b6a9e7c1d2f3a4b5c6d_toBeMigrated';
const options = {
  tenantDomain: 'contoso.onmicrosoft.com',
  flagAttribute: FLAG,
  legacyIdAttribute: 'extension_3c5e2a1b8f4d4b6a9e7c1d2f3a4b5c6d_legacyId',
  attributeMap: { tier: 'extension_3c5e2a1b8f4d4b6a9e7c1d2f3a4b5c6d_tier' },
};

test('a legacy row maps to the documented Graph user: identity, random compliant password, flag, legacy id, extras', () => {
  const record = recordOf({ id: 42, email: ' Ada@Example.COM ', given_name: 'Ada', surname: 'Lovelace', tier: 'gold', ignored: '' }, DEFAULT_FIELD_MAP) as LegacyRecord;
  const body = graphUserBody(record, options) as Record<string, any>;
  assert.deepEqual(body.identities, [{ signInType: 'emailAddress', issuer: 'contoso.onmicrosoft.com', issuerAssignedId: 'ada@example.com' }]);
  assert.equal(body.displayName, 'Ada Lovelace');
  assert.equal(body.passwordProfile.forceChangePasswordNextSignIn, false);
  assert.equal(policyViolationOf(body.passwordProfile.password), null);
  assert.equal(body.passwordPolicies, 'DisablePasswordExpiration');
  assert.equal(body[FLAG], true);
  assert.equal(body[options.legacyIdAttribute], '42');
  assert.equal(body[options.attributeMap.tier], 'gold');
  assert.notEqual(graphUserBody(record, options).passwordProfile, body.passwordProfile, 'a new password per user');
});

test('a known password is used as it is and the user is not flagged', () => {
  const record = recordOf({ id: 'k', email: 'k@example.com', password: 'Known-Pass-1!' }, DEFAULT_FIELD_MAP) as LegacyRecord;
  const body = graphUserBody(record, options) as Record<string, any>;
  assert.equal(body.passwordProfile.password, 'Known-Pass-1!');
  assert.equal(body[FLAG], false);
});

test('rows without an id, without a valid e-mail, or with an over-long id are refused with a reason', () => {
  for (const [row, reason] of [
    [{ email: 'a@example.com' }, /no id/],
    [{ id: 'x', email: 'not-an-address' }, /not a valid e-mail/],
    [{ id: 'x', email: 'a@b' }, /not a valid e-mail/],
    [{ id: 'x'.repeat(201), email: 'a@example.com' }, /longer than 200/],
    [{ id: 'x', email: `${'a'.repeat(250)}@example.com` }, /not a valid e-mail/],
  ] as const) {
    const result = recordOf(row, DEFAULT_FIELD_MAP);
    assert.ok('reason' in result && reason.test(result.reason), JSON.stringify(result));
  }
});
