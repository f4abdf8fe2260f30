/** The crypt(3) alphabet: `./0-9A-Za-z`. */
export const HASH64_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const VALUE = new Map([...HASH64_ALPHABET].map((character, index) => [character, index]));

/**
 * An unsigned integer written little-endian in crypt64, six bits a character (passlib's `h64.decode_int6/int30`);
 * null on a character outside the alphabet.
 *
 * @example
 *   decodeHash64Int('U')      // 32
 *   decodeHash64Int('/....')  // 1
 */
export function decodeHash64Int(text: string): number | null {
  let value = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const digit = VALUE.get(text[i]!);
    if (digit === undefined) return null;
    value = value * 64 + digit;
  }
  return value;
}

/**
 * Bytes written little-endian in crypt64, three bytes to four characters and no padding (passlib's
 * `h64.decode_bytes`, libxcrypt's `$7$`); null on a bad character, an impossible length (4n + 1) or set padding bits.
 *
 * @example
 *   decodeHash64Bytes('/.')  // <Buffer 01>
 */
export function decodeHash64Bytes(text: string): Buffer | null {
  if (text.length % 4 === 1) return null;
  const out: number[] = [];
  for (let i = 0; i < text.length; i += 4) {
    const chunk = text.slice(i, i + 4);
    const value = decodeHash64Int(chunk);
    if (value === null) return null;
    const bytes = chunk.length - 1;
    if (value >= 2 ** (8 * bytes)) return null;
    for (let j = 0; j < bytes; j++) out.push(Math.floor(value / 2 ** (8 * j)) & 0xff);
  }
  return Buffer.from(out);
}
