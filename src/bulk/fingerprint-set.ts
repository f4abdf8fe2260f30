import { createHash } from 'node:crypto';

const INITIAL_CAPACITY = 1 << 12;

/**
 * A set of strings kept as 64-bit fingerprints (the first 8 bytes of their SHA-256) in an open-addressing table:
 * 16 bytes per member at most, where a `Set<string>` holds each string and its entry (~150 bytes for an e-mail).
 * A million accounts' ids and e-mails take 32 MB instead of ~300 MB. Two different strings share a fingerprint
 * with probability ~n²/2⁶⁵ (3·10⁻⁸ for a million pairs); `add` then reports a duplicate that is not one.
 *
 * @example
 *   const seen = new FingerprintSet();
 *   seen.add('ada@example.com'); // true: new
 *   seen.has('ada@example.com'); // true
 */
export class FingerprintSet {
  #high = new Uint32Array(INITIAL_CAPACITY);
  #low = new Uint32Array(INITIAL_CAPACITY);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  has(value: string): boolean {
    const [high, low] = fingerprintOf(value);
    return this.#slotOf(high, low).found;
  }

  /** Adds `value`; false when it (or a string with the same fingerprint) was already there. */
  add(value: string): boolean {
    const [high, low] = fingerprintOf(value);
    const slot = this.#slotOf(high, low);
    if (slot.found) return false;
    this.#high[slot.index] = high;
    this.#low[slot.index] = low;
    this.#size++;
    if (this.#size * 2 > this.#high.length) this.#grow();
    return true;
  }

  /** The slot holding the fingerprint, or the empty slot where it would go (linear probing; the table is never full). */
  #slotOf(high: number, low: number): { index: number; found: boolean } {
    const mask = this.#high.length - 1;
    for (let index = low & mask; ; index = (index + 1) & mask) {
      const slotLow = this.#low[index]!;
      if (slotLow === 0) return { index, found: false };
      if (slotLow === low && this.#high[index] === high) return { index, found: true };
    }
  }

  #grow(): void {
    const [high, low] = [this.#high, this.#low];
    this.#high = new Uint32Array(high.length * 2);
    this.#low = new Uint32Array(low.length * 2);
    for (let i = 0; i < high.length; i++) {
      if (low[i] === 0) continue;
      const { index } = this.#slotOf(high[i]!, low[i]!);
      this.#high[index] = high[i]!;
      this.#low[index] = low[i]!;
    }
  }
}

/** Two 32-bit halves of SHA-256; the low half is never 0, which marks an empty slot. */
function fingerprintOf(value: string): [number, number] {
  const digest = createHash('sha256').update(value, 'utf8').digest();
  return [digest.readUInt32LE(4), digest.readUInt32LE(0) || 1];
}
