import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { importLegacyExport, type ImportSummary, type LegacyImportOptions } from '../../../src/legacy/import/index.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';
import { fixture, signInChecker, temporaryDirectory } from './support.js';

const { correct: CORRECT, unicode: UNICODE, wrong: WRONG } = CANARY_PASSWORDS;

type Expected = [signInName: string, password: string, outcome: 'correct' | 'blocked', legacyId: string];

/** The line of the file on which `text` first appears. */
function lineOf(file: string, text: string): number {
  const lines = readFileSync(fixture(file), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(text));
  assert.notEqual(index, -1, text);
  return index + 1;
}

/**
 * One format's fixture imported into a fresh file; then every account it should hold signs in through the SQL store
 * and the real verifier exactly as serve would check it (right password → correct, or blocked for a disabled
 * account; a wrong one → wrong), and the unusable records are the ones expected, by line and reason.
 */
function formatSuite(name: string, options: Omit<LegacyImportOptions, 'out'>, expected: () => { accounts: Expected[]; problems: Array<[string, string]> }) {
  describe(name, () => {
    let dir: Awaited<ReturnType<typeof temporaryDirectory>>;
    let summary: ImportSummary;
    let url: string;
    before(async () => {
      dir = await temporaryDirectory(options.format);
      url = `sqlite://${join(dir.path, 'legacy.db')}`;
      summary = await importLegacyExport({ ...options, out: url });
    });
    after(() => dir?.remove());

    test('imports every usable account, and each one signs in with its password through the real verifier', async () => {
      const { accounts } = expected();
      assert.equal(summary.imported, new Set(accounts.map(([, , , legacyId]) => legacyId)).size);
      const checker = await signInChecker(url, summary.hashDefaults);
      try {
        for (const [signInName, password, outcome, legacyId] of accounts) {
          const check = await checker.check(signInName, password);
          assert.equal(check.outcome, outcome, signInName);
          assert.equal('legacyId' in check && check.legacyId, legacyId, signInName);
          assert.equal((await checker.check(signInName, WRONG)).outcome, 'wrong', `${signInName}: a wrong password`);
        }
      } finally {
        await checker.close();
      }
    });

    test('reports the records it could not use by line and reason', () => {
      const { problems } = expected();
      assert.deepEqual(
        summary.problems.map((problem) => [problem.at.file === undefined ? `line ${problem.at.line}` : `${problem.at.file} line ${problem.at.line}`, problem.reason]),
        problems,
      );
      assert.equal(summary.unusable, problems.length);
      assert.equal(summary.read, summary.imported + summary.unusable);
    });
  });
}

formatSuite('auth0 (password hash export, NDJSON)', { format: 'auth0', from: fixture('auth0-users.ndjson') }, () => ({
  accounts: [
    ['ada@auth0.example', CORRECT, 'correct', 'auth0|5dea9f9c82dd7c0e76e4ec93'],
    ['grace@auth0.example', UNICODE, 'correct', 'auth0|euclid'], // e-mail from identifiers[], id from alt_id
    ['linus@auth0.example', CORRECT, 'correct', 'auth0|linus-42'], // stored as Linus@Auth0.Example: case-blind
    ['MARGARET', CORRECT, 'correct', 'auth0|5dea9f9c82dd7c0e76e4ec96'], // by username, a PHC PBKDF2 hash
    ['margaret@auth0.example', CORRECT, 'correct', 'auth0|5dea9f9c82dd7c0e76e4ec96'],
    ['blocked@auth0.example', CORRECT, 'blocked', 'auth0|5dea9f9c82dd7c0e76e4ec97'],
  ],
  problems: [
    ['line 6', 'no password hash'],
    ['line 7', 'not valid JSON'],
    ['line 8', 'duplicate id (an earlier row has it)'],
    ['line 9', 'e-mail holds a control character'],
    ['line 11', 'password hash in no format entra-migrate verifies'],
    ['line 12', 'e-mail or username already used by an earlier row (a sign-in would match both)'],
  ],
}));

const firebaseAccounts: Expected[] = [
  ['user1@test.com', 'user1password', 'correct', 'kYi4EvWQlQTKSfnJ3dRSP6IH3ed2'], // github.com/firebase/scrypt README's account
  ['ada@firebase.example', CORRECT, 'correct', 'fbAda0000000000000000000001'],
  ['GRACE@firebase.example', UNICODE, 'correct', 'fbGrace00000000000000000002'],
  ['disabled@firebase.example', CORRECT, 'blocked', 'fbOff000000000000000000003'],
];

formatSuite('firebase auth:export JSON, console hash_config block', { format: 'firebase', from: fixture('firebase-users.json'), hashConfig: fixture('firebase-hash-config.txt') }, () => ({
  accounts: firebaseAccounts,
  problems: [
    [`line ${lineOf('firebase-users.json', '"fbGoogle') - 1}`, 'no password hash'],
    [`line ${lineOf('firebase-users.json', '"fbNoSalt') - 1}`, 'password hash without its salt'],
    [`line ${lineOf('firebase-users.json', '"fbShort') - 1}`, 'password hash malformed (firebase-scrypt)'],
  ],
}));

formatSuite('firebase auth:export CSV, JSON hash config', { format: 'firebase', from: fixture('firebase-users.csv'), hashConfig: fixture('firebase-hash-config.json') }, () => ({
  accounts: firebaseAccounts,
  problems: [
    ['line 5', 'no password hash'],
    ['line 6', 'password hash without its salt'],
    ['line 7', 'password hash malformed (firebase-scrypt)'],
  ],
}));

