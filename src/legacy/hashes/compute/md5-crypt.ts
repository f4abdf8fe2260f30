import { createHash } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * The encoded digest of md5-crypt (`$1$`, Poul-Henning Kamp's FreeBSD crypt) or Apache's apr1 (`$apr1$`, the
 * same algorithm with another magic), over the password's bytes. 1,000 sequential MD5s: worker pool only.
 */
export function md5Crypt(magic: '$1$' | '$apr1$', password: Buffer, saltText: string): string {
  const salt = Buffer.from(saltText.slice(0, 8), 'latin1');
  const md5 = (...parts: Buffer[]) => {
    const hash = createHash('md5');
    for (const part of parts) hash.update(part);
    return hash.digest();
  };
  const alternate = md5(password, salt, password);
  const context = createHash('md5').update(password).update(magic).update(salt);
  for (let left = password.length; left > 0; left -= 16) context.update(alternate.subarray(0, Math.min(16, left)));
  for (let bits = password.length; bits > 0; bits >>= 1) context.update(bits & 1 ? Buffer.from([0]) : password.subarray(0, 1));
  let final = context.digest();
  for (let i = 0; i < 1000; i++) {
    const round = createHash('md5');
    round.update(i & 1 ? password : final);
    if (i % 3) round.update(salt);
    if (i % 7) round.update(password);
    round.update(i & 1 ? final : password);
    final = round.digest();
  }
  const groups: Array<[number, number, number]> = [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5]];
  return groups.map(([a, b, c]) => encode((final[a]! << 16) | (final[b]! << 8) | final[c]!, 4)).join('') + encode(final[11]!, 2);
}

function encode(value: number, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++, value >>= 6) out += ITOA64[value & 0x3f];
  return out;
}
