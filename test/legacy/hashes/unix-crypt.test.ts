import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { bsdiCrypt, crypt16, desCrypt } from '../../../src/legacy/hashes/compute/des-crypt.js';
import { createPasswordVerifier, HashErrorCode } from '../../../src/legacy/hashes/index.js';
import { constantTimeEqual } from '../../../src/legacy/hashes/compare.js';
import { bsdiCryptFormat } from '../../../src/legacy/hashes/formats/unix-crypt/bsdi-crypt.js';
import { disabled } from '../../../src/legacy/hashes/formats/unix-crypt/disabled.js';
import { UNIX_CRYPT_FORMATS } from '../../../src/legacy/hashes/formats/unix-crypt/index.js';
import { FAMILY_VECTORS } from './vectors.js';

const verifier = createPasswordVerifier({ limits: { cryptRounds: 100_000 } });
after(() => verifier.close());

const SHA512_CRYPT = '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'; // "Hello world!"
const SHA1_CRYPT = '$sha1$10$c.mcTzCw$gF8UeYst9yXX7WNZKc5Fjkq0.au7'; // "password" (passlib's tests)
const code = (expected: string) => (error: { code?: string }) => error.code === expected;

describe('disabled passwords', () => {
  const markers = ['!', '*', '!!', '*LK*', '*NP*', '!!$6$x', `!${SHA512_CRYPT}`, `*${SHA512_CRYPT}`, `!${'aB3'.repeat(13)}x`, '!*', '*LOCKED*'];

  test('every marker is recognised as disabled, by shape, before any other format', () => {
    for (const hash of markers) assert.equal(verifier.identify(hash)?.format, 'disabled', hash);
  });

  test('no password matches, the right one of a locked hash included', async () => {
    assert.equal(await verifier.verify('Hello world!', { hash: SHA512_CRYPT }), true, 'the hash itself works');
    for (const hash of markers) {
      for (const password of ['Hello world!', '', '!', hash]) assert.equal(await verifier.verify(password, { hash }), false, hash);
    }
    assert.equal(await verifier.verify('x', { hash: '!', scheme: 'disabled' }), false);
  });

  test('its parameters name the kind of marker, never what follows it', () => {
    assert.deepEqual(verifier.identify('!')?.params, { kind: 'marker' });
    assert.deepEqual(verifier.identify('*LK*')?.params, { kind: 'marker' });
    assert.deepEqual(verifier.identify(`!${'k'.repeat(40)}`)?.params, { kind: 'django-unusable' });
    assert.deepEqual(verifier.identify(`!${SHA512_CRYPT}`)?.params, { kind: 'locked' });
  });

  test('a MySQL 4.1 hash (* and 40 hex digits) stays MySQL', () => {
    assert.equal(verifier.identify(`*${'2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'}`)?.format, 'mysql41');
  });

  test('a hostile marker (a megabyte, control characters) is still only disabled', async () => {
    for (const hash of [`!${'x'.repeat(1 << 20)}`, '*\u0000\n\r$', '!\u202e']) {
      assert.equal(verifier.identify(hash)?.format, 'disabled');
      assert.equal(await verifier.verify('x', { hash }), false);
    }
  });

  test('only strings starting ! or * are disabled', () => {
    for (const hash of ['', 'abc', '$1$xxx', '{SHA}xxx', './az', ' !']) assert.equal(disabled.matches(hash), false, hash);
  });
});