const keycloakAccounts: Expected[] = [
  ['alice@keycloak.example', 'alice-password', 'correct', '7b1a3f9e-0000-4000-8000-000000000001'], // published vector, pbkdf2-sha256, 64-byte key
  ['user1', 'user1', 'correct', '7b1a3f9e-0000-4000-8000-000000000002'], // published vector, pbkdf2-sha256, 32-byte key
  ['admin', 'password', 'correct', '7b1a3f9e-0000-4000-8000-000000000003'], // published vector, argon2id
  ['ada@keycloak.example', CORRECT, 'correct', '7b1a3f9e-0000-4000-8000-000000000004'], // pbkdf2-sha512, 210,000 (Keycloak 24)
  ['Grace', UNICODE, 'correct', '7b1a3f9e-0000-4000-8000-000000000005'], // pbkdf2 (SHA-1), username only
  ['linus@keycloak.example', CORRECT, 'correct', '7b1a3f9e-0000-4000-8000-000000000006'], // argon2id, beside an OTP credential
  ['margaret', CORRECT, 'correct', '7b1a3f9e-0000-4000-8000-000000000007'],
  ['disabled@keycloak.example', CORRECT, 'blocked', '7b1a3f9e-0000-4000-8000-000000000008'], // enabled: false
];

formatSuite('keycloak realm export', { format: 'keycloak', from: fixture('keycloak-realm.json') }, () => ({
  accounts: keycloakAccounts,
  problems: [
    [`line ${lineOf('keycloak-realm.json', '000000000009"') - 1}`, 'no password credential (a federated, OTP-only or service account user)'],
    [`line ${lineOf('keycloak-realm.json', '00000000000a"') - 1}`, 'no password credential (a federated, OTP-only or service account user)'],
    [`line ${lineOf('keycloak-realm.json', '00000000000b"') - 1}`, 'password credential algorithm not one of pbkdf2, pbkdf2-sha256, pbkdf2-sha512, argon2'],
    [`line ${lineOf('keycloak-realm.json', '00000000000c"') - 1}`, 'no password credential (a federated, OTP-only or service account user)'],
  ],
}));

formatSuite('keycloak directory of <realm>-users-<n>.json files', { format: 'keycloak', from: fixture('keycloak-split') }, () => ({ accounts: keycloakAccounts, problems: [] }));

formatSuite(
  'generic CSV with --field and a store-wide scheme',
  {
    format: 'csv',
    from: fixture('generic-users.csv'),
    hashConfig: fixture('generic-hash-config.json'),
    fields: { id: 'user_id', email: 'mail', username: 'login', password_hash: 'pwd', scheme: 'algo', salt: 'pwd_salt', status: 'state', given_name: 'first', surname: 'last' },
  },
  () => ({
    accounts: [
      ['ada', CORRECT, 'correct', '1001'], // bcrypt
      ['grace@csv.example', UNICODE, 'correct', '1002'], // Django PBKDF2
      ['linus@csv.example', CORRECT, 'correct', '1003'], // raw PBKDF2: LEGACY_HASH_SCHEME/PARAMS from --hash-config, the row's salt
      ['locked@csv.example', CORRECT, 'blocked', '1004'], // status locked
    ],
    problems: [
      ['line 6', 'no password hash'],
      ['line 7', 'no e-mail or username to sign in with'],
      ['line 8', 'hash scheme unknown, or its parameters wrong'],
    ],
  }),
);

describe('the table', () => {
  test('has the documented columns, keeps the profile, and converts a Keycloak credential to the passlib form of the same key', async () => {
    const dir = await temporaryDirectory('table');
    try {
      const path = join(dir.path, 'legacy.db');
      await importLegacyExport({ format: 'keycloak', from: fixture('keycloak-realm.json'), out: `sqlite://${path}` });
      const db = new Database(path, { readonly: true });
      try {
        const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('legacy_users')").all().map((column) => column.name);
        assert.deepEqual(columns, ['id', 'email', 'username', 'password_hash', 'scheme', 'salt', 'status', 'profile_json']);
        const alice = db.prepare('SELECT * FROM legacy_users WHERE username = ?').get('alice') as Record<string, string>;
        // secretData {"value": "KqAB…Wg==", "salt": "EPgscX9CQz7UnuZDNZxtMw=="}: the same bytes in adapted base64.
        assert.equal(alice.password_hash, '$pbkdf2-sha256$27500$EPgscX9CQz7UnuZDNZxtMw$KqABIiReBuRWbP4pBct3W067pNvYzeN7ILBV.8vT8nuF5cgYs2fdl2QikJT/7bGTW/PBXg6CYLwJQFYrBK9MWg');
        assert.deepEqual(JSON.parse(alice.profile_json!), { given_name: 'Alice', surname: 'Liddell', email_verified: true });
        assert.equal(alice.status, 'active');
        const indexes = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'legacy_users' AND sql IS NOT NULL ORDER BY name").all();
        assert.deepEqual(indexes.map((index) => index.name), ['legacy_users_lower_email', 'legacy_users_lower_username']);
        const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
        assert.deepEqual(tables.map((table) => table.name), ['legacy_users'], 'no staging table left');
      } finally {
        db.close();
      }
    } finally {
      await dir.remove();
    }
  });
});
