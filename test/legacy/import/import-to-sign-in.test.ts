import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseDotenv } from '../../../src/config/index.js';
import { runCli } from '../../support/cli.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';
import { FLAG, startStack } from '../../e2e/harness.js';
import { fixture, temporaryDirectory } from './support.js';

const { correct: CORRECT } = CANARY_PASSWORDS;

type Outcome = 'migrated' | 'blocked' | 'password-change-required';

/**
 * End to end, for each format: `legacy import … --write-env serve.env` → `serve` (openExtension) configured from
 * that file and nothing else about the legacy store → the emulator's sign-in page for accounts pre-created in
 * Entra with the migration flag → MigratePassword, and the flag cleared (test/e2e/harness.ts, given the imported
 * settings, LEGACY_HASH_PARAMS included).
 */
const CASES: Array<{ name: string; args: string[]; signIns: Array<[email: string, password: string, outcome: Outcome]> }> = [
  {
    name: 'auth0',
    args: ['--format', 'auth0', '--from', fixture('auth0-users.ndjson')],
    signIns: [
      ['ada@auth0.example', CORRECT, 'migrated'], // bcrypt
      ['margaret@auth0.example', CORRECT, 'migrated'], // PHC PBKDF2
      ['blocked@auth0.example', CORRECT, 'blocked'],
    ],
  },
  {
    name: 'firebase',
    args: ['--format', 'firebase', '--from', fixture('firebase-users.json'), '--hash-config', fixture('firebase-hash-config.txt')],
    signIns: [
      ['ada@firebase.example', CORRECT, 'migrated'], // firebase-scrypt, the signer key from LEGACY_HASH_PARAMS
      ['user1@test.com', 'user1password', 'password-change-required'], // the README's account: right, but too weak for Entra
      ['disabled@firebase.example', CORRECT, 'blocked'],
    ],
  },
  {
    name: 'keycloak',
    args: ['--format', 'keycloak', '--from', fixture('keycloak-realm.json')],
    signIns: [
      ['ada@keycloak.example', CORRECT, 'migrated'], // pbkdf2-sha512, 210,000 iterations
      ['linus@keycloak.example', CORRECT, 'migrated'], // argon2id
      ['margaret@keycloak.example', CORRECT, 'migrated'], // pbkdf2-sha256, 32-byte key
      ['disabled@keycloak.example', CORRECT, 'blocked'],
    ],
  },
  {
    name: 'csv',
    args: [
      '--format', 'csv', '--from', fixture('generic-users.csv'), '--hash-config', fixture('generic-hash-config.json'),
      '--field', 'id=user_id', '--field', 'email=mail', '--field', 'username=login', '--field', 'password_hash=pwd',
      '--field', 'scheme=algo', '--field', 'salt=pwd_salt', '--field', 'status=state',
    ],
    signIns: [
      ['ada@csv.example', CORRECT, 'migrated'],
      ['linus@csv.example', CORRECT, 'migrated'], // LEGACY_HASH_SCHEME pbkdf2 with the row's salt
      ['locked@csv.example', CORRECT, 'blocked'],
    ],
  },
];

describe('legacy import → serve → emulator sign-in → migrated', () => {
  let dir: Awaited<ReturnType<typeof temporaryDirectory>>;
  before(async () => {
    dir = await temporaryDirectory('e2e');
  });
  after(() => dir?.remove());

  for (const { name, args, signIns } of CASES) {
    test(name, { timeout: 120_000 }, async () => {
      const envFile = join(dir.path, `${name}.env`);
      const imported = await runCli(['legacy', 'import', ...args, '--out', `sqlite://${join(dir.path, `${name}.db`)}`, '--write-env', envFile]);
      assert.ok(imported.code === 0 || imported.code === 1, imported.stderr);
      // The store's settings are the file's, and nothing else.
      const legacy = Object.fromEntries(parseDotenv(await readFile(envFile, 'utf8')).entries.map((entry) => [entry.key, entry.value]));
      const stack = await startStack({ legacy, entraUsers: signIns.map(([email]) => email) });
      try {
        for (const [email, password, expected] of signIns) {
          const response = await fetch(`${stack.emulator.url}/api/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: email, password }) });
          const result = (await response.json()) as { outcome: string; migrated?: boolean; title?: string };
          const user = await stack.emulator.directory.findUserBySignInName(email);
          const flag = (await stack.emulator.directory.getExtensionAttributes(user!.id))[FLAG];
          if (expected === 'migrated') {
            assert.deepEqual(result, { outcome: 'signed-in', migrated: true }, email);
            assert.equal(flag, false, `${email}: migrated`);
          } else {
            assert.equal(result.outcome, expected, email);
            if (expected === 'blocked') assert.equal(result.title, 'Sign-in blocked', `${email}: blocked for its status, not for an unavailable store`);
            assert.equal(flag, true, `${email}: not migrated`);
          }
        }
        for (const password of Object.values(CANARY_PASSWORDS)) assert.ok(!stack.logs().includes(password), 'no password in the logs');
      } finally {
        await stack.close();
      }
    });
  }
});
