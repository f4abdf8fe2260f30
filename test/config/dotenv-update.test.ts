import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDotenv, updateDotenv } from '../../src/config/index.js';

const TENANT = '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21';
const APP = '0f5a8e2c-4b7d-4e61-9c3a-7d2b1e8f6a90';
const SETUP_KEYS: Array<readonly [string, string]> = [
  ['ENTRA_TENANT_ID', TENANT],
  ['ENTRA_EXTENSION_APP_ID', APP],
  ['ENTRA_EXTENSION_RESOURCE_ID', `api://auth.contoso.com/${APP}`],
  ['JIT_DECRYPTION_KEY_FILE', './keys/old.key.pem,./keys/new key.key.pem'],
];

describe('updateDotenv: setup updates its own keys and keeps every other line', () => {
  test("a user's file: comments, blank lines, quotes, export, LEGACY_DATABASE_URL — only setup's keys change", () => {
    const before = [
      '# Production settings — ask Ana before changing',
      '',
      'export ENTRA_TENANT_ID=11112222-3333-4444-5555-666677778888   # the old tenant',
      "LEGACY_DATABASE_URL='postgres://jit@db.internal/legacy?sslmode=require'",
      'LEGACY_USER_QUERY="SELECT id, pwd AS password_hash FROM users WHERE email = :username"',
      '',
      `ENTRA_EXTENSION_APP_ID="${APP}"`,
      'JIT_DECRYPTION_KEY_FILE=./keys/old.key.pem',
      '# end',
      '',
    ].join('\n');
    const { text, problems } = updateDotenv(before, SETUP_KEYS);
    assert.deepEqual(problems, []);
    assert.equal(
      text,
      [
        '# Production settings — ask Ana before changing',
        '',
        `export ENTRA_TENANT_ID=${TENANT}   # the old tenant`,
        "LEGACY_DATABASE_URL='postgres://jit@db.internal/legacy?sslmode=require'",
        'LEGACY_USER_QUERY="SELECT id, pwd AS password_hash FROM users WHERE email = :username"',
        '',
        `ENTRA_EXTENSION_APP_ID="${APP}"`, // already right: left byte for byte, quotes included
        'JIT_DECRYPTION_KEY_FILE="./keys/old.key.pem,./keys/new key.key.pem"',
        '# end',
        `ENTRA_EXTENSION_RESOURCE_ID=api://auth.contoso.com/${APP}`,
        '',
      ].join('\n'),
    );
  });

  test('running it twice changes nothing the second time', () => {
    const once = updateDotenv('LEGACY_DATABASE_URL=sqlite://./legacy.db\n', SETUP_KEYS).text;
    assert.equal(updateDotenv(once, SETUP_KEYS).text, once);
  });

  test('a multi-line value is replaced as a whole; the lines after it stay', () => {
    const { text } = updateDotenv('A=1\nJIT_DECRYPTION_KEY_FILE="one\ntwo"\nB=2\n', SETUP_KEYS.slice(3));
    assert.equal(text, 'A=1\nJIT_DECRYPTION_KEY_FILE="./keys/old.key.pem,./keys/new key.key.pem"\nB=2\n');
  });

  test('Windows line ends, a byte-order mark and a missing final line break are kept', () => {
    assert.equal(updateDotenv('\uFEFFA=1\r\nENTRA_TENANT_ID=x\r\n', SETUP_KEYS.slice(0, 1)).text, `\uFEFFA=1\r\nENTRA_TENANT_ID=${TENANT}\r\n`);
    assert.equal(updateDotenv('A=1', SETUP_KEYS.slice(0, 1)).text, `A=1\nENTRA_TENANT_ID=${TENANT}\n`);
    assert.equal(updateDotenv('A=1', []).text, 'A=1');
    assert.equal(updateDotenv('', SETUP_KEYS.slice(0, 1)).text, `ENTRA_TENANT_ID=${TENANT}\n`);
  });

  test('what it writes reads back as the values set', () => {
    const { text } = updateDotenv('# mine\nX="a b"\n', [...SETUP_KEYS, ['WEIRD', 'quote " dollar $HOME back\\slash # hash']]);
    const values = Object.fromEntries(parseDotenv(text).entries.map((entry) => [entry.key, entry.value]));
    assert.deepEqual(values, { X: 'a b', ...Object.fromEntries(SETUP_KEYS), WEIRD: 'quote " dollar $HOME back\\slash # hash' });
  });

  test('a file it cannot read exactly is returned unchanged with its problems', () => {
    const before = 'A=1\nthis is not a setting\nENTRA_TENANT_ID=x\nENTRA_TENANT_ID=y\n';
    const result = updateDotenv(before, SETUP_KEYS);
    assert.equal(result.text, before);
    assert.deepEqual(result.problems.map((problem) => problem.line), [2, 4]);
  });
});
