import { createHash } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Default and bounds of `rounds=` (Drepper, "Unix crypt using SHA-256 and SHA-512", 2008). */
export const SHA_CRYPT_DEFAULT_ROUNDS = 5000;
export const SHA_CRYPT_MIN_ROUNDS = 1000;
export const SHA_CRYPT_MAX_ROUNDS = 999_999_999;
/** Only the first 16 salt characters count. */
export const SHA_CRYPT_SALT_MAX = 16;

const VARIANTS = {
  sha256: {
    length: 32,
    groups: [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]],
    tail: (c: Buffer) => encode24(0, c[31]!, c[30]!, 3),
  },
  sha512: {
    length: 64,
    groups: [
      [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
      [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
    ],
    tail: (c: Buffer) => encode24(0, 0, c[63]!, 2),
  },
} as const;

/**
 * The encoded digest of sha256-crypt (`$5$`) or sha512-crypt (`$6$`), per Drepper's specification, on
 * node:crypto. Synchronous and CPU-bound (5,000 rounds by default): call it from the worker pool only.
 *
 * @example
 *   shaCrypt('sha512', Buffer.from('Hello world!'), 'saltstring', undefined) // 'svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'
 */
export function shaCrypt(variant: 'sha256' | 'sha512', password: Buffer, saltText: string, rounds: number | undefined): string {
  const { length, groups, tail } = VARIANTS[variant];
  const digest = (...parts: Buffer[]) => {
    const hash = createHash(variant);
    for (const part of parts) hash.update(part);
    return hash.digest();
  };
  const salt = Buffer.from(saltText.slice(0, SHA_CRYPT_SALT_MAX), 'latin1');
  const n = rounds === undefined ? SHA_CRYPT_DEFAULT_ROUNDS : Math.min(SHA_CRYPT_MAX_ROUNDS, Math.max(SHA_CRYPT_MIN_ROUNDS, rounds));

  const b = digest(password, salt, password);
  const a = createHash(variant).update(password).update(salt);
  a.update(repeatTo(b, password.length));
  for (let bits = password.length; bits > 0; bits >>= 1) a.update(bits & 1 ? b : password);
  let c = a.digest();

  const dp = digest(Buffer.concat(Array.from({ length: password.length }, () => password)));
  const p = repeatTo(dp, password.length);
  const ds = digest(Buffer.concat(Array.from({ length: 16 + c[0]! }, () => salt)));
  const s = repeatTo(ds, salt.length);

  for (let i = 0; i < n; i++) {
    const round = createHash(variant);
    round.update(i & 1 ? p : c);
    if (i % 3 !== 0) round.update(s);
    if (i % 7 !== 0) round.update(p);
    round.update(i & 1 ? c : p);
    c = round.digest();
  }
  if (c.length !== length) throw new Error('unexpected digest length');
  return groups.map(([x, y, z]) => encode24(c[x]!, c[y]!, c[z]!, 4)).join('') + tail(c);
}

/** `block` repeated and cut to exactly `length` bytes. */
function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let offset = 0; offset < length; offset += block.length) block.copy(out, offset, 0, Math.min(block.length, length - offset));
  return out;
}

function encode24(b2: number, b1: number, b0: number, count: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < count; i++) {
    out += ITOA64[w & 0x3f];
    w >>= 6;
  }
  return out;
}
