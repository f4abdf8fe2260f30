import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCostProfile } from '../../../src/legacy/hashes/cost-profile.js';
import { malformed } from '../../../src/legacy/hashes/errors.js';
import type { HashFormat } from '../../../src/legacy/hashes/format.js';
import { createPasswordVerifier, DEFAULT_FORMATS, HashErrorCode } from '../../../src/legacy/hashes/index.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';

/** A format that counts its checks and remembers what it was given: `$count$<cost>`; the password "open" matches. */
function countingFormat() {
  const checks: Array<{ cost: number; text: string }> = [];
  const format: HashFormat = {
    id: 'counting',
    origin: 'test',
    matches: (hash) => hash.startsWith('$count$'),
    prepare(stored) {
      const cost = Number(stored.hash.slice(7));
      if (!Number.isInteger(cost)) throw malformed('counting', 'cost is not a number');
      return {
        params: { cost },
        verify: async (password) => {
          checks.push({ cost, text: password.text });
          return password.text === 'open';
        },
      };
    },
  };
  return { format, checks };
}

describe('what "no such user" costs', () => {
  test('before any row: bcrypt cost 10, or a stand-in of the store-wide scheme with its params', async () => {
    const plain = createPasswordVerifier();
    const digest = createPasswordVerifier({ hashDefaults: { scheme: 'digest', params: { algorithm: 'sha256', saltPosition: 'prefix' } } });
    const pbkdf2 = createPasswordVerifier({ hashDefaults: { scheme: 'pbkdf2', params: { digest: 'sha256', iterations: 12_000 } } });
    const unfit = createPasswordVerifier({ hashDefaults: { scheme: 'firebase-scrypt', params: {} } });
    try {
      assert.equal(plain.dummyKind(), 'bcrypt {"cost":10,"variant":"2y"}');
      assert.equal(digest.dummyKind(), 'digest {"algorithm":"sha256","encoding":"hex","saltPosition":"prefix","salted":true}');
      assert.equal(pbkdf2.dummyKind(), 'pbkdf2 {"digest":"sha256","iterations":12000}');
      assert.equal(unfit.dummyKind(), 'bcrypt {"cost":10,"variant":"2y"}', 'a scheme no stand-in fits: bcrypt cost 10');
      for (const verifier of [plain, digest, pbkdf2, unfit]) await verifier.dummyVerify(CANARY_PASSWORDS.wrong);
    } finally {
      await Promise.all([plain, digest, pbkdf2, unfit].map((verifier) => verifier.close()));
    }
  });

  test("an unknown user is checked against the store's most common kind of hash, with the password given", async () => {
    const { format, checks } = countingFormat();
    const verifier = createPasswordVerifier({ formats: [format, ...DEFAULT_FORMATS] });
    try {
      for (const cost of [7, 7, 9, 7]) await verifier.verify(CANARY_PASSWORDS.wrong, { hash: `$count$${cost}` });
      assert.equal(verifier.dummyKind(), 'counting {"cost":7}');
      checks.length = 0;
      await verifier.dummyVerify(CANARY_PASSWORDS.wrong);
      assert.deepEqual(checks, [{ cost: 7, text: CANARY_PASSWORDS.wrong }]);
    } finally {
      await verifier.close();
    }
  });

  test('a password over the byte limit costs one check of the real hash, as a fixed stand-in, and never matches', async () => {
    const { format, checks } = countingFormat();
    const verifier = createPasswordVerifier({ formats: [format, ...DEFAULT_FORMATS], limits: { passwordBytes: 16 } });
    try {
      const long = `open${'!'.repeat(20)}`;
      assert.equal(await verifier.verify(long, { hash: '$count$5' }), false);
      assert.equal(checks.length, 1, 'the check ran');
      assert.notEqual(checks[0]!.text, long, 'not at the password\'s full length');
      await verifier.dummyVerify(long);
      assert.deepEqual(checks[1], checks[0], 'an unknown user with the same password pays the same check');
      assert.equal(await verifier.verify('open', { hash: '$count$5' }), true);
    } finally {
      await verifier.close();
    }
  });

  test('a hash that cannot be checked pays a check before its error', async () => {
    const { format, checks } = countingFormat();
    const verifier = createPasswordVerifier({ formats: [format, ...DEFAULT_FORMATS] });
    try {
      await verifier.verify(CANARY_PASSWORDS.wrong, { hash: '$count$3' });
      checks.length = 0;
      for (const [stored, code] of [
        [{ hash: '$count$x' }, HashErrorCode.HASH_MALFORMED],
        [{ hash: '~not-a-hash~' }, HashErrorCode.HASH_FORMAT_UNSUPPORTED],
        [{ hash: '$count$3', params: { passwordEncoding: 'ebcdic' } }, HashErrorCode.HASH_SCHEME_UNKNOWN],
        [{ hash: 'x', scheme: 'rot13' }, HashErrorCode.HASH_SCHEME_UNKNOWN],
      ] as const) {
        await assert.rejects(verifier.verify(CANARY_PASSWORDS.wrong, stored), (error: { code?: string }) => error.code === code);
      }
      assert.deepEqual(checks.map(({ cost }) => cost), [3, 3, 3, 3], 'one dummy check of the learned kind per refusal');
    } finally {
      await verifier.close();
    }
  });
});

describe('createCostProfile', () => {
  test('keeps the most common kind however many rare ones pass, in bounded memory', () => {
    const profile = createCostProfile({ maxKinds: 4 });
    assert.equal(profile.dominant(), undefined);
    for (let i = 0; i < 1000; i++) {
      if (i % 3 === 0) profile.record('bcrypt', { cost: 12 }, { hash: `common-${i}` });
      profile.record('digest', { algorithm: 'md5', salt: `rare-${i}`, iterations: i }, { hash: `rare-${i}` });
    }
    assert.equal(profile.dominant()?.hash, 'common-999', 'the latest hash of the most common kind');
  });

  test('per-row parameters (a DES salt, a role name) do not split a kind', () => {
    const profile = createCostProfile({ maxKinds: 2 });
    for (let i = 0; i < 10; i++) profile.record('des-crypt', { salt: `s${i}` }, { hash: `des-${i}` });
    profile.record('bcrypt', { cost: 10 }, { hash: 'bcrypt' });
    profile.record('bcrypt', { cost: 10 }, { hash: 'bcrypt' });
    assert.equal(profile.dominant()?.hash, 'des-9');
  });
});
