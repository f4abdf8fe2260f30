import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';
import { requireWithin } from '../../limits.js';
import { pbkdf2Matches } from '../pbkdf2-compute.js';
import { decodeAb64 } from '../../encodings.js';

/** Iterations in hex without leading zeros (passlib refuses them); either case, as passlib's int(…, 16) reads it. */
const ROUNDS = '(0|[1-9a-fA-F][0-9a-fA-F]{0,7})';
/** Christopher Thompson's (cta) form: URL-safe base64 salt and 20-byte key, padded. */
const CTA = new RegExp(`^\\$p5k2\\$${ROUNDS}\\$([A-Za-z0-9_-]*={0,2})\\$([A-Za-z0-9_-]{27}=)$`);
/** Dwayne Litzenberger's form: the rounds may be empty (400), a crypt64 salt, a 24-byte key in adapted base64. */
const DLITZ = new RegExp(`^\\$p5k2\\$${ROUNDS}?\\$([./A-Za-z0-9]*)\\$([./A-Za-z0-9]{32})$`);

function urlsafe(text: string): Buffer | null {
  const standard = text.replace(/-/g, '+').replace(/_/g, '/');
  if (standard.length % 4 !== 0) return null;
  const bytes = Buffer.from(standard, 'base64');
  return bytes.toString('base64') === standard ? bytes : null;
}

/**
 * `$p5k2$<hex iterations>$<salt>$<key>` as Christopher Thompson's Python pbkdf2 module writes it (passlib
 * `cta_pbkdf2_sha1`): PBKDF2-HMAC-SHA1, the salt and 20-byte key in padded URL-safe base64. Told from the dlitz form
 * by its 28-character key ending `=`.
 *
 * @example
 *   '$p5k2$2710$QohxTonxvldq7T3nHKN0rg==$bMbg6EQfjykLm9a_ULzolAzeARg='  // "password", 10,000 iterations
 */
export const ctaPbkdf2Sha1: HashFormat = {
  id: 'cta-pbkdf2-sha1',
  origin: "Christopher Thompson's pbkdf2 module for Python ($p5k2$ with URL-safe base64)",
  matches: (hash) => CTA.test(hash),
  prepare(stored, { limits }) {
    const match = CTA.exec(stored.hash);
    const salt = match && urlsafe(match[2]!);
    const expected = match && urlsafe(match[3]!);
    if (!match || !salt || !expected) throw malformed('cta pbkdf2', 'expected $p5k2$<hex iterations>$<URL-safe base64 salt>$<URL-safe base64 key>');
    const iterations = parseInt(match[1]!, 16);
    if (iterations < 1) throw malformed('cta pbkdf2', 'iterations must be at least 1');
    requireWithin('cta pbkdf2', 'iterations', iterations, limits.pbkdf2Iterations);
    return { params: { digest: 'sha1', iterations }, verify: (password) => pbkdf2Matches(password.bytes, salt, iterations, 'sha1', expected) };
  },
};

/**
 * `$p5k2$<hex iterations>$<salt>$<key>` as Dwayne Litzenberger's PBKDF2 `crypt()` writes it (passlib
 * `dlitz_pbkdf2_sha1`): PBKDF2-HMAC-SHA1 salted with the whole setting string `$p5k2$<iterations>$<salt>` (the
 * iterations left empty when 400, in lower-case hex otherwise, as passlib and the original rebuild it), a 24-byte
 * key in adapted base64. Claims every other `$p5k2$` string, so a broken one is reported malformed.
 *
 * @example
 *   '$p5k2$$deQX2Pwb$RDhZOLw2HSFF2xkfVhuBoW34FiIUeD78'  // "password", 400 iterations (rounds omitted)
 */
export const dlitzPbkdf2Sha1: HashFormat = {
  id: 'dlitz-pbkdf2-sha1',
  origin: "Dwayne Litzenberger's PBKDF2 crypt() for Python ($p5k2$ with crypt64 salt)",
  matches: (hash) => hash.startsWith('$p5k2$'),
  prepare(stored, { limits }) {
    const match = DLITZ.exec(stored.hash);
    const expected = match && decodeAb64(match[3]!);
    if (!match || !expected || expected.length !== 24) throw malformed('dlitz pbkdf2', 'expected $p5k2$<hex iterations>$<salt>$<32 characters of adapted base64>');
    const iterations = match[1] === undefined ? 400 : parseInt(match[1], 16);
    if (iterations < 1) throw malformed('dlitz pbkdf2', 'iterations must be at least 1');
    requireWithin('dlitz pbkdf2', 'iterations', iterations, limits.pbkdf2Iterations);
    const setting = Buffer.from(`$p5k2$${iterations === 400 ? '' : iterations.toString(16)}$${match[2]}`, 'ascii');
    return { params: { digest: 'sha1', iterations }, verify: (password) => pbkdf2Matches(password.bytes, setting, iterations, 'sha1', expected) };
  },
};
