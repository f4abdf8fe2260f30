import { createCipheriv } from 'node:crypto';
import { malformed } from '../../errors.js';
import type { StoredHash } from '../../format.js';

/**
 * The user name a format is salted with (MS Cache, Oracle 10g): `params.username`, else the store's salt column
 * (`params.salt`, where a lookup query puts the login name today), as `postgres-md5` takes it. Missing or empty is
 * HASH_MALFORMED: without it no password could ever match, and the store must say so.
 *
 * @example
 *   requireUsername('MS Cache v2', { hash: '…', params: { username: 'jdoe' } }) // 'jdoe'
 */
export function requireUsername(format: string, stored: StoredHash): string {
  const username = stored.params?.username ?? stored.params?.salt;
  if (typeof username !== 'string' || username === '') {
    throw malformed(format, 'it is salted with the user name: give params.username (or a salt column holding it)');
  }
  return username;
}

/** An optional user name, taken as `requireUsername` does (Cisco PIX/ASA: user entries have one, `enable` passwords none). */
export function optionalUsername(format: string, stored: StoredHash): string | undefined {
  const username = stored.params?.username ?? stored.params?.salt;
  if (username === undefined || username === '') return undefined;
  if (typeof username !== 'string') throw malformed(format, 'params.username must be a string');
  return username;
}

/**
 * One DES block (ECB) with an 8-byte key. OpenSSL 3 moved single DES to its legacy provider, but triple DES with
 * three equal keys is single DES by construction (E_K ∘ D_K ∘ E_K = E_K), and DES-EDE3 stays in the default
 * provider: native and microseconds per block, so it runs in-process.
 *
 * @example
 *   desEncryptBlock(Buffer.from('0123456789abcdef', 'hex'), Buffer.from('Now is t')).toString('hex') // '3fa40e8a984d4815'
 */
export function desEncryptBlock(key: Buffer, block: Buffer): Buffer {
  const cipher = createCipheriv('des-ede3-ecb', Buffer.concat([key, key, key]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

/** A 7-byte key spread over 8 bytes, 7 bits each, the parity bit (ignored by DES) zero: how LM keys DES. */
export function expandDesKey(key7: Buffer): Buffer {
  let bits = 0n;
  for (const byte of key7) bits = (bits << 8n) | BigInt(byte);
  const key = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) key[i] = Number((bits >> BigInt(49 - 7 * i)) & 0x7fn) << 1;
  return key;
}

/** Digest bytes from exactly `length` hex digits (either case), or null. */
export function hexDigest(text: string, length: number): Buffer | null {
  return text.length === length && /^[0-9a-fA-F]+$/.test(text) ? Buffer.from(text, 'hex') : null;
}
