import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPasswordVerifier } from '../../../src/legacy/hashes/index.js';
import { keycloakCredentialHash } from '../../../src/legacy/import/keycloak-credential.js';

/** Keycloak credentials of ../../fixtures/vectors/hashes.json (published realm exports; sources named there). */
const vectors = (JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/vectors/hashes.json', import.meta.url)), 'utf8')) as Array<{ format: string; password: string; hash: string }>).filter((vector) =>
  vector.format.startsWith('keycloak-'),
);

const verifier = createPasswordVerifier();
after(() => verifier.close());

describe('a Keycloak credential as a self-describing hash', () => {
  for (const vector of vectors) {
    test(`${vector.format} (password ${JSON.stringify(vector.password)}): the converted hash verifies, and not with another password`, async () => {
      const credential = { type: 'password', ...(JSON.parse(vector.hash) as Record<string, unknown>) };
      const converted = keycloakCredentialHash(credential);
      assert.ok('hash' in converted, JSON.stringify(converted));
      assert.equal(await verifier.verify(vector.password, { hash: converted.hash }), true);
      assert.equal(await verifier.verify(`${vector.password}x`, { hash: converted.hash }), false);
    });
  }

  test('the flat credential of old exports (hashedSaltedValue, salt, hashIterations, algorithm) gives the same hash', () => {
    const alice = JSON.parse(vectors.find((vector) => vector.password === 'alice-password')!.hash) as { secretData: string; credentialData: string };
    const secret = JSON.parse(alice.secretData) as { value: string; salt: string };
    const flat = { type: 'password', hashedSaltedValue: secret.value, salt: secret.salt, hashIterations: 27500, algorithm: 'pbkdf2-sha256' };
    assert.deepEqual(keycloakCredentialHash(flat), keycloakCredentialHash({ type: 'password', ...alice }));
  });

  test("argon2 parameters Keycloak leaves out take Keycloak's defaults (argon2id 1.3, 7 MiB, 5 passes, 1 lane)", () => {
    const value = Buffer.alloc(32, 1).toString('base64');
    const salt = Buffer.alloc(16, 2).toString('base64');
    const converted = keycloakCredentialHash({ secretData: JSON.stringify({ value, salt }), credentialData: JSON.stringify({ algorithm: 'argon2' }) });
    assert.deepEqual(converted, { hash: `$argon2id$v=19$m=7168,t=5,p=1$${salt.replace(/=+$/, '')}$${value.replace(/=+$/, '')}` });
    const older = keycloakCredentialHash({ secretData: JSON.stringify({ value, salt }), credentialData: JSON.stringify({ algorithm: 'argon2', hashIterations: 3, additionalParameters: { type: ['i'], version: ['1.0'], memory: ['65536'], parallelism: ['2'] } }) });
    assert.ok('hash' in older && older.hash.startsWith('$argon2i$v=16$m=65536,t=3,p=2$'));
  });

  const value = Buffer.alloc(32, 1).toString('base64');
  const salt = Buffer.alloc(16, 2).toString('base64');
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['secretData that is not JSON', { secretData: '{value', credentialData: '{}' }, 'password credential: secretData or credentialData is not JSON'],
    ['a value that is not base64', { secretData: JSON.stringify({ value: 'not base64!', salt }), credentialData: JSON.stringify({ algorithm: 'pbkdf2-sha256', hashIterations: 1 }) }, 'password credential: the value is not base64 of at least 16 bytes'],
    ['a salt that is not base64', { secretData: JSON.stringify({ value, salt: '***' }), credentialData: JSON.stringify({ algorithm: 'pbkdf2-sha256', hashIterations: 1 }) }, 'password credential: the salt is not base64'],
    ['no iterations', { secretData: JSON.stringify({ value, salt }), credentialData: JSON.stringify({ algorithm: 'pbkdf2-sha512' }) }, 'password credential: hashIterations is not a positive whole number'],
    ['an unknown algorithm', { secretData: JSON.stringify({ value, salt }), credentialData: JSON.stringify({ algorithm: 'bcrypt', hashIterations: 10 }) }, 'password credential algorithm not one of pbkdf2, pbkdf2-sha256, pbkdf2-sha512, argon2'],
    ['an unknown argon2 type', { secretData: JSON.stringify({ value, salt }), credentialData: JSON.stringify({ algorithm: 'argon2', additionalParameters: { type: ['x'] } }) }, 'argon2 credential: type or version unknown'],
  ];
  for (const [what, credential, problem] of cases) {
    test(`${what}: a problem that names the field, not its value`, () => {
      assert.deepEqual(keycloakCredentialHash({ type: 'password', ...credential }), { problem });
    });
  }
});
