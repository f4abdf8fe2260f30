import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { createPasswordVerifier, HashErrorCode } from '../../../src/legacy/hashes/index.js';
import { desEncryptBlock, expandDesKey } from '../../../src/legacy/hashes/formats/windows/shared.js';
import { WINDOWS_FORMATS } from '../../../src/legacy/hashes/formats/windows/index.js';
import { DEFAULT_HASH_LIMITS } from '../../../src/legacy/hashes/limits.js';
import { oneCharacterOff, passwordOf, type FamilyVector } from './vectors.js';

const verifier = createPasswordVerifier();
after(() => verifier.close());

// Written by scripts/vectors/windows.py with Debian's passlib 1.7.4 (its handlers and its own unit-test vectors).
const VECTORS = JSON.parse(readFileSync(new URL('../../fixtures/vectors/families/windows.json', import.meta.url), 'utf8')) as Omit<FamilyVector, 'family'>[];
const malformedCode = (error: { code?: string }) => error.code === HashErrorCode.HASH_MALFORMED;

describe('the windows family', () => {
  test('every format has correct and malformed vectors from passlib', () => {
    for (const format of WINDOWS_FORMATS) {
      assert.ok(VECTORS.some((vector) => vector.format === format.id && !vector.malformed), `${format.id}: no correct vector`);
      assert.ok(VECTORS.some((vector) => vector.format === format.id && vector.malformed), `${format.id}: no malformed vector`);
    }
  });

  test('each vector both ways: its password matches, a one-character change does not, a malformed hash is refused', async () => {
    for (const vector of VECTORS) {
      const stored = { hash: vector.hash, scheme: vector.format, ...(vector.params && { params: vector.params }) };
      if (vector.malformed) {
        await assert.rejects(verifier.verify('any-password', stored), malformedCode, `${vector.format} ${vector.hash}`);
        continue;
      }
      const password = passwordOf(vector);
      assert.equal(await verifier.verify(password, stored), true, `${vector.format} ${vector.hash} (${vector.source})`);
      assert.equal(await verifier.verify(oneCharacterOff(password), stored), false, `${vector.format} ${vector.hash}: a one-character change`);
    }
  });

  test('only bsd-nthash ($3$$) and oracle11 (S:) are self-describing; 32 hex digits stay unrecognised', () => {
    assert.equal(verifier.identify('$3$$7f8fe03093cc84b267b109625f6bbf4b')?.format, 'bsd-nthash');
    assert.equal(verifier.identify('S:5FDAB69F543563582BA57894FE1C1361FB8ED57B903603F2C52ED1B4D642')?.format, 'oracle11');
    for (const hash of ['7f8fe03093cc84b267b109625f6bbf4b', 'F894844C34402B67', '2KFQnbNIdI.2KYOU', '060506324F41584B56']) {
      const found = verifier.identify(hash)?.format;
      assert.ok(found === undefined || !WINDOWS_FORMATS.some((format) => format.id === found), `${hash} taken by ${found}`);
    }
  });

  test('the formats salted with the user name refuse a row without one, and a non-string one', async () => {
    for (const [scheme, hash] of [['msdcc', 'b1176c2587478785ec1037e5abc916d0'], ['msdcc2', '607bbe89611e37446e736f7856515bf8'], ['oracle10', 'F894844C34402B67']] as const) {
      await assert.rejects(verifier.verify('x', { hash, scheme }), malformedCode);
      await assert.rejects(verifier.verify('x', { hash, scheme, params: { username: '' } }), malformedCode);
      await assert.rejects(verifier.verify('x', { hash, scheme, params: { username: 42 } }), malformedCode);
    }
    await assert.rejects(verifier.verify('cisco', { hash: 'hN7LzeyYjw12FSIU', scheme: 'cisco-pix', params: { username: ['john'] } }), malformedCode);
  });

  test('the user name is case-insensitive for MS Cache, and part of the Oracle 10g hash', async () => {
    assert.equal(await verifier.verify('test1', { hash: '607bbe89611e37446e736f7856515bf8', scheme: 'msdcc2', params: { username: 'TeSt1' } }), true);
    assert.equal(await verifier.verify('tiger', { hash: 'F894844C34402B67', scheme: 'oracle10', params: { username: 'SCOTT' } }), true);
    assert.equal(await verifier.verify('tiger', { hash: 'F894844C34402B67', scheme: 'oracle10', params: { username: 'scot' } }), false);
  });

  test('the user name may come in the salt column, as for postgres-md5; params.username wins', async () => {
    assert.equal(await verifier.verify('tiger', { hash: 'F894844C34402B67', scheme: 'oracle10', params: { salt: 'scott' } }), true);
    assert.equal(await verifier.verify('Asdf999', { hash: 'b1176c2587478785ec1037e5abc916d0', scheme: 'msdcc', params: { salt: 'sevans' } }), true);
    assert.equal(await verifier.verify('cisco', { hash: 'hN7LzeyYjw12FSIU', scheme: 'cisco-pix', params: { salt: 'john' } }), true);
    assert.equal(await verifier.verify('tiger', { hash: 'F894844C34402B67', scheme: 'oracle10', params: { username: 'scott', salt: 'other' } }), true);
  });

  test('hostile input: oversized, control characters, an unknown LM encoding, prototype keys — refused without work', async () => {
    const hostile = ['a'.repeat(100_000), '0'.repeat(32) + '\n', '\u0000'.repeat(32), `$3$$${'0'.repeat(100_000)}`, `S:${'A'.repeat(60)}\u0000`, '08' + 'AB'.repeat(50_000) + 'A'];
    for (const hash of hostile) {
      for (const scheme of ['nthash', 'bsd-nthash', 'oracle11', 'lmhash', 'cisco-pix', 'cisco-asa', 'cisco-type7']) {
        await assert.rejects(verifier.verify('x', { hash, scheme }), malformedCode, `${scheme} ${JSON.stringify(hash.slice(0, 20))}`);
      }
    }
    for (const encoding of ['ascii', '__proto__', 'constructor', 7]) {
      await assert.rejects(verifier.verify('x', { hash: 'aad3b435b51404eeaad3b435b51404ee', scheme: 'lmhash', params: { encoding } }), malformedCode);
    }
  });

  test('the params a format reports never hold the user name', () => {
    const context = { limits: DEFAULT_HASH_LIMITS, nested: () => assert.fail('no nesting') };
    for (const [id, hash] of [['msdcc', 'b1176c2587478785ec1037e5abc916d0'], ['msdcc2', '607bbe89611e37446e736f7856515bf8'], ['oracle10', 'F894844C34402B67'], ['cisco-asa', 'hN7LzeyYjw12FSIU']] as const) {
      const format = WINDOWS_FORMATS.find((candidate) => candidate.id === id)!;
      const { params } = format.prepare({ hash, scheme: id, params: { username: 'alice.secret' } }, context);
      assert.ok(!JSON.stringify(params).includes('alice'), id);
    }
  });

  test('an error never quotes the stored hash or the user name', async () => {
    const error = await verifier.verify('x', { hash: 'S:SECRETSECRET', scheme: 'oracle11' }).catch((caught: Error) => caught);
    assert.ok(error instanceof Error && !error.message.includes('SECRET'));
    const missing = await verifier.verify('x', { hash: 'SECRETSECRET', scheme: 'msdcc', params: { username: 'alice' } }).catch((caught: Error) => caught);
    assert.ok(missing instanceof Error && !missing.message.includes('SECRET') && !missing.message.includes('alice'));
  });

  test('LM: a password with a character code page 437 lacks never matches; over 14 bytes is cut, as Windows did', async () => {
    assert.equal(await verifier.verify('\u5bc6', { hash: 'aad3b435b51404eeaad3b435b51404ee', scheme: 'lmhash' }), false);
    assert.equal(await verifier.verify('PASSPHRASE', { hash: '855c3697d9979e78ac404c4ba2c66533', scheme: 'lmhash' }), true, 'case-insensitive');
    const long = VECTORS.find((vector) => vector.format === 'lmhash' && vector.password === 'abcdefghijklmnopq');
    assert.ok(long, 'the 17-character LM vector');
    assert.equal(await verifier.verify('ABCDEFGHIJKLMNxyz', { hash: long.hash, scheme: 'lmhash' }), true);
  });

  test('Cisco PIX: a password over 16 bytes never matches (the device refuses it)', async () => {
    assert.equal(await verifier.verify('0123456789abcdefX', { hash: '.7nfVBEIEu4KbF/1', scheme: 'cisco-pix' }), false);
    assert.equal(await verifier.verify('0123456789abcdef', { hash: '.7nfVBEIEu4KbF/1', scheme: 'cisco-pix' }), true);
  });

  test('DES by triple DES with equal keys: the FIPS 81 example, and the LM key spread', () => {
    assert.equal(desEncryptBlock(Buffer.from('0123456789abcdef', 'hex'), Buffer.from('Now is t')).toString('hex'), '3fa40e8a984d4815');
    assert.equal(expandDesKey(Buffer.from('ffffffffffffff', 'hex')).toString('hex'), 'fefefefefefefefe');
    assert.equal(expandDesKey(Buffer.alloc(7)).toString('hex'), '0000000000000000');
  });
});
