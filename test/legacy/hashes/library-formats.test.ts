import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createPasswordVerifier, HashErrorCode } from '../../../src/legacy/hashes/index.js';
import { decodeHash64Bytes, decodeHash64Int } from '../../../src/legacy/hashes/formats/library/hash64.js';
import { saslprep } from '../../../src/legacy/hashes/formats/library/saslprep.js';

// Correct hashes are checked by family-vectors.test.ts (passlib's and libxcrypt's vectors); these are the hostile,
// oversized and malformed inputs, the limits, and what identify() reports.
const verifier = createPasswordVerifier();
after(() => verifier.close());

const code = (expected: string) => (error: { code?: string; message?: string }) => error.code === expected;
const GRUB_KEY = 'DC92C038A76D61B18DF5C2432582A9C81392D9C4E99FC8B54C227371447D68863CC21166D1904970ACCEE2062D12B593787E55738EF9ADF05C9C3C289F41E92B';

describe('library formats: limits', () => {
  const overLimit: Array<[string, string]> = [
    ['scrypt $7$ with N = 2^40', '$7$e6..../....salt$r4ckezyK3/Wh7UWRZUCYlbUImq1wt069RwecCCIl6u4'],
    ['scrypt $7$ with r = 2^30 − 1', '$7$CUzzzzz/....salt$r4ckezyK3/Wh7UWRZUCYlbUImq1wt069RwecCCIl6u4'],
    ['GRUB with 4,294,967,295 iterations', `grub.pbkdf2.sha512.4294967295.8F11C2F85F6BEDFDFF7F0F8190F2FEDF.${GRUB_KEY}`],
    ['dlitz with ffffffff iterations', '$p5k2$ffffffff$deQX2Pwb$RDhZOLw2HSFF2xkfVhuBoW34FiIUeD78'],
    ['cta with ffffffff iterations', '$p5k2$ffffffff$QohxTonxvldq7T3nHKN0rg==$bMbg6EQfjykLm9a_ULzolAzeARg='],
    ['FSHP with 9,999,999,999 rounds', '{FSHP1|8|9999999999}6D3HeC+l9J5Tp2fcbxFYQa47RIwmqBQK8RrUCWn8rlfInQukFCG8Rw=='],
    ['passlib scram with 9,999,999,999 rounds', '$scram$9999999999$ECIEgHDOuTcmpJTy$sha-1=SYTcOoUF3PAJyck2A9TdNNY5MZI'],
    ['bcrypt $2$ with cost 31', '$2$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
  ];
  for (const [what, hash] of overLimit) {
    test(`${what} is refused before any work`, async () => {
      await assert.rejects(verifier.verify('password', { hash }), code(HashErrorCode.HASH_PARAMS_OVER_LIMIT));
    });
  }
});

describe('library formats: malformed and hostile input', () => {
  const malformed: Array<[string, string]> = [
    ['Django crypt$ with a one-character salt field', 'crypt$M$MEJB9XoXpv3IQ'],
    ['Django crypt$ with trailing characters', 'crypt$$MEJB9XoXpv3IQx'],
    ['GRUB with mixed-case hex', `grub.pbkdf2.sha512.1000.8f11C2F85F6BEDFDFF7F0F8190F2FEDF.${GRUB_KEY}`],
    ['GRUB with sha256', `grub.pbkdf2.sha256.1000.8F11C2F85F6BEDFDFF7F0F8190F2FEDF.${GRUB_KEY}`],
    ['GRUB with no salt', `grub.pbkdf2.sha512.1000..${GRUB_KEY}`],
    ['cta with zero iterations', '$p5k2$0$QohxTonxvldq7T3nHKN0rg==$bMbg6EQfjykLm9a_ULzolAzeARg='],
    ['$p5k2$ garbage', '$p5k2$$$'],
    ['$p5k2$ with four fields', '$p5k2$190$deQX2Pwb$RDhZOLw2HSFF2xkfVhuBoW34FiIUeD78$'],
    ['FSHP with zero rounds', '{FSHP1|8|0}6D3HeC+l9J5Tp2fcbxFYQa47RIwmqBQK8RrUCWn8rlfInQukFCG8Rw=='],
    ['FSHP with no data', '{FSHP1|8|4096}'],
    ['passlib scram with an unknown digest', '$scram$1000$ECIEgHDOuTcmpJTy$sha-1=SYTcOoUF3PAJyck2A9TdNNY5MZI,md5=AAAAAAAAAAAAAAAAAAAAAA'],
    ['passlib scram with sha-1 twice', '$scram$1000$ECIEgHDOuTcmpJTy$sha-1=SYTcOoUF3PAJyck2A9TdNNY5MZI,sha-1=SYTcOoUF3PAJyck2A9TdNNY5MZI'],
    ['passlib scram with only the digest names (a config string)', '$scram$1000$ECIEgHDOuTcmpJTy$sha-1,sha-256'],
    ['scrypt $7$ with set padding bits in the key', '$7$CU..../....salt$r4ckezyK3/Wh7UWRZUCYlbUImq1wt069RwecCCIl6uz'],
    ['bcrypt_sha256 version 1 with a 2y bcrypt', '$bcrypt-sha256$2y,5$4XEDOKkQA1oR4QXNJ3J4vu$xSjD31G6FSbaeddveTJYcPSPsJyWGY2'],
    ['a 100,000-character $p5k2$ string', `$p5k2$${'a'.repeat(100_000)}`],
    ['a 100,000-character FSHP string', `{FSHP1|8|4096}${'A'.repeat(100_000)}`],
    ['a 100,000-character scram string', `$scram$1000$${'a,'.repeat(50_000)}`],
  ];
  for (const [what, hash] of malformed) {
    test(`${what} is HASH_MALFORMED`, async () => {
      await assert.rejects(verifier.verify('password', { hash }), code(HashErrorCode.HASH_MALFORMED));
    });
  }

  test('an empty plaintext value is malformed, never a match for the empty password', async () => {
    await assert.rejects(verifier.verify('', { hash: '', scheme: 'plaintext' }), code(HashErrorCode.HASH_MALFORMED));
  });

  test('plaintext is named only, and its errors never quote the stored value', async () => {
    assert.equal(verifier.identify('hunter2-secret'), null);
    await assert.rejects(verifier.verify('x', { hash: 'hunter2-secret' }), (error: { message: string }) => !error.message.includes('hunter2'));
    assert.equal(await verifier.verify('hunter2-secret', { hash: 'hunter2-secret', scheme: 'plaintext' }), true);
    assert.equal(await verifier.verify('hunter2-secreT', { hash: 'hunter2-secret', scheme: 'plaintext' }), false);
  });

  test('Roundup {plaintext} is recognised by its prefix; an empty one is malformed, not the empty password', async () => {
    assert.equal(verifier.identify('{plaintext}hunter2')?.format, 'roundup-plaintext');
    assert.equal(await verifier.verify('hunter2', { hash: '{plaintext}hunter2' }), true);
    assert.equal(await verifier.verify('{plaintext}hunter2', { hash: '{plaintext}hunter2' }), false);
    await assert.rejects(verifier.verify('', { hash: '{plaintext}' }), code(HashErrorCode.HASH_MALFORMED));
  });

  test('htdigest needs the user and the realm, and takes lower-case hex only, as htdigest writes it', async () => {
    // RFC 2617 §3.5's example: Mufasa, testrealm@host.com, "Circle Of Life".
    const hash = '939e7578ed9e3c518a452acee763bce9';
    const params = { username: 'Mufasa', realm: 'testrealm@host.com' };
    assert.equal(await verifier.verify('Circle Of Life', { hash, scheme: 'htdigest', params }), true);
    assert.equal(await verifier.verify('Circle Of Life', { hash, scheme: 'htdigest', params: { ...params, realm: 'other' } }), false);
    for (const missing of [{ username: 'Mufasa' }, { realm: 'testrealm@host.com' }, {}]) {
      await assert.rejects(verifier.verify('Circle Of Life', { hash, scheme: 'htdigest', params: missing }), code(HashErrorCode.HASH_MALFORMED));
    }
    await assert.rejects(verifier.verify('Circle Of Life', { hash: hash.toUpperCase(), scheme: 'htdigest', params }), code(HashErrorCode.HASH_MALFORMED));
  });

  test('{MD5} and {SHA} in hex (passlib ldap_hex_md5, ldap_hex_sha1) verify, and say they are hex', async () => {
    assert.equal(await verifier.verify('password', { hash: '{MD5}5f4dcc3b5aa765d61d8327deb882cf99' }), true);
    assert.equal(await verifier.verify('password', { hash: '{SHA}5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8' }), true);
    assert.deepEqual(verifier.identify('{SHA}5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8')?.params, { scheme: 'SHA', saltBytes: 0, encoding: 'hex' });
    await assert.rejects(verifier.verify('password', { hash: '{MD5}5f4dcc3b5aa765d61d8327deb882cf9' }), code(HashErrorCode.HASH_MALFORMED));
  });
});

describe('library formats: identify', () => {
  const cases: Array<[string, string, Record<string, unknown>]> = [
    ['crypt$$MEJB9XoXpv3IQ', 'django-des-crypt', {}],
    [`grub.pbkdf2.sha512.1000.8F11C2F85F6BEDFDFF7F0F8190F2FEDF.${GRUB_KEY}`, 'grub-pbkdf2-sha512', { digest: 'sha512', iterations: 1000 }],
    ['$p5k2$2710$QohxTonxvldq7T3nHKN0rg==$bMbg6EQfjykLm9a_ULzolAzeARg=', 'cta-pbkdf2-sha1', { digest: 'sha1', iterations: 10000 }],
    ['$p5k2$$deQX2Pwb$RDhZOLw2HSFF2xkfVhuBoW34FiIUeD78', 'dlitz-pbkdf2-sha1', { digest: 'sha1', iterations: 400 }],
    ['{FSHP1|8|4096}6D3HeC+l9J5Tp2fcbxFYQa47RIwmqBQK8RrUCWn8rlfInQukFCG8Rw==', 'fshp', { algorithm: 'sha256', rounds: 4096, saltBytes: 8 }],
    ['$scram$1000$ECIEgHDOuTcmpJTy$sha-1=SYTcOoUF3PAJyck2A9TdNNY5MZI', 'passlib-scram', { digests: ['sha-1'], iterations: 1000 }],
    ['$7$CU..../....salt$r4ckezyK3/Wh7UWRZUCYlbUImq1wt069RwecCCIl6u4', 'scrypt', { N: 16384, r: 32, p: 1 }],
    ['$2$04$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'bcrypt', { variant: '2', cost: 4 }],
    ['$bcrypt-sha256$2a,5$4XEDOKkQA1oR4QXNJ3J4vu$xSjD31G6FSbaeddveTJYcPSPsJyWGY2', 'passlib-bcrypt-sha256', { version: 1, variant: '2a', cost: 5 }],
  ];
  for (const [hash, format, params] of cases) {
    test(`${format}: ${hash.slice(0, 30)}… — its parameters, never its digest`, () => {
      assert.deepEqual(verifier.identify(hash), { format, params });
    });
  }
});

describe('crypt64 decoding and SASLprep', () => {
  test('crypt64 integers and bytes are little-endian; bad characters, lengths and padding bits are refused', () => {
    assert.equal(decodeHash64Int('U'), 32);
    assert.equal(decodeHash64Int('/....'), 1);
    assert.equal(decodeHash64Int('-'), null);
    assert.deepEqual(decodeHash64Bytes('/.'), Buffer.from([1]));
    assert.deepEqual(decodeHash64Bytes(''), Buffer.alloc(0));
    assert.equal(decodeHash64Bytes('/'), null);
    assert.deepEqual(decodeHash64Bytes('//'), Buffer.from([65]));
    assert.equal(decodeHash64Bytes('.2'), null, 'bits above the byte are set');
    assert.equal(decodeHash64Bytes('ab c'), null);
  });

  test('SASLprep removes, maps and normalises as RFC 4013 says, and refuses prohibited characters', () => {
    assert.equal(saslprep('I\u00ADX'), 'IX');
    assert.equal(saslprep('user'), 'user');
    assert.equal(saslprep('USER'), 'USER');
    assert.equal(saslprep('\u00AA'), 'a');
    assert.equal(saslprep('\u2168'), 'IX');
    assert.equal(saslprep('a\u00A0b'), 'a b');
    assert.equal(saslprep('\u0007'), null);
    assert.equal(saslprep('a\uE000'), null);
  });
});
