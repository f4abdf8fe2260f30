export const CRYPT64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * passlib's `h64.encode_transposed_bytes`: the bytes taken in `offsets` order, then encoded 3 at a time as four
 * little-endian crypt64 characters (a short tail gives 2 or 3 characters).
 */
export function encodeTransposed(bytes: Uint8Array, offsets: readonly number[]): string {
  const source = offsets.map((offset) => bytes[offset]!);
  let out = '';
  for (let i = 0; i < source.length; i += 3) {
    const chunk = source.slice(i, i + 3);
    let value = chunk[0]! | ((chunk[1] ?? 0) << 8) | ((chunk[2] ?? 0) << 16);
    for (let c = 0; c < chunk.length + 1; c++, value >>= 6) out += CRYPT64[value & 0x3f];
  }
  return out;
}
