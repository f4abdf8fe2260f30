import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Steps run between two yields to the event loop: about a millisecond of HMAC-SHA1 or MD5 rounds (4–8 µs each). */
export const STEPS_PER_SLICE = 128;

/**
 * Runs `step(i)` for i = 0 … count − 1 in slices of STEPS_PER_SLICE, yielding to the event loop between slices, so a
 * long sequential computation (hundreds of thousands of HMACs) never holds the loop for more than a slice. Used by
 * the crypt(3) formats no worker-pool task computes yet; the total CPU cost is unchanged.
 *
 * @example
 *   let digest = seed;
 *   await inSlices(rounds, () => { digest = hmac(digest); });
 */
export async function inSlices(count: number, step: (i: number) => void): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % STEPS_PER_SLICE === 0) await yieldToEventLoop();
    step(i);
  }
}

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
