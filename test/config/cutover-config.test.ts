import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/config/index.js';
import { loadCutoverConfig } from '../../src/config/cutover-config.js';

const TENANT = '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21';
const FLAG = 'extension_0123456789abcdef0123456789abcdef_toBeMigrated';
const BASE = { ENTRA_TENANT_ID: TENANT, MIGRATION_FLAG_ATTRIBUTE: FLAG, AZURE_CLIENT_ID: '11111111-2222-4333-8444-555555555555', AZURE_CLIENT_SECRET: 'not-a-real-secret' };

test('reconcile\'s settings without the mark: the flag, the ledger (SQLite by default), Graph access; frozen', () => {
  const config = loadCutoverConfig({ ...BASE, LEGACY_MARK_MIGRATED_QUERY: 'ignored: cut-over tells the legacy side nothing' });
  assert.equal(config.flagAttribute, FLAG);
  assert.equal(config.ledgerDatabaseUrl, 'sqlite://./data/ledger.db');
  assert.equal(config.tenantId, TENANT);
  assert.equal(config.graphBaseUrl, 'https://graph.microsoft.com');
  assert.equal(config.app.clientId, BASE.AZURE_CLIENT_ID);
  assert.ok(Object.isFrozen(config));
  assert.equal(loadCutoverConfig({ ...BASE, LEDGER_DATABASE_URL: 'postgres://ledger.internal/migration' }).ledgerDatabaseUrl, 'postgres://ledger.internal/migration');
  assert.ok(!('markMigrated' in config));
});

test('every problem at once, each naming its setting; with --credentials the app settings are not required', () => {
  assert.throws(
    () => loadCutoverConfig({ MIGRATION_FLAG_ATTRIBUTE: 'toBeMigrated', AZURE_CLIENT_SECRET: 'x' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const settings = error.problems.map((problem) => problem.setting);
      assert.deepEqual(settings.sort(), ['AZURE_CLIENT_ID', 'ENTRA_TENANT_ID', 'MIGRATION_FLAG_ATTRIBUTE']);
      assert.ok(!JSON.stringify(error.problems).includes('"x"'), 'never a secret');
      return true;
    },
  );
  assert.throws(() => loadCutoverConfig({ ENTRA_TENANT_ID: TENANT }), (error: unknown) => error instanceof ConfigError && error.problems.some((problem) => problem.setting === 'MIGRATION_FLAG_ATTRIBUTE' && /is required/.test(problem.problem)));
  assert.deepEqual(loadCutoverConfig({ ENTRA_TENANT_ID: TENANT, MIGRATION_FLAG_ATTRIBUTE: FLAG }, { appFromEnvironment: false }).app, {});
});
