import { randomInt } from 'node:crypto';

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '!#%*+-.:=?@_~';
const CLASSES = [LOWER, UPPER, DIGITS, SYMBOLS] as const;
const ALL = CLASSES.join('');

/** 24 characters from 70: about 147 bits, far beyond guessing, and within External ID's 8–256 limit. */
export const RANDOM_PASSWORD_LENGTH = 24;

/**
 * A password nobody knows, for a user created in phase 1: cryptographically random (`crypto.randomInt`, no modulo
 * bias), with at least one character of each of the four classes so it meets External ID's policy whatever the
 * draw. The user never types it; it exists so that their first sign-in reaches the extension.
 *
 * @example
 *   randomPassword() // 'q7N#xK2m…' (24 characters)
 */
export function randomPassword(length: number = RANDOM_PASSWORD_LENGTH): string {
  if (!Number.isInteger(length) || length < 8 || length > 256) {
    throw new RangeError(`A random password must be 8–256 characters long; asked for ${length}.`);
  }
  const characters = CLASSES.map(pick);
  while (characters.length < length) characters.push(pick(ALL));
  for (let i = characters.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [characters[i], characters[j]] = [characters[j]!, characters[i]!];
  }
  return characters.join('');
}

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)]!;
}
