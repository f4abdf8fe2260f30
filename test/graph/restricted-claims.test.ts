import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRestrictedJwtClaim, tokenClaimTypeFor } from '../../src/graph/index.js';
import { mappedProviderClaims } from '../../src/setup/claims-mapping-step.js';

test('restricted claims: the documented set, the prefixes, any case; other names pass', () => {
  for (const name of ['roles', 'ROLES', 'email', 'groups', 'upn', 'oid', 'ageGroup', 'agegroup', 'xms_cc', 'extn.department', '.']) assert.ok(isRestrictedJwtClaim(name), name);
  for (const name of ['legacyId', 'legacy_roles', 'department', 'employeeNumber', 'rolesx', 'xmsx']) assert.equal(isRestrictedJwtClaim(name), false, name);
});

test('restricted claims: a provider claim keeps its name unless restricted, then it is legacy_<name>', () => {
  assert.equal(tokenClaimTypeFor('legacyId'), 'legacyId');
  assert.equal(tokenClaimTypeFor('roles'), 'legacy_roles');
  assert.equal(tokenClaimTypeFor('email'), 'legacy_email');
});

test('restricted claims: a policy entry that maps onto one does not count as mapped (doctor then warns)', () => {
  const policy = (entries: unknown[]) => [JSON.stringify({ ClaimsMappingPolicy: { Version: 1, ClaimsSchema: entries } })];
  assert.deepEqual(mappedProviderClaims(policy([{ Source: 'CustomClaimsProvider', ID: 'roles', JwtClaimType: 'roles' }])), []);
  assert.deepEqual(mappedProviderClaims(policy([{ Source: 'customclaimsprovider', ID: 'roles', JwtClaimType: 'legacy_roles' }, { Source: 'user', ID: 'mail', JwtClaimType: 'x' }])), ['roles']);
  assert.deepEqual(mappedProviderClaims(policy([{ Source: 'CustomClaimsProvider', ID: 'legacyId' }])), [], 'no JwtClaimType: nothing is emitted');
  assert.deepEqual(mappedProviderClaims(['not json']), []);
});
