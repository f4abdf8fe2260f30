import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { compileNamedQuery } from '../../../src/legacy/index.js';
import { importLegacyExport, LEGACY_EXPORT_QUERY, LEGACY_USER_QUERY, legacyEnvLines } from '../../../src/legacy/import/index.js';
import { fixture, temporaryDirectory } from './support.js';

test('the settings: the URL as given, the two queries, and the store-wide hash parameters only when there are some', () => {
  assert.deepEqual(legacyEnvLines('sqlite://./legacy.db').map(([key]) => key), ['LEGACY_DATABASE_URL', 'LEGACY_USER_QUERY', 'LEGACY_EXPORT_QUERY']);
  assert.deepEqual(legacyEnvLines('sqlite://./legacy.db', { scheme: 'firebase-scrypt', params: { rounds: 8 } }).slice(3), [
    ['LEGACY_HASH_SCHEME', 'firebase-scrypt'],
    ['LEGACY_HASH_PARAMS', '{"rounds":8}'],
  ]);
  assert.equal(legacyEnvLines('sqlite:///srv/legacy.db')[0]![1], 'sqlite:///srv/legacy.db');
});

test('the lookup searches the two indexes (never a scan), and the export pages on the primary key as premigrate reads it', async () => {
  const dir = await temporaryDirectory('plans');
  try {
    const path = join(dir.path, 'legacy.db');
    await importLegacyExport({ format: 'keycloak', from: fixture('keycloak-split'), out: `sqlite://${path}` });
    const db = new Database(path, { readonly: true });
    try {
      const lookup = compileNamedQuery(LEGACY_USER_QUERY, 'sqlite');
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${lookup.text}`).all(...lookup.order.map(() => 'ada@keycloak.example')) as Array<{ detail: string }>;
      const details = plan.map((row) => row.detail).join('\n');
      assert.match(details, /USING INDEX legacy_users_lower_email/);
      assert.match(details, /USING INDEX legacy_users_lower_username/);
      assert.doesNotMatch(details, /SCAN legacy_users/);
      // premigrate's keyset page over the export (src/legacy/stores/sql/export-rows.ts).
      const page = db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM (${LEGACY_EXPORT_QUERY}) WHERE id > ? ORDER BY id LIMIT 1000`).all('') as Array<{ detail: string }>;
      assert.match(page.map((row) => row.detail).join('\n'), /USING INDEX sqlite_autoindex_legacy_users_1 \(id>\?\)/);
      const exported = db.prepare(LEGACY_EXPORT_QUERY).all() as Array<Record<string, unknown>>;
      assert.deepEqual(exported.find((row) => row.email === 'ada@keycloak.example'), { id: '7b1a3f9e-0000-4000-8000-000000000004', email: 'ada@keycloak.example', display_name: null, given_name: 'Ada', surname: 'Lovelace' });
      assert.equal(exported.length, 7, 'the account without an e-mail is left out');
    } finally {
      db.close();
    }
  } finally {
    await dir.remove();
  }
});
