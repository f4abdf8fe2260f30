import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { createPasswordVerifier, HashErrorCode } from '../../../src/legacy/hashes/index.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';

const verifier = createPasswordVerifier();
after(() => verifier.close());

const rejectsWith = (code: string) => (error: unknown) => {
  assert.equal((error as { code?: string }).code, code, String(error));
  for (const password of Object.values(CANARY_PASSWORDS)) assert.ok(!(error as Error).message.includes(password));
  return true;
};

describe('createPasswordVerifier', () => {
  test('identify names the format and its parameters', () => {
    assert.deepEqual(verifier.identify('$2y$10$/eIzqCfdF6YYGbHPqonopuWxuaudSTsIiHAGYRyCTrTakUVrA0DYe'), { format: 'bcrypt', params: { variant: '2y', cost: 10 } });
    assert.deepEqual(verifier.identify('$6$rounds=11531$G/gkPn17kHYo0gTF$Kq.uZBHlSBXyzsOJXtxJruOOH4yc0Is13uY7yzJWOM5n5o9Mk0C6ntaD0oLUk8ibtAPCvg7Yv9mQGlEuvsbhW1'), { format: 'sha-crypt', params: { variant: 'sha512', rounds: 11531 } });
    assert.equal(verifier.identify('pbkdf2_sha256$600000$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')?.format, 'django-pbkdf2');
    assert.equal(verifier.identify('$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ShuXvbSwPLw')?.params.memoryKiB, 19456);
    for (const garbage of ['', 'hello', '5f4dcc3b5aa765d61d8327deb882cf99', '{XYZ}abc', '$9$abc', '\0\0\0']) assert.equal(verifier.identify(garbage), null, garbage);
  });

  test('non-ASCII passwords are hashed as UTF-8', async () => {
    const stored = { hash: await bcryptHash(CANARY_PASSWORDS.unicode, 4) };
    assert.equal(await verifier.verify(CANARY_PASSWORDS.unicode, stored), true);
    assert.equal(await verifier.verify(CANARY_PASSWORDS.unicode.normalize('NFD'), stored), false, 'no normalisation: the bytes are what was hashed');
  });

  test('$2x$ equals $2a$ for 7-bit passwords; our own bcrypt differs from it exactly for 8-bit ones', async () => {
    const ascii = (await bcryptHash(CANARY_PASSWORDS.correct, 4)).replace(/^\$2[aby]\$/, '$2x$');
    assert.equal(await verifier.verify(CANARY_PASSWORDS.correct, { hash: ascii }), true);
    assert.equal(await verifier.verify(CANARY_PASSWORDS.wrong, { hash: ascii }), false);
    const eightBit = (await bcryptHash(CANARY_PASSWORDS.unicode, 4)).replace(/^\$2[aby]\$/, '$2x$');
    assert.equal(await verifier.verify(CANARY_PASSWORDS.unicode, { hash: eightBit }), false, 'sign extension changes the hash of 8-bit passwords');
  });

  test('bcrypt counts only the first 72 bytes, as every bcrypt does', async () => {
    const long = `${CANARY_PASSWORDS.correct}${'x'.repeat(80)}`;
    const stored = { hash: await bcryptHash(long, 4) };
    assert.equal(await verifier.verify(long, stored), true);
    assert.equal(await verifier.verify(`${long.slice(0, 72)}different tail`, stored), true);
    assert.equal(await verifier.verify(long.slice(0, 71), stored), false);
  });

  test('passwords longer than the limit never match (they cost one check of a stand-in: see dummy-cost.test.ts)', async () => {
    const capped = createPasswordVerifier({ limits: { passwordBytes: 16 } });
    try {
      const stored = { hash: await bcryptHash('0123456789abcdefg', 4) };
      assert.equal(await capped.verify('0123456789abcdefg', stored), false);
    } finally {
      await capped.close();
    }
  });

  test('malformed hashes of each format are HASH_MALFORMED, naming the format', async () => {
    const cases: Array<[string, RegExp]> = [
      ['$2b$10$tooShort', /bcrypt/],
      ['$2b$03$' + 'a'.repeat(53), /bcrypt/],
      ['$argon2id$v=19$m=65536,t=2$c29tZXNhbHQ$abc', /argon2/],
      ['$argon2id$v=20$m=65536,t=2,p=1$c29tZXNhbHQ$abc', /argon2/],
      ['$6$salt$short', /sha512-crypt/],
      ['$5$salt$' + 'a'.repeat(86), /sha256-crypt/],
      ['pbkdf2_sha256$abc$salt$hash', /Django/],
      ['pbkdf2_sha256$1000$salt$!!!', /Django/],
      ['$pbkdf2-sha256$1000$salt$', /passlib/],
    ];
    for (const [hash, format] of cases) {
      await assert.rejects(verifier.verify(CANARY_PASSWORDS.correct, { hash }), (error: Error & { code?: string }) => {
        assert.equal(error.code, HashErrorCode.HASH_MALFORMED, hash);
        assert.match(error.message, format);
        assert.ok(!error.message.includes(hash.slice(8)), 'the message does not quote the hash');
        return true;
      });
    }
  });

  test('parameters over the ceilings are refused before any work', async () => {
    const cases = [
      '$2b$15$' + 'a'.repeat(53),
      '$2b$31$' + 'a'.repeat(53),
      '$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ShuXvbSwPLw',
      '$argon2id$v=19$m=65536,t=1000,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ShuXvbSwPLw',
      '$6$rounds=999999999$salt$' + 'a'.repeat(86),
      'pbkdf2_sha256$999999999$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      '$pbkdf2-sha512$4000000000$c2FsdA$' + 'A'.repeat(86),
    ];
    for (const hash of cases) await assert.rejects(verifier.verify(CANARY_PASSWORDS.correct, { hash }), rejectsWith(HashErrorCode.HASH_PARAMS_OVER_LIMIT), hash);
  });

  test('an unknown format and an unknown scheme are errors, never a silent false', async () => {
    await assert.rejects(verifier.verify(CANARY_PASSWORDS.correct, { hash: '{XYZ}W6ph5Mm5Pz8GgiULbPgzG37mj9g=' }), rejectsWith(HashErrorCode.HASH_FORMAT_UNSUPPORTED));
    await assert.rejects(verifier.verify(CANARY_PASSWORDS.correct, { hash: 'abc', scheme: 'rot13' }), rejectsWith(HashErrorCode.HASH_SCHEME_UNKNOWN));
    await assert.rejects(verifier.verify(CANARY_PASSWORDS.correct, { hash: 'abc', scheme: 'digest', params: { algorithm: 'crc32' } }), rejectsWith(HashErrorCode.HASH_SCHEME_UNKNOWN));
    await assert.rejects(verifier.verify(CANARY_PASSWORDS.correct, { hash: 'abc', scheme: 'digest', params: { algorithm: 'md5', salt: 'x' } }), rejectsWith(HashErrorCode.HASH_SCHEME_UNKNOWN));
    await assert.rejects(verifier.verify(CANARY_PASSWORDS.correct, { hash: 'abcd', scheme: 'digest', params: { algorithm: 'md5' } }), rejectsWith(HashErrorCode.HASH_MALFORMED));
  });

  test('an unrecognised value is described, never quoted: legacy tables sometimes hold plaintext', async () => {
    await assert.rejects(verifier.verify(CANARY_PASSWORDS.wrong, { hash: CANARY_PASSWORDS.correct }), (error: Error & { code?: string; publicMessage?: string }) => {
      assert.equal(error.code, HashErrorCode.HASH_FORMAT_UNSUPPORTED);
      assert.match(error.message, /a 23-character string/);
      assert.ok(!error.message.includes(CANARY_PASSWORDS.correct.slice(0, 6)), 'no character run of the value');
      return true;
    });
  });

  test('hostile input: empty, huge, NUL bytes, absurd cost', async () => {
    for (const hash of ['', 'x'.repeat(1_000_000), '$2b$10$\0' + 'a'.repeat(52), '$2b$99$' + 'a'.repeat(53), '$6$\0$' + 'a'.repeat(86)]) {
      await assert.rejects(verifier.verify(CANARY_PASSWORDS.correct, { hash }), (error: Error & { code?: string }) => {
        assert.ok(error.code?.startsWith('HASH_'), String(error));
        return true;
      });
    }
  });

  test('a full queue refuses work with HASH_VERIFIER_BUSY instead of queueing without bound', async () => {
    const small = createPasswordVerifier({ workerThreads: 1, maxQueue: 1 });
    try {
      const stored = { hash: '$6$rounds=50000$saltsalt$' + 'a'.repeat(86) };
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => small.verify(CANARY_PASSWORDS.correct, stored)));
      const busy = results.filter((result) => result.status === 'rejected' && (result.reason as { code?: string }).code === HashErrorCode.HASH_VERIFIER_BUSY);
      assert.ok(busy.length >= 1, 'some checks were refused');
      assert.ok(results.some((result) => result.status === 'fulfilled' && result.value === false), 'some ran');
    } finally {
      await small.close();
    }
  });

  test('dummyVerify resolves; a closed verifier refuses', async () => {
    const closing = createPasswordVerifier();
    await closing.dummyVerify(CANARY_PASSWORDS.wrong);
    await closing.close();
    await closing.close();
    await assert.rejects(closing.verify('x', { hash: '$2b$04$' + 'a'.repeat(53) }), rejectsWith(HashErrorCode.HASH_VERIFIER_CLOSED));
    await assert.rejects(closing.dummyVerify(CANARY_PASSWORDS.wrong), rejectsWith(HashErrorCode.HASH_VERIFIER_CLOSED));
  });
});

describe('names from a setting or a row never reach Object.prototype', () => {
  test('"constructor", "__proto__" and "toString" as an algorithm or type are unknown parameters', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const cases = [
        { hash: '5f4dcc3b5aa765d61d8327deb882cf99', scheme: 'digest', params: { algorithm: name } },
        { hash: '5f4dcc3b5aa765d61d8327deb882cf99', scheme: 'hmac', params: { algorithm: name, salt: 's', key: 'salt' } },
        { hash: 'AAAAAAAAAAAAAAAAAAAAAA==', scheme: 'keycloak', params: { algorithm: name, salt: 'c2FsdA==', iterations: 10 } },
        { hash: 'AAAAAAAAAAAAAAAAAAAAAA==', scheme: 'keycloak-argon2', params: { type: name, salt: 'c2FsdHNhbHQ=', iterations: 1, memory: 64, parallelism: 1 } },
      ];
      for (const stored of cases) {
        await assert.rejects(verifier.verify(CANARY_PASSWORDS.correct, stored), rejectsWith(HashErrorCode.HASH_SCHEME_UNKNOWN), `${stored.scheme} ${name}`);
      }
    }
  });
});
