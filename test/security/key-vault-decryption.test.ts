import assert from 'node:assert/strict';
import { constants, createCipheriv, createPrivateKey, privateDecrypt, publicEncrypt, randomBytes, X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import { decryptPasswordContext, loadKeyRing, remoteDecryptionKey, SecurityErrorCode, type KeyUnwrapper } from '../../src/security/index.js';
import { APP_ID, NOW, contextClaims, deflated, encryptTo, twoKeys, unsignedJwt } from './support.js';

/** Key Vault's CryptographyClient.unwrapKey, in process: RSA-OAEP(-256) with a key the test holds, counting calls. */
function fakeVault(privateKeyPem: string, behaviour: 'normal' | 'hang' | 'deaf' | 'down' = 'normal') {
  const key = createPrivateKey(privateKeyPem);
  let calls = 0;
  const unwrapper: KeyUnwrapper = {
    async unwrapKey(algorithm, encryptedKey, options) {
      calls++;
      if (behaviour === 'down') throw Object.assign(new Error('ServiceUnavailable'), { statusCode: 503 });
      if (behaviour === 'hang') await new Promise((_resolve, reject) => options?.abortSignal?.addEventListener('abort', () => reject(options.abortSignal!.reason)));
      if (behaviour === 'deaf') await new Promise(() => undefined); // ignores the abort signal: never settles
      try {
        return { result: privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: algorithm === 'RSA-OAEP-256' ? 'sha256' : 'sha1' }, encryptedKey) };
      } catch {
        throw Object.assign(new Error('BadParameter: the key cannot unwrap this'), { statusCode: 400 });
      }
    },
  };
  return { unwrapper, calls: () => calls };
}

const decrypt = (jwe: string, ring: ReturnType<typeof loadKeyRing>) => decryptPasswordContext(jwe, { keyRing: ring, expectedAudience: APP_ID, now: NOW, remoteTimeoutInMs: 200 });

