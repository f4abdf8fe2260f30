import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DEFAULT_FORMATS } from '../src/legacy/hashes/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('the README lists every hash scheme the code knows', () => {
  for (const format of DEFAULT_FORMATS) assert.ok(readme.includes(`\`${format.id}\``), `README does not mention \`${format.id}\``);
});

test('the README documents every serve setting', () => {
  for (const setting of ['PORT', 'ENTRA_TENANT_ID', 'ENTRA_EXTENSION_APP_ID', 'ENTRA_OPENID_CONFIGURATION_URL', 'JIT_DECRYPTION_KEY_FILE', 'JIT_DECRYPTION_KEY', 'LEGACY_DATABASE_URL', 'LEGACY_USER_QUERY', 'LEDGER_DATABASE_URL', 'RESPONSE_DEADLINE_MS', 'LOG_LEVEL', 'JIT_MESSAGES_FILE', 'LEGACY_HASH_SCHEME', 'LEGACY_HASH_PARAMS', 'LEGACY_HASH_LIMITS']) {
    assert.ok(readme.includes(`\`${setting}\``), setting);
  }
});
