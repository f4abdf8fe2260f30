import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqlClaimsSource } from '../../../src/legacy/claims/index.js';
import { SERVICES, skipUnlessService } from '../../support/services.js';
import { mysqlClaimsDatabase } from './sql-fixtures.js';
import { sqlClaimsContract } from './sql-claims-contract.js';

sqlClaimsContract('MariaDB', mysqlClaimsDatabase, await skipUnlessService('mariadb'));

test('MariaDB/MySQL: JSON_ARRAY is a string array (a string on MariaDB, parsed on MySQL), a BIGINT its exact text', { skip: await skipUnlessService('mariadb') }, async () => {
  const source = await openSqlClaimsSource({ url: SERVICES.mariadb.url, query: `SELECT JSON_ARRAY('a', 'b') AS roles, CAST(:legacyId AS UNSIGNED) * 1000000000000 AS big` });
  try {
    assert.deepEqual(await source.claimsFor({ objectId: 'o', email: null, legacyId: '9007199' }, { abortSignal: new AbortController().signal, deadlineAt: Date.now() + 2000 }), { roles: ['a', 'b'], big: '9007199000000000000' });
  } finally {
    await source.close();
  }
});
