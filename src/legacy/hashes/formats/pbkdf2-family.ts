import { decodeBase64, decodeHex } from '../encodings.js';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import { requireWithin } from '../limits.js';
import { pbkdf2Matches } from './pbkdf2-compute.js';

const HASHCAT = /^(sha1|sha256|sha512):([1-9]\d{0,9}):([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

/** `sha256:<iterations>:<base64 salt>:<base64 key>` (hashcat modes 10900/12000/12100; Python pbkdf2 libraries). */
export const colonPbkdf2: HashFormat = {
  id: 'colon-pbkdf2',
  origin: 'hashcat PBKDF2 notation (Python pbkdf2 helpers, many home-grown systems)',
  matches: (hash) => HASHCAT.test(hash),
  prepare(stored, { limits }) {
    const match = HASHCAT.exec(stored.hash);
    if (!match) throw malformed('PBKDF2', 'expected <sha1|sha256|sha512>:<iterations>:<base64 salt>:<base64 key>');
    const salt = decodeBase64(match[3]!);
    const key = decodeBase64(match[4]!);
    const iterations = Number(match[2]);
    if (!salt || !key || key.length < 8 || iterations < 1) throw malformed('PBKDF2', 'salt or key is not base64, or too short');
    requireWithin('PBKDF2', 'iterations', iterations, limits.pbkdf2Iterations);
    return { params: { digest: match[1], iterations }, verify: (password) => pbkdf2Matches(password.bytes, salt, iterations, match[1]!, key) };
  },
};

const WERKZEUG = /^pbkdf2:(sha1|sha256|sha512):([1-9]\d{0,9})\$([^$]+)\$([0-9a-f]+)$/;

/** Werkzeug `pbkdf2:sha256:<iterations>$<salt>$<hex key>` (Flask); salt used as its ASCII bytes. */
export const werkzeugPbkdf2: HashFormat = {
  id: 'werkzeug-pbkdf2',
  origin: 'Werkzeug generate_password_hash (Flask apps)',
  matches: (hash) => hash.startsWith('pbkdf2:'),
  prepare(stored, { limits }) {
    const match = WERKZEUG.exec(stored.hash);
    if (!match) throw malformed('Werkzeug pbkdf2', 'expected pbkdf2:<digest>:<iterations>$<salt>$<hex>');
    const iterations = Number(match[2]);
    requireWithin('Werkzeug pbkdf2', 'iterations', iterations, limits.pbkdf2Iterations);
    // Werkzeug writes the whole digest-sized key; a short or odd-length one is a damaged row, not a weaker check.
    const key = decodeHex(match[4]!);
    if (!key || key.length < 16) throw malformed('Werkzeug pbkdf2', 'the key is not hex of 16 bytes or more');
    return {
      params: { digest: match[1], iterations },
      verify: (password) => pbkdf2Matches(password.bytes, Buffer.from(match[3]!, 'utf8'), iterations, match[1]!, key),
    };
  },
};

/**
 * Spring Security `{pbkdf2}` (before 5.8: hex(salt8 ‖ PBKDF2-HMAC-SHA1(185000)→32)) and
 * `{pbkdf2@SpringSecurity_v5_8}` (hex(salt16 ‖ PBKDF2-HMAC-SHA256(310000)→32)), both with an empty secret.
 */
export const springPbkdf2: HashFormat = {
  id: 'spring-pbkdf2',
  origin: 'Spring Security Pbkdf2PasswordEncoder',
  matches: (hash) => /^\{pbkdf2(@SpringSecurity_v5_8)?\}[0-9a-f]+$/i.test(hash),
  prepare(stored) {
    const v58 = stored.hash.startsWith('{pbkdf2@SpringSecurity_v5_8}');
    const raw = decodeHex(stored.hash.slice(stored.hash.indexOf('}') + 1));
    const saltLength = v58 ? 16 : 8;
    if (!raw || raw.length !== saltLength + 32) throw malformed('Spring {pbkdf2}', `expected hex of ${saltLength} salt bytes and a 32-byte key`);
    const [iterations, digest] = v58 ? [310000, 'sha256'] : [185000, 'sha1'];
    return {
      params: { digest, iterations },
      verify: (password) => pbkdf2Matches(password.bytes, raw.subarray(0, saltLength), iterations, digest, raw.subarray(saltLength)),
    };
  },
};

/** Spring Security `{sha256}` StandardPasswordEncoder: hex(salt8 ‖ SHA-256^1024(salt ‖ password)), empty secret. */
export const springSha256: HashFormat = {
  id: 'spring-sha256',
  origin: 'Spring Security StandardPasswordEncoder (deprecated)',
  matches: (hash) => /^\{sha256\}[0-9a-f]{80}$/i.test(hash),
  prepare(stored) {
    const raw = Buffer.from(stored.hash.slice('{sha256}'.length), 'hex');
    const salt = raw.subarray(0, 8);
    return {
      params: { iterations: 1024 },
      verify: (password, runInWorker) =>
        runInWorker({ kind: 'iterated-digest', algorithm: 'sha256', first: Buffer.concat([salt, password.bytes]), repeat: Buffer.alloc(0), rounds: 1024, expected: raw.subarray(8) }),
    };
  },
};
