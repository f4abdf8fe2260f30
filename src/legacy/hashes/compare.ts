import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality of two byte strings. Lengths are not secret (they follow from the format), but a length
 * mismatch still costs one comparison, so the two paths take about the same time.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
