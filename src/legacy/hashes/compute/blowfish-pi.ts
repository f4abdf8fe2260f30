/**
 * Blowfish's initial state is the fractional part of π in hex: 18 P-array words then 4 × 256 S-box words
 * (Schneier, 1993). Computed once per worker with BigInt arithmetic (Machin's formula) instead of pasted as a
 * 4 KiB table; the first words are checked against the published constants.
 */
const WORDS = 18 + 4 * 256;

let cached: Uint32Array | undefined;

export function blowfishInitialState(): Uint32Array {
  if (cached) return cached;
  const bits = BigInt(WORDS * 32 + 64);
  const one = 1n << bits;
  const arctanInverse = (x: bigint) => {
    // arctan(1/x) = Σ (-1)^k / ((2k+1) x^(2k+1))
    let power = one / x;
    let sum = power;
    const x2 = x * x;
    for (let k = 1n; power !== 0n; k++) {
      power /= x2;
      const term = power / (2n * k + 1n);
      sum = k % 2n === 1n ? sum - term : sum + term;
    }
    return sum;
  };
  const pi = 16n * arctanInverse(5n) - 4n * arctanInverse(239n);
  const fraction = pi - 3n * one;
  const words = new Uint32Array(WORDS);
  for (let i = 0; i < WORDS; i++) words[i] = Number((fraction >> (bits - BigInt((i + 1) * 32))) & 0xffffffffn);
  if (words[0] !== 0x243f6a88 || words[17] !== 0x8979fb1b || words[18] !== 0xd1310ba6) throw new Error('π digits are wrong');
  cached = words;
  return words;
}
