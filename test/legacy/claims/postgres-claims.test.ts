import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqlClaimsSource, TokenClaimsErrorCode } from '../../../src/legacy/claims/index.js';
import { SERVICES, skipUnlessService } from '../../support/services.js';
import { postgresClaimsDatabase } from './sql-fixtures.js';
import { sqlClaimsContract } from './sql-claims-contract.js';

sqlClaimsContract('PostgreSQL', postgresClaimsDatabase, await skipUnlessService('postgres'));

test('PostgreSQL types: text[] and a jsonb array are string arrays, a jsonb object is TOKEN_CLAIM_VALUE_INVALID', { skip: await skipUnlessService('postgres') }, async () => {
  const call = { abortSignal: new AbortController().signal, deadlineAt: Date.now() + 2000 };
  const subject = { objectId: 'o', email: null, legacyId: '42' };
  const arrays = await openSqlClaimsSource({ url: SERVICES.postgres.url, query: `SELECT ARRAY['a', 'b']::text[] AS roles, '["x"]'::jsonb AS groups, 12.50::numeric AS score, :legacyId::bigint AS "legacyNumber"` });
  const objects = await openSqlClaimsSource({ url: SERVICES.postgres.url, query: `SELECT '{"admin": true}'::jsonb AS roles WHERE :legacyId::text IS NOT NULL` });
  try {
    assert.deepEqual(await arrays.claimsFor(subject, call), { roles: ['a', 'b'], groups: ['x'], score: '12.50', legacyNumber: '42' });
    await assert.rejects(objects.claimsFor(subject, call), { code: TokenClaimsErrorCode.VALUE_INVALID });
  } finally {
    await arrays.close();
    await objects.close();
  }
});
