import { blowfishInitialState } from './blowfish-pi.js';

const BCRYPT64 = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MAGIC = Buffer.from('OrpheanBeholderScryDoubt', 'latin1');

/**
 * bcrypt as crypt_blowfish computes `$2x$`: the key bytes are sign-extended into the key schedule (PHP's bug before
 * 5.3.7), which changes the result only for bytes ≥ 0x80. No native library offers this mode, so it is computed
 * here, in the worker pool. Returns the 31-character encoded digest.
 */
export function bcrypt2x(password: Buffer, cost: number, saltText: string): string {
  const init = blowfishInitialState();
  const P = init.slice(0, 18);
  const S = init.slice(18);
  const salt = decode(saltText, 16);
  const saltWords = [0, 1, 2, 3].map((i) => salt.readUInt32BE(i * 4));

  // Key words from the password and its NUL, cycled; each byte OR-ed in sign-extended (the $2x$ behaviour).
  const key = Buffer.concat([password.subarray(0, 72), Buffer.from([0])]);
  const keyWords = new Uint32Array(18);
  for (let i = 0, position = 0; i < 18; i++) {
    let word = 0;
    for (let j = 0; j < 4; j++) {
      const byte = key[position]!;
      word = ((word << 8) | (byte >= 0x80 ? byte - 0x100 : byte)) >>> 0;
      position = (position + 1) % key.length;
    }
    keyWords[i] = word;
  }

  const f = (x: number) => ((((S[x >>> 24]! + S[256 + ((x >>> 16) & 0xff)]!) >>> 0) ^ S[512 + ((x >>> 8) & 0xff)]!) + S[768 + (x & 0xff)]!) >>> 0;
  const encrypt = (left: number, right: number): [number, number] => {
    let l = left;
    let r = right;
    for (let i = 0; i < 16; i += 2) {
      l = (l ^ P[i]!) >>> 0;
      r = (r ^ f(l)) >>> 0;
      r = (r ^ P[i + 1]!) >>> 0;
      l = (l ^ f(r)) >>> 0;
    }
    return [(r ^ P[17]!) >>> 0, (l ^ P[16]!) >>> 0];
  };
  /** Re-keys P and S by chained encryption, XOR-ing `mix` words (the salt, or nothing) in cyclically. */
  const chain = (mix: readonly number[] | null) => {
    let l = 0;
    let r = 0;
    let m = 0;
    const next = (array: Uint32Array, i: number) => {
      if (mix) {
        l = (l ^ mix[m++ % 4]!) >>> 0;
        r = (r ^ mix[m++ % 4]!) >>> 0;
      }
      [l, r] = encrypt(l, r);
      array[i] = l;
      array[i + 1] = r;
    };
    for (let i = 0; i < 18; i += 2) next(P, i);
    for (let i = 0; i < 1024; i += 2) next(S, i);
  };

  for (let i = 0; i < 18; i++) P[i] = (P[i]! ^ keyWords[i]!) >>> 0;
  chain(saltWords);
  for (let round = 2 ** cost; round > 0; round--) {
    for (let i = 0; i < 18; i++) P[i] = (P[i]! ^ keyWords[i]!) >>> 0;
    chain(null);
    for (let i = 0; i < 18; i++) P[i] = (P[i]! ^ saltWords[i % 4]!) >>> 0;
    chain(null);
  }

  const text = [0, 1, 2, 3, 4, 5].map((i) => MAGIC.readUInt32BE(i * 4));
  for (let i = 0; i < 6; i += 2) {
    let [l, r] = [text[i]!, text[i + 1]!];
    for (let n = 0; n < 64; n++) [l, r] = encrypt(l, r);
    text[i] = l;
    text[i + 1] = r;
  }
  const out = Buffer.alloc(24);
  text.forEach((word, i) => out.writeUInt32BE(word, i * 4));
  return encode(out.subarray(0, 23));
}

function decode(text: string, length: number): Buffer {
  const out: number[] = [];
  const value = (i: number) => BCRYPT64.indexOf(text[i] ?? '.');
  for (let i = 0; out.length < length; i += 4) {
    const [a, b, c, d] = [value(i), value(i + 1), value(i + 2), value(i + 3)];
    out.push(((a << 2) | (b >> 4)) & 0xff);
    if (out.length < length) out.push(((b << 4) | (c >> 2)) & 0xff);
    if (out.length < length) out.push(((c << 6) | d) & 0xff);
  }
  return Buffer.from(out);
}

function encode(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    out += BCRYPT64[a >> 2]! + BCRYPT64[((a & 3) << 4) | ((b ?? 0) >> 4)]!;
    if (b === undefined) break;
    out += BCRYPT64[((b & 15) << 2) | ((c ?? 0) >> 6)]!;
    if (c === undefined) break;
    out += BCRYPT64[c & 63]!;
  }
  return out;
}
