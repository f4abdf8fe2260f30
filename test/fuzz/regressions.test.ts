import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createPasswordVerifier, HashErrorCode } from '../../src/legacy/hashes/index.js';

// Inputs the fuzz and property tests of this folder found, kept as plain tests so the fix stays fixed.
describe('regressions found by test/fuzz/parsers.property.test.ts', () => {
  const verifier = createPasswordVerifier({ hashDefaults: { scheme: 'digest', params: { algorithm: 'sha256' } } });
  after(() => verifier.close());

  // A row that names a scheme whose string shape it does not have: the format's prepare() took the shape for granted
  // (its regular expression's match, or the prefix it looked up) and threw a TypeError instead of HASH_MALFORMED.
  // Found with seed 1484145455: [0, truncate at 0, { salt: [] }, "prefixed", …], shrunk to { hash: '', scheme: 'prefixed' }.
  for (const scheme of ['prefixed', 'colon-pbkdf2', 'magento2']) {
    for (const hash of ['', 'not-a-hash', '$2y$04$abc']) {
      test(`scheme ${scheme} named for ${JSON.stringify(hash)}: HASH_MALFORMED, not a TypeError`, async () => {
        await assert.rejects(verifier.verify('a password', { hash, scheme }), (error: { code?: string; name?: string }) => {
          assert.equal(error.name, 'HashError');
          assert.equal(error.code, HashErrorCode.HASH_MALFORMED);
          return true;
        });
      });
    }
  }
});
