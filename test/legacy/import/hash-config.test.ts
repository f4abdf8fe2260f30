import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readFirebaseHashConfig } from '../../../src/legacy/import/firebase-hash-config.js';
import { importLegacyExport, LegacyImportError, LegacyImportErrorCode, type LegacyImportOptions } from '../../../src/legacy/import/index.js';
import { fixture, temporaryDirectory } from './support.js';

// The sample project of github.com/firebase/scrypt README.md.
const SIGNER_KEY = 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==';
const SAMPLE = { signerKey: SIGNER_KEY, saltSeparator: 'Bw==', rounds: 8, memCost: 14 };

let dir: Awaited<ReturnType<typeof temporaryDirectory>>;
before(async () => {
  dir = await temporaryDirectory('hash-config');
});
after(() => dir?.remove());

async function configFile(text: string): Promise<string> {
  const path = join(dir.path, `config-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(path, text);
  return path;
}

async function refused(promise: Promise<unknown>, code: string): Promise<string> {
  const error = await promise.then(
    () => assert.fail('expected a refusal'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof LegacyImportError, String(error));
  assert.equal(error.code, code, error.publicMessage);
  assert.ok(!error.publicMessage.includes(SIGNER_KEY) && !error.message.includes(SIGNER_KEY), 'never the signer key');
  return error.publicMessage;
}

describe('Firebase --hash-config', () => {
  test("the console's block, pasted as is, and JSON with its keys give the firebase-scrypt parameters", async () => {
    assert.deepEqual(await readFirebaseHashConfig(fixture('firebase-hash-config.txt')), { scheme: 'firebase-scrypt', params: SAMPLE });
    assert.deepEqual(await readFirebaseHashConfig(fixture('firebase-hash-config.json')), { scheme: 'firebase-scrypt', params: SAMPLE });
  });

  test('the block without its hash_config { } frame, with CRLF, quotes and no trailing commas', async () => {
    const path = await configFile(`algorithm: SCRYPT\r\nbase64_signer_key: "${SIGNER_KEY}"\r\nbase64_salt_separator: Bw==\r\nrounds: 8\r\nmem_cost: 14\r\n`);
    assert.deepEqual((await readFirebaseHashConfig(path)).params, SAMPLE);
  });

  const block = (fields: Record<string, string>) =>
    `hash_config {\n${Object.entries({ algorithm: 'SCRYPT', base64_signer_key: SIGNER_KEY, base64_salt_separator: 'Bw==', rounds: '8', mem_cost: '14', ...fields })
      .filter(([, value]) => value !== '')
      .map(([key, value]) => `  ${key}: ${value},`)
      .join('\n')}\n}\n`;
  const cases: Array<[string, string, RegExp]> = [
    ['the console\'s placeholder instead of the key', block({ base64_signer_key: '<...sensitive...>' }), /base64_signer_key is missing or not base64/],
    ['no signer key', block({ base64_signer_key: '' }), /base64_signer_key is missing or not base64/],
    ['a salt separator that is not base64', block({ base64_salt_separator: 'B*w' }), /base64_salt_separator is not base64/],
    ['another algorithm', block({ algorithm: 'HMAC_SHA256' }), /an algorithm other than SCRYPT; firebase auth:export writes only the hashes of the project's own scrypt/],
    ['rounds 0', block({ rounds: '0' }), /rounds must be a whole number from 1 to 32/],
    ['a memory cost above the ceiling (2^21)', block({ mem_cost: '21' }), /mem_cost must be a whole number from 1 to 20/],
    ['a line that is not name: value', `${block({})}\nthis is not it\n`, /line \d+ is not "name: value"/],
    ['JSON that is not an object', '["SCRYPT"]', /is not a JSON object/],
    ['a 100 KB file', `hash_config {\n${'x'.repeat(100 * 1024)}\n}`, /is larger than 64 KiB/],
  ];
  for (const [what, text, message] of cases) {
    test(`${what}: LEGACY_IMPORT_HASH_CONFIG_INVALID naming the key, never its value`, async () => {
      assert.match(await refused(readFirebaseHashConfig(await configFile(text)), LegacyImportErrorCode.HASH_CONFIG_INVALID), message);
    });
  }

  test('a missing file', async () => {
    assert.match(await refused(readFirebaseHashConfig(join(dir.path, 'nothing.txt')), LegacyImportErrorCode.HASH_CONFIG_INVALID), /nothing\.txt: no such file/);
  });
});

describe('which formats take which options', () => {
  const out = () => `sqlite://${join(dir.path, 'legacy.db')}`;
  const options = (extra: Partial<LegacyImportOptions>): LegacyImportOptions => ({ format: 'auth0', from: fixture('auth0-users.ndjson'), out: out(), ...extra });

  test('firebase without --hash-config says where to find it', async () => {
    const message = await refused(importLegacyExport(options({ format: 'firebase', from: fixture('firebase-users.json') })), LegacyImportErrorCode.HASH_CONFIG_INVALID);
    assert.match(message, /--hash-config is required with --format firebase: .*Password hash parameters/);
  });

  test('--hash-config with auth0 or keycloak, --field with anything but csv: LEGACY_IMPORT_OPTIONS_INVALID', async () => {
    await refused(importLegacyExport(options({ hashConfig: fixture('firebase-hash-config.txt') })), LegacyImportErrorCode.OPTIONS_INVALID);
    await refused(importLegacyExport(options({ format: 'keycloak', from: fixture('keycloak-realm.json'), hashConfig: fixture('firebase-hash-config.txt') })), LegacyImportErrorCode.OPTIONS_INVALID);
    await refused(importLegacyExport(options({ fields: { email: 'mail' } })), LegacyImportErrorCode.OPTIONS_INVALID);
    await refused(importLegacyExport(options({ format: 'firebase', from: fixture('firebase-users.json'), hashConfig: fixture('firebase-hash-config.txt'), fields: { email: 'mail' } })), LegacyImportErrorCode.OPTIONS_INVALID);
  });

  test('csv: an unknown --field column, a mapped column the header lacks, no id or password column', async () => {
    const csv = fixture('generic-users.csv');
    assert.match(await refused(importLegacyExport(options({ format: 'csv', from: csv, fields: { nickname: 'x' } })), LegacyImportErrorCode.OPTIONS_INVALID), /nickname is not a column of legacy_users/);
    assert.match(await refused(importLegacyExport(options({ format: 'csv', from: csv, fields: { id: 'user_id', password_hash: 'password' } })), LegacyImportErrorCode.SOURCE_MALFORMED), /line 1: the header has no column "password" \(from --field password_hash=…\)/);
    assert.match(await refused(importLegacyExport(options({ format: 'csv', from: csv, fields: { password_hash: 'pwd', email: 'mail' } })), LegacyImportErrorCode.SOURCE_MALFORMED), /the header has no id column; map one with --field id=<column>/);
  });

  test('csv --hash-config: JSON {"scheme", "params"} with a scheme the verifier knows', async () => {
    const csv = fixture('generic-users.csv');
    const fields = { id: 'user_id', email: 'mail', password_hash: 'pwd' };
    const refusedConfig = async (text: string) => refused(importLegacyExport(options({ format: 'csv', from: csv, fields, hashConfig: await configFile(text) })), LegacyImportErrorCode.HASH_CONFIG_INVALID);
    assert.match(await refusedConfig('{"scheme": "rot13"}'), /"scheme" is not one of the hash schemes/);
    assert.match(await refusedConfig('{"scheme": "pbkdf2", "salt": "x"}'), /has keys other than scheme and params/);
    assert.match(await refusedConfig('{"params": []}'), /"params" is not a JSON object/);
    assert.match(await refusedConfig('scheme=pbkdf2'), /is not JSON/);
    assert.deepEqual(JSON.parse(readFileSync(fixture('generic-hash-config.json'), 'utf8')), { scheme: 'pbkdf2', params: { digest: 'sha256', iterations: 10_000 } });
  });
});
