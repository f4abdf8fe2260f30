/**
 * Traditional DES crypt(3) (Unix V7): the first 8 password characters' 7 low bits are the DES key, the 2-character
 * salt swaps E-box outputs, and a zero block is encrypted 25 times. DES from the FIPS 46-3 tables, S-boxes and P merged
 * into 32-bit tables: a DES crypt is about 0.2 ms, BSDi's default 5,001 rounds about 2 ms (worker pool).
 */
const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const IP = [58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7];
const FP = [40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29, 36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, 34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25];
const E = [32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17, 16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1];
const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];
const PC1 = [57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4];
const PC2 = [14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
const S = [
  [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8, 4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
  [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5, 0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
  [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1, 13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
  [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9, 10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
  [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6, 4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
  [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8, 9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
  [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6, 1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
  [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2, 7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
];

const permute = (bits: readonly number[], table: readonly number[]) => table.map((position) => bits[position - 1]!);

/** The 13-character DES crypt of `password` (only its first 8 bytes count) with the 2-character `salt`. */
export function desCrypt(password: Buffer, salt: string): string {
  return salt.slice(0, 2) + encodeBlock(desEncrypt(keyOf(password, 0), ZERO_BLOCK, decodeSalt(salt.slice(0, 2)), 25));
}

/**
 * crypt16 (Ultrix, Digital UNIX): the first 8 bytes encrypt a zero block 20 times, bytes 8–15 another 5 times, both
 * with the same 2-character salt; 2 + 11 + 11 characters. Only the first 16 bytes count.
 */
export function crypt16(password: Buffer, salt: string): string {
  const salt12 = decodeSalt(salt.slice(0, 2));
  return salt.slice(0, 2) + encodeBlock(desEncrypt(keyOf(password, 0), ZERO_BLOCK, salt12, 20)) + encodeBlock(desEncrypt(keyOf(password, 8), ZERO_BLOCK, salt12, 5));
}

/**
 * BSDi extended DES (`_` + 4 characters of rounds + 4 of salt + 11 of checksum, little-endian 24-bit fields): every
 * 8-byte piece of the password folds into the key (key = DES_key(key) XOR next piece), then `rounds` encryptions of
 * a zero block with the 24-bit salt. `rounds` up to 16,777,215: worker pool only.
 */
export function bsdiCrypt(password: Buffer, setting: string): string {
  const rounds = decodeSalt(setting.slice(1, 5));
  const salt = decodeSalt(setting.slice(5, 9));
  let key = keyOf(password, 0);
  for (let offset = 8; offset < password.length; offset += 8) {
    const next = keyOf(password, offset);
    key = desEncrypt(key, key, 0, 1).map((bit, i) => bit ^ next[i]!);
  }
  return setting.slice(0, 9) + encodeBlock(desEncrypt(key, ZERO_BLOCK, salt, rounds));
}

const ZERO_BLOCK: readonly number[] = new Array<number>(64).fill(0);

/** A 64-bit DES key from 8 password bytes at `offset`: each byte's 7 low bits, then a zero parity bit. */
function keyOf(password: Buffer, offset: number): number[] {
  const key: number[] = [];
  for (let i = offset; i < offset + 8; i++) {
    const byte = i < password.length ? password[i]! : 0;
    for (let bit = 6; bit >= 0; bit--) key.push((byte >> bit) & 1);
    key.push(0);
  }
  return key;
}

/** Crypt64 characters, little-endian (the first character holds the low 6 bits): 2 for a 12-bit salt, 4 for 24 bits. */
function decodeSalt(text: string): number {
  let value = 0;
  for (let i = text.length - 1; i >= 0; i--) value = value * 64 + ITOA64.indexOf(text[i]!);
  return value;
}

/** 64 bits as 11 crypt64 characters, big-endian, two zero bits of padding. */
function encodeBlock(bits: readonly number[]): string {
  const padded = [...bits, 0, 0];
  let out = '';
  for (let i = 0; i < 11; i++) {
    let value = 0;
    for (let bit = 0; bit < 6; bit++) value = (value << 1) | padded[6 * i + bit]!;
    out += ITOA64[value];
  }
  return out;
}

/**
 * `rounds` DES encryptions of `input` under `key`, each salt bit k swapping E-box outputs k and k + 24. The halves
 * are 32-bit integers and each S-box is merged with P into one table (SP); IP and FP are applied once around all
 * the rounds, as FP then IP between two encryptions is the identity.
 */
function desEncrypt(key: readonly number[], input: readonly number[], salt: number, rounds: number): number[] {
  const e = [...E];
  for (let k = 0; k < 24; k++) {
    if (Math.floor(salt / 2 ** k) % 2) [e[k], e[k + 24]] = [e[k + 24]!, e[k]!];
  }
  const shifts = e.map((position) => 32 - position);
  const subkeys = keySchedule(key).map((subkey) => Array.from({ length: 8 }, (_, box) => toInt(subkey.slice(6 * box, 6 * box + 6))));
  const start = permute(input, IP);
  let left = toInt(start.slice(0, 32));
  let right = toInt(start.slice(32));
  for (let round = 0; round < rounds; round++) {
    for (const subkey of subkeys) {
      let f = 0;
      for (let box = 0; box < 8; box++) {
        let six = 0;
        for (let j = 6 * box; j < 6 * box + 6; j++) six = (six << 1) | ((right >>> shifts[j]!) & 1);
        f |= SP[box]![six ^ subkey[box]!]!;
      }
      const next = left ^ f;
      left = right;
      right = next;
    }
    [left, right] = [right, left];
  }
  return permute([...toBits(left), ...toBits(right)], FP);
}

/** Bits (most significant first) as an integer, and back to 32 bits. */
const toInt = (bits: readonly number[]) => bits.reduce((value, bit) => (value << 1) | bit, 0);
const toBits = (value: number) => Array.from({ length: 32 }, (_, i) => (value >>> (31 - i)) & 1);

/** S-box `box` followed by P, for each 6-bit input: its 32-bit contribution to f. */
const SP: readonly Int32Array[] = S.map((table, box) => {
  const sp = new Int32Array(64);
  for (let six = 0; six < 64; six++) {
    const value = table[(((six >> 5) << 1) | (six & 1)) * 16 + ((six >> 1) & 15)]!;
    const substituted = new Array<number>(32).fill(0);
    for (let bit = 0; bit < 4; bit++) substituted[4 * box + bit] = (value >> (3 - bit)) & 1;
    sp[six] = toInt(permute(substituted, P));
  }
  return sp;
});

function keySchedule(key: readonly number[]): number[][] {
  const pc1 = permute(key, PC1);
  let c = pc1.slice(0, 28);
  let d = pc1.slice(28);
  return SHIFTS.map((shift) => {
    c = [...c.slice(shift), ...c.slice(0, shift)];
    d = [...d.slice(shift), ...d.slice(0, shift)];
    return permute([...c, ...d], PC2);
  });
}