describe('sha1-crypt and sun-md5-crypt', () => {
  test('rounds above the crypt rounds limit are refused before any work', async () => {
    await assert.rejects(verifier.verify('password', { hash: '$sha1$100001$c.mcTzCw$gF8UeYst9yXX7WNZKc5Fjkq0.au7' }), code(HashErrorCode.HASH_PARAMS_OVER_LIMIT));
    await assert.rejects(verifier.verify('password', { hash: '$md5,rounds=200000$RPgLF6IJ$$WTvAlUJ7MqH5xak2FMEwS/' }), code(HashErrorCode.HASH_PARAMS_OVER_LIMIT));
  });

  test('malformed and hostile strings are HASH_MALFORMED, and the message quotes neither hash nor password', async () => {
    const hostile = ['$sha1$', '$sha1$1$$', `$sha1$1$${'a'.repeat(100_000)}$gF8UeYst9yXX7WNZKc5Fjkq0.au7`, '$sha1$99999999999$a$gF8UeYst9yXX7WNZKc5Fjkq0.au7', '$md5$', '$md5,rounds=$a$$WTvAlUJ7MqH5xak2FMEwS/', `$md5$${'$'.repeat(10_000)}`, '$md5,rounds=1\u0000$a$$WTvAlUJ7MqH5xak2FMEwS/'];
    for (const hash of hostile) {
      await assert.rejects(verifier.verify('Secret-Pa55', { hash }), (error: Error & { code?: string }) => {
        assert.equal(error.code, HashErrorCode.HASH_MALFORMED, hash.slice(0, 40));
        assert.ok(!error.message.includes('Secret-Pa55') && !error.message.includes('gF8UeYst9yXX7WNZKc5Fjkq0'), error.message);
        return true;
      });
    }
  });

  test('{CRYPT}-wrapped (passlib ldap_sha1_crypt) is prepared as the inner hash', async () => {
    assert.deepEqual(verifier.identify(`{CRYPT}${SHA1_CRYPT}`), { format: 'prefixed', params: { wrapper: 'LDAP {CRYPT}', rounds: 10 } });
    assert.equal(await verifier.verify('password', { hash: `{CRYPT}${SHA1_CRYPT}` }), true);
    assert.equal(await verifier.verify('password', { hash: '{CRYPT}!' }), false, '{CRYPT}! is a disabled account');
  });

  test('a password with a NUL byte never matches (NetBSD stops at it, passlib refuses it)', async () => {
    assert.equal(await verifier.verify('password\u0000', { hash: SHA1_CRYPT }), false);
  });

  test('the rounds run in slices: the event loop keeps turning during a long check', async () => {
    const hash = '$sha1$50000$c.mcTzCw$gF8UeYst9yXX7WNZKc5Fjkq0.au7';
    let turns = 0;
    let running = true;
    const tick = () => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    await verifier.verify('password', { hash });
    running = false;
    assert.ok(turns > 10, `the loop turned ${turns} times`);
  });
});

describe('bigcrypt and crypt16 (named only)', () => {
  test('neither is recognised by shape: their strings overlap DES crypt', () => {
    assert.equal(verifier.identify('qiyh4XPJGsOZ2MEAyLkfWqeQ'), null);
    assert.equal(verifier.identify('qi8H8R7OM4xMUNMPuRAZxlY.'), null);
  });

  test('a bigcrypt matches only a password of its number of blocks', async () => {
    const stored = { hash: 'qiyh4XPJGsOZ2MEAyLkfWqeQ', scheme: 'bigcrypt' };
    assert.equal(await verifier.verify('passphrase', stored), true);
    assert.equal(await verifier.verify('passphrase12345678', stored), false, 'a third block');
    assert.equal(await verifier.verify('passphra', stored), false, 'one block');
    assert.equal(await verifier.verify('passphrase', { hash: 'qiyh4XPJGsOZ', scheme: 'bigcrypt' }).catch((error: { code?: string }) => error.code), HashErrorCode.HASH_MALFORMED);
  });

  test('over 16 blocks is malformed', async () => {
    await assert.rejects(verifier.verify('x', { hash: `qi${'yh4XPJGsOZ2'.repeat(17)}`, scheme: 'bigcrypt' }), code(HashErrorCode.HASH_MALFORMED));
  });
});

