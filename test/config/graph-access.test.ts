import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadGraphAccessConfig } from '../../src/config/index.js';

const TENANT = '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21';
const OTHER_TENANT = '11112222-3333-4444-5555-666677778888';
const APP = { AZURE_CLIENT_ID: '0f5a8e2c-4b7d-4e61-9c3a-7d2b1e8f6a90', AZURE_CLIENT_SECRET: 'not-a-real-secret' };

function problemsOf(raw: Record<string, string>): string[] {
  try {
    loadGraphAccessConfig(raw);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map(({ setting, problem }) => `${setting} ${problem}`);
  }
  return [];
}

describe('Graph access: the tenant from ENTRA_TENANT_ID or AZURE_TENANT_ID', () => {
  test('AZURE_TENANT_ID alone is enough (the @azure/identity environment)', () => {
    const access = loadGraphAccessConfig({ AZURE_TENANT_ID: TENANT.toUpperCase(), ...APP });
    assert.equal(access.tenantId, TENANT);
    assert.equal(access.tokenTenantId, TENANT);
  });

  test('ENTRA_TENANT_ID alone is enough, as before', () => {
    assert.equal(loadGraphAccessConfig({ ENTRA_TENANT_ID: TENANT, ...APP }).tenantId, TENANT);
  });

  test('both set to the same tenant (in any case) is fine', () => {
    assert.equal(loadGraphAccessConfig({ ENTRA_TENANT_ID: TENANT, AZURE_TENANT_ID: TENANT.toUpperCase(), ...APP }).tenantId, TENANT);
  });

  test('both set to different tenants stops with one line naming both', () => {
    assert.deepEqual(problemsOf({ ENTRA_TENANT_ID: TENANT, AZURE_TENANT_ID: OTHER_TENANT, ...APP }), [
      `ENTRA_TENANT_ID (${TENANT}) and AZURE_TENANT_ID (${OTHER_TENANT}) name different tenants; set one of them, or both to the same tenant id`,
    ]);
  });

  test('neither set names both settings', () => {
    assert.deepEqual(problemsOf({ ...APP }), ['ENTRA_TENANT_ID is required: the directory (tenant) id of your External ID tenant (AZURE_TENANT_ID is accepted too)']);
  });

  test('a value that is not a GUID is named by the setting it came from', () => {
    assert.deepEqual(problemsOf({ AZURE_TENANT_ID: 'contoso.onmicrosoft.com', ...APP }), ['AZURE_TENANT_ID must be a GUID such as 00001111-aaaa-2222-bbbb-3333cccc4444']);
    assert.deepEqual(problemsOf({ ENTRA_TENANT_ID: 'contoso', ...APP }), ['ENTRA_TENANT_ID must be a GUID such as 00001111-aaaa-2222-bbbb-3333cccc4444']);
  });
});
