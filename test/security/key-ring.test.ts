import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { generateDecryptionKey, loadKeyRing, SecurityErrorCode, x5tOf } from '../../src/security/index.js';
import { replaceableKeyRing } from '../../src/security/key-ring.js';
import { ringOf, twoKeys } from './support.js';

const invalid = (error: unknown) => {
  assert.equal((error as { code?: string }).code, SecurityErrorCode.KEY_INVALID, String(error));
  assert.match((error as Error).message, /the-source\.pem/, 'names the source');
  assert.doesNotMatch((error as Error).message, /-----BEGIN|MII|AAAA/, 'never quotes key material');
  return true;
};

describe('generateDecryptionKey', () => {
  test('makes an RSA key and a self-signed certificate whose x5t is the SHA-1 of its DER', async () => {
    const now = new Date(Date.UTC(2026, 0, 1));
    const key = await generateDecryptionKey({ subject: 'CN=test', validityInDays: 30, now });
    const certificate = new X509Certificate(key.certificatePem);
    assert.equal(certificate.subject, 'CN=test');
    assert.equal(x5tOf(certificate.raw), key.x5t);
    assert.deepEqual(new Uint8Array(certificate.raw), key.certificateDer);
    assert.equal(new Date(certificate.validTo).getTime(), now.getTime() + 30 * 86_400_000);
    assert.equal(createPrivateKey(key.privateKeyPem).asymmetricKeyDetails?.modulusLength, 2048);
    assert.ok(certificate.checkPrivateKey(createPrivateKey(key.privateKeyPem)));
  });

  test('refuses a validity outside 1–3650 days', async () => {
    await assert.rejects(generateDecryptionKey({ validityInDays: 0 }), RangeError);
    await assert.rejects(generateDecryptionKey({ validityInDays: 3651 }), RangeError);
  });
});

describe('loadKeyRing', () => {
  test('PKCS#8 with its certificate: the key is known by its x5t and expiry', async () => {
    const [one] = await twoKeys();
    const ring = loadKeyRing([{ pem: one!.certificatePem + one!.privateKeyPem, source: 'a.pem' }]);
    assert.equal(ring.keys[0]!.x5t, one!.x5t);
    assert.equal(ring.keys[0]!.id, one!.x5t);
    assert.equal(ring.keys[0]!.notAfter?.getTime(), one!.notAfter.getTime());
  });

  test('PKCS#1 without a certificate: tried for every JWE', async () => {
    const [one] = await twoKeys();
    const pkcs1 = createPrivateKey(one!.privateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
    const ring = loadKeyRing([{ pem: pkcs1, source: 'b.pem' }]);
    assert.equal(ring.keys[0]!.x5t, undefined);
    assert.equal(ring.keys[0]!.id, 'key-1');
    assert.equal(ring.candidatesFor('anything').length, 1);
  });

  test("a certificate that is not the key's own, a short key, a non-RSA key, an encrypted key and garbage are refused", async () => {
    const [one, two] = await twoKeys();
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const encrypted = createPrivateKey(one!.privateKeyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }).toString();
    for (const pem of [
      one!.privateKeyPem + two!.certificatePem,
      short,
      ec,
      encrypted,
      'not a pem at all',
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
      one!.privateKeyPem + two!.privateKeyPem,
      one!.certificatePem,
      one!.privateKeyPem + '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
    ]) {
      assert.throws(() => loadKeyRing([{ pem, source: 'the-source.pem' }]), invalid);
    }
  });

  test('candidatesFor puts the named key first and keeps the others', async () => {
    const [one, two] = await twoKeys();
    const ring = loadKeyRing([
      { pem: one!.privateKeyPem + one!.certificatePem, source: 'one' },
      { pem: two!.privateKeyPem + two!.certificatePem, source: 'two' },
    ]);
    assert.deepEqual(ring.candidatesFor(two!.x5t).map((key) => key.source), ['two', 'one']);
    assert.deepEqual(ring.candidatesFor(undefined).map((key) => key.source), ['one', 'two']);
    assert.deepEqual(ring.candidatesFor('unknown').map((key) => key.source), ['one', 'two']);
  });
});

describe('replaceableKeyRing', () => {
  test('keys and candidatesFor read the set last given to replace', async () => {
    const [one, two] = await twoKeys();
    const first = ringOf(one!).keys;
    const second = ringOf(two!).keys;
    const ring = replaceableKeyRing(first);
    assert.deepEqual(ring.keys.map((key) => key.x5t), [one!.x5t]);
    const before = ring.candidatesFor(one!.x5t);
    ring.replace(second);
    assert.deepEqual(ring.keys.map((key) => key.x5t), [two!.x5t]);
    assert.deepEqual(ring.candidatesFor(two!.x5t).map((key) => key.x5t), [two!.x5t]);
    assert.deepEqual(before.map((key) => key.x5t), [one!.x5t], 'candidates already handed out are not changed');
  });

  test('an x5t the ring does not hold asks onUnknownX5t first, and the set it puts in place is searched', async () => {
    const [one, two] = await twoKeys();
    const asked: string[] = [];
    const ring = replaceableKeyRing(ringOf(one!).keys, {
      onUnknownX5t: (x5t) => {
        asked.push(x5t);
        if (x5t === two!.x5t) ring.replace(ringOf(one!, two!).keys);
      },
    });
    ring.candidatesFor(one!.x5t);
    ring.candidatesFor(undefined);
    assert.deepEqual(asked, [], 'a held x5t, or none, asks nothing');
    assert.equal(ring.candidatesFor(two!.x5t)[0]!.x5t, two!.x5t, 'the key just put in place is the first candidate');
    assert.deepEqual(asked, [two!.x5t]);
    assert.deepEqual(ring.candidatesFor('made-up').map((key) => key.x5t), [one!.x5t, two!.x5t], 'still unknown: every key is tried');
    assert.deepEqual(asked, [two!.x5t, 'made-up']);
  });
});