describe('compute/des-crypt.ts', () => {
  test('DES crypt is unchanged', () => {
    assert.equal(desCrypt(Buffer.from('test'), 'ab'), 'abgOeLfPimXQo');
  });

  test('crypt16 (passlib tests)', () => {
    assert.equal(crypt16(Buffer.from('LOLOAQICI82QB4IP'), '/.'), '/.FcK3mad6JwYt8LVmDqz9Lc');
    assert.equal(crypt16(Buffer.from('L'), '/.'), '/.CIu/PzYCkl6elhbtlysKy6');
  });

  // passlib 1.7.4 tests _bsdi_crypt_test.known_correct_hashes (from John the Ripper 1.7.9, and passlib's own)
  const BSDI: ReadonlyArray<[string, string]> = [
    ['U*U*U*U*', '_J9..CCCCXBrJUJV154M'],
    ['U*U***U', '_J9..CCCCXUhOBTXzaiE'],
    ['*U*U*U*U*U*U*U*U*', '_J9..XXXXAj8cFbP5scI'],
    ['zxyDPWgydbQjgq', '_J9..SDizxmRI1GjnQuE'],
    ['726 even', '_K9..SaltNrQgIYUAeoY'],
    ['', '_J9..SDSD5YGyRCr4W4c'],
    ['my', '_KR/.crsmykRplHbAvwA'],
    ['my socrates note', '_K1..crsm/2qeAhdISMA'],
  ];
  test('BSDi extended DES (passlib tests; not registered until a worker-pool task runs it)', () => {
    for (const [password, hash] of BSDI) assert.equal(bsdiCrypt(Buffer.from(password), hash.slice(0, 9)), hash, password);
  });

  test('the family registers its formats once each', () => {
    assert.deepEqual(UNIX_CRYPT_FORMATS.map((format) => format.id), ['sha1-crypt', 'sun-md5-crypt', 'bsdi-crypt', 'disabled', 'bigcrypt', 'crypt16']);
  });
});

describe('bsdi-crypt, computed in process (the registered format runs the same function in the worker pool)', () => {
  const format = bsdiCryptFormat(async (password, expected) => constantTimeEqual(Buffer.from(bsdiCrypt(Buffer.from(password), expected.slice(0, 9))), Buffer.from(expected)));
  const local = createPasswordVerifier({ formats: [format], limits: { cryptRounds: 100_000 } });
  after(() => local.close());

  test('passlib vectors match, a one-character change does not', async () => {
    for (const [password, hash] of [['U*U*U*U*', '_J9..CCCCXBrJUJV154M'], ['', '_J9..SDSD5YGyRCr4W4c'], ['my socrates note', '_K1..crsm/2qeAhdISMA']] as const) {
      assert.equal(await local.verify(password, { hash }), true, hash);
      assert.equal(await local.verify(`x${password.slice(1)}`, { hash }), false, hash);
    }
    assert.deepEqual(local.identify('_J9..CCCCXBrJUJV154M'), { format: 'bsdi-crypt', params: { rounds: 725 } });
  });

  test('malformed, zero and over-limit rounds are refused before any work', async () => {
    for (const hash of ['_K1.!crsmZxOLzfJH8iw', '_J9..CCCCXBrJUJV154', '_J9..CCCCXBrJUJV154M.', '_....CCCCXBrJUJV154M']) {
      await assert.rejects(local.verify('x', { hash, scheme: 'bsdi-crypt' }), code(HashErrorCode.HASH_MALFORMED), hash);
    }
    await assert.rejects(local.verify('x', { hash: '_zzzzCCCCXBrJUJV154M' }), code(HashErrorCode.HASH_PARAMS_OVER_LIMIT));
  });
});

describe('{CRYPT} behind LDAP', () => {
  const verifier = createPasswordVerifier();
  after(() => verifier.close());
  const des = FAMILY_VECTORS.find((vector) => /^\{CRYPT\}[./0-9A-Za-z]{13}$/.test(vector.hash) && vector.password !== undefined)!;

  test('thirteen crypt64 characters behind {CRYPT} are DES crypt (passlib ldap_des_crypt), and the scheme name is read in any case', async () => {
    assert.equal(await verifier.verify(des.password!, { hash: des.hash }), true);
    assert.equal(await verifier.verify(des.password!, { hash: `{crypt}${des.hash.slice(7)}` }), true, 'OpenLDAP reads {crypt} as {CRYPT}');
    assert.equal(await verifier.verify(`x${des.password}`, { hash: `{Crypt}${des.hash.slice(7)}` }), false);
    await assert.rejects(verifier.verify('password', { hash: '{CRYPT}abc' }), (error: { code?: string }) => error.code === 'HASH_FORMAT_UNSUPPORTED' || error.code === 'HASH_MALFORMED');
  });
});
