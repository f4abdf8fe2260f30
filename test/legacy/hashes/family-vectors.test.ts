import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createPasswordVerifier, HashErrorCode } from '../../../src/legacy/hashes/index.js';
import { FAMILY_VECTORS, oneCharacterOff, passwordOf } from './vectors.js';

const verifier = createPasswordVerifier();
after(() => verifier.close());

// Vectors made by the reference implementations (passlib, libxcrypt …), not by this code: a correct hash matches its
// password and not a one-character change; a malformed one is refused, never verified.
describe('the family vectors (test/fixtures/vectors/families/*.json)', () => {
  test('every entry names a scheme and either a password or malformed: true', () => {
    for (const vector of FAMILY_VECTORS) {
      assert.ok(vector.format && vector.hash !== undefined && vector.source, `${vector.family}: an entry lacks format, hash or source`);
      assert.ok(vector.malformed === true || vector.password !== undefined || vector.password_hex !== undefined, `${vector.family} ${vector.format}: no password`);
    }
  });

  for (const vector of FAMILY_VECTORS) {
    const stored = { hash: vector.hash, scheme: vector.format, ...(vector.params && { params: vector.params }) };
    if (vector.malformed) {
      test(`${vector.family} ${vector.format}: malformed ${JSON.stringify(vector.hash.slice(0, 40))} is refused`, async () => {
        await assert.rejects(verifier.verify('any-password', stored), (error: { code?: string }) => error.code === HashErrorCode.HASH_MALFORMED);
      });
      continue;
    }
    if (vector.disabled) {
      test(`${vector.family} ${vector.format}: ${JSON.stringify(vector.hash)} never matches, not even its own password`, async () => {
        assert.equal(await verifier.verify(passwordOf(vector), stored), false);
      });
      continue;
    }
    test(`${vector.family} ${vector.format}: ${vector.hash.slice(0, 40)}`, async () => {
      const password = passwordOf(vector);
      assert.equal(await verifier.verify(password, stored), true, 'the password matches');
      assert.equal(await verifier.verify(oneCharacterOff(password), stored), false, 'a one-character change does not');
    });
  }
});
