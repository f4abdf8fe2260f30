import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createPasswordVerifier } from '../../../src/legacy/hashes/index.js';
import { NOT_YET, storedOf, withEncoding } from './vector-schemes.js';
import { oneCharacterOff, passwordOf, VECTORS } from './vectors.js';

const verifier = createPasswordVerifier();
after(() => verifier.close());

describe('the public vectors (test/fixtures/vectors/hashes.json)', () => {
  const covered = VECTORS.filter((vector) => !(vector.format in NOT_YET));

  test(`${covered.length} of ${VECTORS.length} vectors are covered; any other is listed with a reason`, () => {
    assert.equal(VECTORS.length, 155);
    assert.ok(covered.length === 155, `only ${covered.length} covered`);
  });

  for (const vector of covered) {
    test(`${vector.format}: ${vector.hash.slice(0, 40)}…`, async () => {
      const stored = withEncoding(vector, storedOf(vector));
      const password = passwordOf(vector);
      assert.equal(await verifier.verify(password, stored), true, 'the password matches');
      assert.equal(await verifier.verify(oneCharacterOff(password), stored), false, 'a one-character change does not');
    });
  }
});
