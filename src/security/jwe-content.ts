import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { ownValue } from '../common/own.js';

/** The parts of a compact JWE, decoded; `aad` is the ASCII of the encoded protected header (RFC 7516 §5.2). */
export interface JweParts {
  header: Record<string, unknown>;
  aad: Buffer;
  encryptedKey: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** Content-encryption algorithms and their key lengths in bytes (RFC 7518 §5). */
const CBC_HMAC: Readonly<Record<string, { keyLength: number; hash: string; cipher: string }>> = {
  'A128CBC-HS256': { keyLength: 32, hash: 'sha256', cipher: 'aes-128-cbc' },
  'A192CBC-HS384': { keyLength: 48, hash: 'sha384', cipher: 'aes-192-cbc' },
  'A256CBC-HS512': { keyLength: 64, hash: 'sha512', cipher: 'aes-256-cbc' },
};
const GCM: Readonly<Record<string, { keyLength: number; cipher: 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' }>> = {
  A128GCM: { keyLength: 16, cipher: 'aes-128-gcm' },
  A192GCM: { keyLength: 24, cipher: 'aes-192-gcm' },
  A256GCM: { keyLength: 32, cipher: 'aes-256-gcm' },
};

/** Splits and decodes a compact JWE; null when it is not five base64url parts with a JSON object header. */
export function jweParts(jwe: string): JweParts | null {
  const parts = jwe.split('.');
  if (parts.length !== 5 || parts.some((part, i) => i !== 1 && part === '') || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) return null;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return null;
    const [encryptedKey, iv, ciphertext, tag] = parts.slice(1).map((part) => Buffer.from(part, 'base64url')) as [Buffer, Buffer, Buffer, Buffer];
    return { header: header as Record<string, unknown>, aad: Buffer.from(parts[0]!, 'ascii'), encryptedKey, iv, ciphertext, tag };
  } catch {
    return null;
  }
}

/**
 * Decrypts a JWE's content with a content key already unwrapped (by Key Vault): AES-CBC + HMAC-SHA2 with the tag
 * checked in constant time before anything is decrypted (RFC 7518 §5.2.2.2), or AES-GCM; then `zip: DEF`
 * inflated up to `maxInflatedBytes`. Throws `Error('decrypt')` for any failure of the key or the data — the caller
 * turns every such failure into the same vague answer — and `RangeError` for an inflation over the limit.
 */
export function decryptJweContent(parts: JweParts, contentKey: Uint8Array, maxInflatedBytes: number): Buffer {
  const enc = String(parts.header.enc);
  const key = Buffer.from(contentKey);
  let plaintext: Buffer;
  const cbc = ownValue(CBC_HMAC, enc);
  const gcm = ownValue(GCM, enc);
  if (cbc) {
    if (key.length !== cbc.keyLength || parts.iv.length !== 16) throw new Error('decrypt');
    const half = cbc.keyLength / 2;
    const length = Buffer.alloc(8);
    length.writeBigUInt64BE(BigInt(parts.aad.length * 8));
    const mac = createHmac(cbc.hash, key.subarray(0, half)).update(parts.aad).update(parts.iv).update(parts.ciphertext).update(length).digest().subarray(0, half);
    if (parts.tag.length !== half || !timingSafeEqual(mac, parts.tag)) throw new Error('decrypt');
    try {
      const decipher = createDecipheriv(cbc.cipher, key.subarray(half), parts.iv);
      plaintext = Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
    } catch {
      throw new Error('decrypt');
    }
  } else if (gcm) {
    if (key.length !== gcm.keyLength || parts.iv.length !== 12 || parts.tag.length !== 16) throw new Error('decrypt');
    try {
      const decipher = createDecipheriv(gcm.cipher, key, parts.iv, { authTagLength: 16 });
      decipher.setAAD(parts.aad);
      decipher.setAuthTag(parts.tag);
      plaintext = Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
    } catch {
      throw new Error('decrypt');
    }
  } else {
    throw new Error('decrypt');
  }
  if (parts.header.zip === undefined) return plaintext;
  try {
    return inflateRawSync(plaintext, { maxOutputLength: maxInflatedBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new RangeError('inflated beyond the limit');
    throw new Error('decrypt');
  }
}
