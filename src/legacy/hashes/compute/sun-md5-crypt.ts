import { createHash } from 'node:crypto';
import { encodeTransposed } from './transposed-base64.js';

const OFFSETS = [12, 6, 0, 13, 7, 1, 14, 8, 2, 15, 9, 3, 5, 10, 4, 11];
/** The whole of Hamlet's soliloquy, with the C string's terminating NUL, as Solaris feeds it. */
const HAMLET = Buffer.from(
  "To be, or not to be,--that is the question:--\nWhether 'tis nobler in the mind to suffer\nThe slings and arrows of outrageous fortune\n" +
    'Or to take arms against a sea of troubles,\nAnd by opposing end them?--To die,--to sleep,--\nNo more; and by a sleep to say we end\n' +
    "The heartache, and the thousand natural shocks\nThat flesh is heir to,--'tis a consummation\nDevoutly to be wish'd. To die,--to sleep;--\n" +
    "To sleep! perchance to dream:--ay, there's the rub;\nFor in that sleep of death what dreams may come,\nWhen we have shuffled off this mortal coil,\n" +
    "Must give us pause: there's the respect\nThat makes calamity of so long life;\nFor who would bear the whips and scorns of time,\n" +
    "The oppressor's wrong, the proud man's contumely,\nThe pangs of despis'd love, the law's delay,\nThe insolence of office, and the spurns\n" +
    'That patient merit of the unworthy takes,\nWhen he himself might his quietus make\nWith a bare bodkin? who would these fardels bear,\n' +
    'To grunt and sweat under a weary life,\nBut that the dread of something after death,--\nThe undiscover\'d country, from whose bourn\n' +
    'No traveller returns,--puzzles the will,\nAnd makes us rather bear those ills we have\nThan fly to others that we know not of?\n' +
    'Thus conscience does make cowards of us all;\nAnd thus the native hue of resolution\nIs sicklied o\'er with the pale cast of thought;\n' +
    "And enterprises of great pith and moment,\nWith this regard, their currents turn awry,\nAnd lose the name of action.--Soft you now!\n" +
    "The fair Ophelia!--Nymph, in thy orisons\nBe all my sins remember'd.\n\0",
  'latin1',
);
/**
 * Solaris' `$md5$` checksum (passlib `sun_md5_crypt`): MD5(password ‖ config), then 4096 + rounds MD5s, each over the
 * previous digest, Hamlet's soliloquy when a coin flipped from the digest's bits says so, and the round number in
 * decimal; encoded as 22 crypt64 characters. Tens of thousands of MD5s: run in the worker pool (tasks.ts).
 *
 * @example
 *   sunMd5Crypt(Buffer.from('fooey'), Buffer.from('$md5$3UqYqndY$'), 0) // '6P.aaWOoucxxq.l00SS9k0'
 */
export function sunMd5Crypt(password: Uint8Array, config: Uint8Array, rounds: number): string {
  let digest = createHash('md5').update(password).update(config).digest();
  for (let round = 0; round < 4096 + rounds; round++) {
    const hash = createHash('md5').update(digest);
    if (coin(digest, round)) hash.update(HAMLET);
    digest = hash.update(String(round), 'latin1').digest();
  }
  return encodeTransposed(digest, OFFSETS);
}

/** Whether round `round` mixes in the soliloquy: two 7-bit indices picked from the digest's bits, then their bits XORed. */
function coin(digest: Buffer, round: number): boolean {
  const bit = (index: number) => (digest[index >> 3]! >> (index & 7)) & 1;
  const pick = (rounds: ReadonlyArray<readonly [number, number]>) => {
    let value = 0;
    rounds.forEach(([ia, ib], i) => {
      const a = digest[ia]!;
      const b = digest[ib]!;
      const v = digest[(a >> (b % 5)) & 15]! >> ((b >> (a & 7)) & 1);
      value |= ((digest[(v >> 3) & 15]! >> (v & 7)) & 1) << i;
    });
    return value;
  };
  const x = pick(bit(((round >> 3) & 15) * 8 + (round & 7)) ? X_ROUNDS_1 : X_ROUNDS_0);
  const y = pick(bit((((round + 64) >> 3) & 15) * 8 + (round & 7)) ? Y_ROUNDS_1 : Y_ROUNDS_0);
  return (((digest[x >> 3]! >> (x & 7)) ^ (digest[y >> 3]! >> (y & 7))) & 1) === 1;
}

const SEVEN = [0, 1, 2, 3, 4, 5, 6];
const X_ROUNDS_0 = SEVEN.map((i) => [i, i + 3] as const);
const X_ROUNDS_1 = SEVEN.map((i) => [i + 1, i + 4] as const);
const Y_ROUNDS_0 = SEVEN.map((i) => [i + 8, (i + 11) & 15] as const);
const Y_ROUNDS_1 = SEVEN.map((i) => [(i + 9) & 15, (i + 12) & 15] as const);