describe('password contexts decrypted with a key held in Key Vault', () => {
  test('every accepted algorithm pair, with and without DEF: the content key is unwrapped in the vault, the rest here', async () => {
    const [one] = await twoKeys();
    const vault = fakeVault(one!.privateKeyPem);
    const ring = loadKeyRing([], [remoteDecryptionKey({ keyId: 'https://contoso.vault.azure.net/keys/jit/0123456789abcdef0123456789abcdef', unwrapper: vault.unwrapper, certificatePem: one!.certificatePem })]);
    assert.equal(ring.keys[0]!.x5t, one!.x5t);
    assert.equal(ring.keys[0]!.privateKey, undefined);
    const plaintext = unsignedJwt(contextClaims());
    for (const alg of ['RSA-OAEP', 'RSA-OAEP-256']) {
      for (const enc of ['A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512', 'A128GCM', 'A256GCM']) {
        for (const zip of [true, false]) {
          const jwe = await encryptTo(one!.certificatePem, plaintext, { alg, enc, zip, x5t: one!.x5t });
          const context = await decrypt(jwe, ring);
          assert.equal(context.nonce, 'nonce-123', `${alg} ${enc} zip=${zip}`);
          assert.equal(context.password, 'Pass-Word-1');
        }
      }
    }
    assert.equal(vault.calls(), 20);
  });

  test('during a rotation the x5t picks the vault key or the file key; a vault key that is not the one is passed over', async () => {
    const [one, two] = await twoKeys();
    const vault = fakeVault(one!.privateKeyPem);
    const ring = loadKeyRing([{ pem: two!.privateKeyPem + two!.certificatePem, source: 'two.pem' }], [remoteDecryptionKey({ keyId: 'https://contoso.vault.azure.net/keys/jit', unwrapper: vault.unwrapper, certificatePem: one!.certificatePem })]);
    const plaintext = unsignedJwt(contextClaims());
    assert.equal((await decrypt(await encryptTo(two!.certificatePem, plaintext, { x5t: two!.x5t }), ring)).nonce, 'nonce-123');
    assert.equal(vault.calls(), 0, 'the x5t named the file key');
    assert.equal((await decrypt(await encryptTo(one!.certificatePem, plaintext, { x5t: one!.x5t }), ring)).nonce, 'nonce-123');
    assert.equal(vault.calls(), 1);
    // No x5t: the file key fails, the vault key is asked.
    assert.equal((await decrypt(await encryptTo(one!.certificatePem, plaintext), ring)).nonce, 'nonce-123');
    // Only the vault key, and the context was encrypted to another: the vault refuses (400), nothing decrypts it.
    const vaultFirst = loadKeyRing([], [remoteDecryptionKey({ keyId: 'https://contoso.vault.azure.net/keys/jit', unwrapper: vault.unwrapper })]);
    await assert.rejects(decrypt(await encryptTo(two!.certificatePem, plaintext), vaultFirst), { code: SecurityErrorCode.CONTEXT_DECRYPT_FAILED });
  });

  test('tampered ciphertext, tag, header or IV all read "could not be decrypted"', async () => {
    const [one] = await twoKeys();
    const ring = loadKeyRing([], [remoteDecryptionKey({ keyId: 'https://contoso.vault.azure.net/keys/jit', unwrapper: fakeVault(one!.privateKeyPem).unwrapper })]);
    for (const enc of ['A128CBC-HS256', 'A256GCM']) {
      const jwe = await encryptTo(one!.certificatePem, unsignedJwt(contextClaims()), { enc, zip: false });
      const parts = jwe.split('.');
      for (const index of [2, 3, 4]) {
        const bytes = Buffer.from(parts[index]!, 'base64url');
        bytes[0]! ^= 1;
        const tampered = parts.map((part, i) => (i === index ? bytes.toString('base64url') : part)).join('.');
        await assert.rejects(decrypt(tampered, ring), { code: SecurityErrorCode.CONTEXT_DECRYPT_FAILED }, `${enc} part ${index}`);
      }
      const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()) as Record<string, unknown>;
      const reheadered = [Buffer.from(JSON.stringify({ ...header, kid: 'x' })).toString('base64url'), ...parts.slice(1)].join('.');
      await assert.rejects(decrypt(reheadered, ring), { code: SecurityErrorCode.CONTEXT_DECRYPT_FAILED }, 'the header is authenticated');
    }
  });

  test('refused before the vault is asked: RSA1_5, dir, an unknown enc, crit, an unknown zip, not five parts', async () => {
    const [one] = await twoKeys();
    const vault = fakeVault(one!.privateKeyPem);
    const ring = loadKeyRing([], [remoteDecryptionKey({ keyId: 'https://contoso.vault.azure.net/keys/jit', unwrapper: vault.unwrapper })]);
    const jwe = await encryptTo(one!.certificatePem, unsignedJwt(contextClaims()), { zip: false });
    const withHeader = (header: Record<string, unknown>) => [Buffer.from(JSON.stringify(header)).toString('base64url'), ...jwe.split('.').slice(1)].join('.');
    for (const header of [{ alg: 'RSA1_5', enc: 'A128CBC-HS256' }, { alg: 'dir', enc: 'A128GCM' }, { alg: 'RSA-OAEP', enc: 'A128CBC' }, { alg: 'RSA-OAEP', enc: 'A128GCM', crit: ['exp'] }, { alg: 'RSA-OAEP', enc: 'A128GCM', zip: 'GZIP' }]) {
      await assert.rejects(decrypt(withHeader(header), ring), { code: SecurityErrorCode.CONTEXT_MALFORMED }, JSON.stringify(header));
    }
    await assert.rejects(decrypt('a.b.c.d', ring), { code: SecurityErrorCode.CONTEXT_MALFORMED });
    assert.equal(vault.calls(), 0);
  });

  test('a deflate bomb stops at the inflation limit', async () => {
    const [one] = await twoKeys();
    const ring = loadKeyRing([], [remoteDecryptionKey({ keyId: 'https://contoso.vault.azure.net/keys/jit', unwrapper: fakeVault(one!.privateKeyPem).unwrapper })]);
    const header = Buffer.from(JSON.stringify({ alg: 'RSA-OAEP', enc: 'A128GCM', zip: 'DEF' })).toString('base64url');
    const cek = randomBytes(16);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-128-gcm', cek, iv).setAAD(Buffer.from(header, 'ascii'));
    const ciphertext = Buffer.concat([cipher.update(deflated(new Uint8Array(10 * 1024 * 1024))), cipher.final()]);
    const encryptedKey = publicEncrypt({ key: new X509Certificate(one!.certificatePem).publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, cek);
    const jwe = [header, encryptedKey.toString('base64url'), iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    await assert.rejects(decrypt(jwe, ring), { code: SecurityErrorCode.CONTEXT_TOO_LARGE });
  });

  test('a vault that does not answer in time (even one deaf to its abort signal), or is down, is KEY_UNAVAILABLE — never a silent "wrong password"', async () => {
    const [one] = await twoKeys();
    const jwe = await encryptTo(one!.certificatePem, unsignedJwt(contextClaims()));
    for (const behaviour of ['hang', 'deaf', 'down'] as const) {
      const ring = loadKeyRing([], [remoteDecryptionKey({ keyId: 'https://contoso.vault.azure.net/keys/jit', unwrapper: fakeVault(one!.privateKeyPem, behaviour).unwrapper })]);
      const started = Date.now();
      await assert.rejects(decrypt(jwe, ring), (error: Error & { code?: string }) => {
        assert.equal(error.code, SecurityErrorCode.KEY_UNAVAILABLE);
        assert.doesNotMatch(error.message, /Pass-Word-1/);
        return true;
      });
      assert.ok(Date.now() - started < 2000, behaviour);
    }
  });

  test('a certificate that cannot be parsed is refused when the key is declared', () => {
    assert.throws(() => remoteDecryptionKey({ keyId: 'https://contoso.vault.azure.net/keys/jit', unwrapper: { unwrapKey: async () => ({ result: new Uint8Array() }) }, certificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }), { code: SecurityErrorCode.KEY_INVALID });
  });
});
