import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { constants, createCipheriv, publicEncrypt, randomBytes, X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import { decryptPasswordContext, SecurityErrorCode } from '../../src/security/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { APP_ID, NOW, NOW_S, contextClaims, deflated, encryptTo, ringOf, twoKeys, unsignedJwt } from './support.js';

const rejectsWith = (code: string) => (error: unknown) => {
  assert.equal((error as { code?: string }).code, code, String(error));
  for (const text of [(error as Error).message, (error as { publicMessage?: string }).publicMessage ?? '']) {
    for (const password of Object.values(CANARY_PASSWORDS)) assert.ok(!text.includes(password), 'no password in an error');
    assert.ok(!text.includes('PRIVATE KEY'), 'no key in an error');
  }
  return true;
};

const decrypt = async (jwe: string, overrides: Partial<Parameters<typeof decryptPasswordContext>[1]> = {}) => {
  const [one] = await twoKeys();
  return decryptPasswordContext(jwe, { keyRing: ringOf(one!), expectedAudience: APP_ID, now: NOW, ...overrides });
};

describe('decryptPasswordContext', () => {
  for (const alg of ['RSA-OAEP', 'RSA-OAEP-256']) {
    for (const enc of ['A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512', 'A128GCM', 'A256GCM']) {
      for (const zip of [true, false]) {
        test(`${alg} + ${enc}${zip ? ' + zip DEF' : ''} decrypts`, async () => {
          const [one] = await twoKeys();
          const jwe = await encryptTo(one!.certificatePem, unsignedJwt(contextClaims({ 'user-password': CANARY_PASSWORDS.unicode })), { alg, enc, zip, x5t: one!.x5t });
          const context = await decrypt(jwe);
          assert.equal(context.password, CANARY_PASSWORDS.unicode);
          assert.equal(context.username, 'ada@contoso.example');
          assert.equal(context.nonce, 'nonce-123');
        });
      }
    }
  }

  test("Entra's fixture claims round-trip through Entra's JWE shape", async () => {
    const claims = JSON.parse(readFileSync(new URL('../fixtures/entra/password-submit.context.plaintext.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const [one] = await twoKeys();
    const jwe = await encryptTo(one!.certificatePem, unsignedJwt(claims), { x5t: one!.x5t });
    const context = await decryptPasswordContext(jwe, {
      keyRing: ringOf(one!),
      expectedAudience: String(claims.aud),
      now: Number(claims.iat) * 1000,
    });
    assert.equal(context.password, claims['user-password']);
    assert.equal(context.username, claims.username);
    assert.equal(context.nonce, claims.nonce);
  });

  test('rotation: the key named by x5t is used, and without x5t every key is tried', async () => {
    const [one, two] = await twoKeys();
    const ring = ringOf(one!, two!);
    for (const x5t of [two!.x5t, undefined, 'unknown-thumbprint']) {
      const jwe = await encryptTo(two!.certificatePem, unsignedJwt(contextClaims()), { x5t });
      const context = await decryptPasswordContext(jwe, { keyRing: ring, expectedAudience: APP_ID, now: NOW });
      assert.equal(context.nonce, 'nonce-123');
    }
    assert.equal(ring.candidatesFor(two!.x5t)[0]!.x5t, two!.x5t);
  });

  test('a JWE for a key we do not hold is CONTEXT_DECRYPT_FAILED', async () => {
    const [, two] = await twoKeys();
    const jwe = await encryptTo(two!.certificatePem, unsignedJwt(contextClaims()), { x5t: two!.x5t });
    await assert.rejects(decrypt(jwe), rejectsWith(SecurityErrorCode.CONTEXT_DECRYPT_FAILED));
  });

  test('tampered ciphertext, tag or encrypted key is CONTEXT_DECRYPT_FAILED', async () => {
    const [one] = await twoKeys();
    const jwe = await encryptTo(one!.certificatePem, unsignedJwt(contextClaims()), { x5t: one!.x5t });
    const parts = jwe.split('.');
    for (const index of [1, 3, 4]) {
      const changed = [...parts];
      const bytes = Buffer.from(changed[index]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      changed[index] = bytes.toString('base64url');
      await assert.rejects(decrypt(changed.join('.')), rejectsWith(SecurityErrorCode.CONTEXT_DECRYPT_FAILED));
    }
  });

  test('key management other than RSA-OAEP(-256) is refused', async () => {
    const [one] = await twoKeys();
    const rsa15 = await encryptTo(one!.certificatePem, unsignedJwt(contextClaims()), { alg: 'RSA1_5' }).catch(() => undefined);
    if (rsa15) await assert.rejects(decrypt(rsa15), rejectsWith(SecurityErrorCode.CONTEXT_MALFORMED));
    const header = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A128GCM' })).toString('base64url');
    await assert.rejects(decrypt(`${header}..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA`), rejectsWith(SecurityErrorCode.CONTEXT_MALFORMED));
  });

  test('a header with crit, a compression other than DEF or an unknown content encryption is refused before any key is used', async () => {
    const [one] = await twoKeys();
    const plaintext = new TextEncoder().encode(unsignedJwt(contextClaims()));
    assert.equal((await decrypt(handMadeJwe(one!.certificatePem, plaintext, { alg: 'RSA-OAEP', enc: 'A128GCM' }))).nonce, 'nonce-123', 'the hand-made JWE is good');
    const headers: Array<Record<string, string>> = [
      { alg: 'RSA-OAEP', enc: 'A128GCM', crit: 'exp' },
      { alg: 'RSA-OAEP', enc: 'A128GCM', zip: 'GZIP' },
      { alg: 'RSA-OAEP', enc: 'A128KW' },
      { alg: 'RSA-OAEP-384', enc: 'A128GCM' },
    ];
    for (const header of headers) {
      await assert.rejects(decrypt(handMadeJwe(one!.certificatePem, plaintext, header)), rejectsWith(SecurityErrorCode.CONTEXT_MALFORMED), JSON.stringify(header));
    }
  });

  test('an empty encrypted key, or a content key wrapped under another header, is CONTEXT_DECRYPT_FAILED', async () => {
    const [one] = await twoKeys();
    const plaintext = new TextEncoder().encode(unsignedJwt(contextClaims()));
    const [header, , iv, ciphertext, tag] = handMadeJwe(one!.certificatePem, plaintext, { alg: 'RSA-OAEP', enc: 'A128GCM' }).split('.');
    await assert.rejects(decrypt([header, '', iv, ciphertext, tag].join('.')), rejectsWith(SecurityErrorCode.CONTEXT_DECRYPT_FAILED));
    const sha256Header = Buffer.from(JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A128GCM' })).toString('base64url');
    const [, encryptedKey] = handMadeJwe(one!.certificatePem, plaintext, { alg: 'RSA-OAEP-256', enc: 'A128GCM' }).split('.');
    await assert.rejects(decrypt([sha256Header, encryptedKey, iv, ciphertext, tag].join('.')), rejectsWith(SecurityErrorCode.CONTEXT_DECRYPT_FAILED));
  });

  test('an oversized JWE is refused before any decryption', async () => {
    await assert.rejects(decrypt('a'.repeat(16 * 1024 + 1)), rejectsWith(SecurityErrorCode.CONTEXT_TOO_LARGE));
  });

  test('a zip bomb is refused at the inflation cap', async () => {
    const [one] = await twoKeys();
    // 10 MiB of zeros deflate to about 10 KiB; jose would compress again on encrypt, so the JWE is built by hand.
    const jwe = handMadeJwe(one!.certificatePem, deflated(new Uint8Array(10 * 1024 * 1024)), { alg: 'RSA-OAEP', enc: 'A128GCM', zip: 'DEF' });
    await assert.rejects(decrypt(jwe), rejectsWith(SecurityErrorCode.CONTEXT_TOO_LARGE));
    const big = await encryptTo(one!.certificatePem, unsignedJwt(contextClaims({ padding: 'x'.repeat(40_000) })), {});
    await assert.rejects(decrypt(big), rejectsWith(SecurityErrorCode.CONTEXT_TOO_LARGE));
  });

  test('expired, not yet valid and foreign-audience contexts are refused; skew is honoured', async () => {
    const [one] = await twoKeys();
    const make = (claims: Record<string, unknown>) => encryptTo(one!.certificatePem, unsignedJwt(contextClaims(claims)), {});
    await assert.rejects(decrypt(await make({ exp: NOW_S - 301 })), rejectsWith(SecurityErrorCode.CONTEXT_EXPIRED));
    assert.equal((await decrypt(await make({ exp: NOW_S - 299 }))).nonce, 'nonce-123');
    await assert.rejects(decrypt(await make({ nbf: NOW_S + 301 })), rejectsWith(SecurityErrorCode.CONTEXT_NOT_YET_VALID));
    await assert.rejects(decrypt(await make({ aud: '00000000-0000-4000-8000-000000000000' })), rejectsWith(SecurityErrorCode.CONTEXT_AUDIENCE_MISMATCH));
    assert.equal((await decrypt(await make({ aud: `api://auth.contoso.example/${APP_ID}` }), { requestHost: 'auth.contoso.example' })).nonce, 'nonce-123');
    assert.equal((await decrypt(await make({ aud: `api://auth.contoso.example/${APP_ID}` }), { extensionResourceId: `api://auth.contoso.example/${APP_ID}` })).nonce, 'nonce-123');
    assert.equal((await decrypt(await make({ aud: undefined }))).nonce, 'nonce-123');
    await assert.rejects(decrypt(await make({ exp: 'tomorrow' })), rejectsWith(SecurityErrorCode.CONTEXT_MALFORMED));
  });

  test('aud must be the app id or the identifier URI exactly: suffix, other host, scheme or app id are refused', async () => {
    const [one] = await twoKeys();
    const make = (claims: Record<string, unknown>) => encryptTo(one!.certificatePem, unsignedJwt(contextClaims(claims)), {});
    const forged = [
      `https://evil.example/${APP_ID}`,
      `api://evil.example/${APP_ID}`,
      `http://auth.contoso.example/${APP_ID}`,
      `api://auth.contoso.example/00000000-0000-4000-8000-000000000000`,
      `api://auth.contoso.example/${APP_ID}/x`,
      `x${APP_ID}`,
      [`https://evil.example/${APP_ID}`],
    ];
    for (const aud of forged) {
      for (const where of [{ requestHost: 'auth.contoso.example' }, { extensionResourceId: `api://auth.contoso.example/${APP_ID}` }, {}]) {
        await assert.rejects(decrypt(await make({ aud }), where), rejectsWith(SecurityErrorCode.CONTEXT_AUDIENCE_MISMATCH), `${String(aud)} ${JSON.stringify(where)}`);
      }
    }
    const identifierUri = await make({ aud: `api://auth.contoso.example/${APP_ID}` });
    await assert.rejects(decrypt(identifierUri), rejectsWith(SecurityErrorCode.CONTEXT_AUDIENCE_MISMATCH), 'no Host and no resource id: the app id only');
    await assert.rejects(decrypt(identifierUri, { requestHost: 'evil.example' }), rejectsWith(SecurityErrorCode.CONTEXT_AUDIENCE_MISMATCH));
    await assert.rejects(decrypt(identifierUri, { extensionResourceId: `api://other.example/${APP_ID}`, requestHost: 'auth.contoso.example' }), rejectsWith(SecurityErrorCode.CONTEXT_AUDIENCE_MISMATCH));
    assert.equal((await decrypt(await make({ aud: APP_ID.toUpperCase() }))).nonce, 'nonce-123', 'a GUID in capitals is the same GUID');
  });

  test('exp is required, and a nonce longer than the 256 characters an answer may echo is refused', async () => {
    const [one] = await twoKeys();
    const make = (claims: Record<string, unknown>) => encryptTo(one!.certificatePem, unsignedJwt(contextClaims(claims)), {});
    await assert.rejects(decrypt(await make({ exp: undefined })), rejectsWith(SecurityErrorCode.CONTEXT_MALFORMED));
    await assert.rejects(decrypt(await make({ exp: null })), rejectsWith(SecurityErrorCode.CONTEXT_MALFORMED));
    await assert.rejects(decrypt(await make({ nonce: 'n'.repeat(257) })), rejectsWith(SecurityErrorCode.CONTEXT_MALFORMED));
    assert.equal((await decrypt(await make({ nonce: 'n'.repeat(256) }))).nonce.length, 256);
  });

  test('missing or non-string claims, and plaintexts that are not unsigned JWTs, are CONTEXT_MALFORMED', async () => {
    const [one] = await twoKeys();
    const bad = [
      unsignedJwt(contextClaims({ 'user-password': undefined })),
      unsignedJwt(contextClaims({ username: 42 })),
      unsignedJwt(contextClaims({ nonce: '' })),
      JSON.stringify(contextClaims()),
      `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.sig`,
      'not.a.jwt.at.all',
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('[1]').toString('base64url')}.`,
    ];
    for (const plaintext of bad) {
      const jwe = await encryptTo(one!.certificatePem, plaintext, {});
      await assert.rejects(decrypt(jwe), rejectsWith(SecurityErrorCode.CONTEXT_MALFORMED));
    }
    const latin1 = await encryptTo(one!.certificatePem, new Uint8Array([0xff, 0xfe, 0x2e]), {});
    await assert.rejects(decrypt(latin1), rejectsWith(SecurityErrorCode.CONTEXT_MALFORMED));
  });

  test('a truncated JWE fails without a stack or an oracle', async () => {
    const [one] = await twoKeys();
    const jwe = await encryptTo(one!.certificatePem, unsignedJwt(contextClaims()), { x5t: one!.x5t });
    for (const cut of [jwe.length - 1, jwe.length - 30, Math.floor(jwe.length / 2), jwe.lastIndexOf('.')]) {
      await assert.rejects(decrypt(jwe.slice(0, cut)), (error: { code?: string }) => {
        assert.ok(error.code === SecurityErrorCode.CONTEXT_DECRYPT_FAILED || error.code === SecurityErrorCode.CONTEXT_MALFORMED, String(error.code));
        return true;
      });
    }
  });

  test('garbage in place of a JWE is CONTEXT_MALFORMED', async () => {
    for (const text of ['', 'abc', 'a.b.c.d.e', '....', '!!.!!.!!.!!.!!', `${'eyJ'.repeat(10)}.a.b.c.d`]) {
      await assert.rejects(decrypt(text), rejectsWith(SecurityErrorCode.CONTEXT_MALFORMED));
    }
  });
});

/** RFC 7516 compact serialisation with RSA-OAEP and A128GCM, without compressing the plaintext again. */
function handMadeJwe(certificatePem: string, plaintext: Uint8Array, header: Record<string, string>): string {
  const protectedHeader = Buffer.from(JSON.stringify(header)).toString('base64url');
  const cek = randomBytes(16);
  const iv = randomBytes(12);
  const encryptedKey = publicEncrypt({ key: new X509Certificate(certificatePem).publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, cek);
  const cipher = createCipheriv('aes-128-gcm', cek, iv).setAAD(Buffer.from(protectedHeader, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [protectedHeader, encryptedKey, iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}
