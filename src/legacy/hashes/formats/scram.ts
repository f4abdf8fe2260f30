import { createHash, createHmac } from 'node:crypto';
import { constantTimeEqual } from '../compare.js';
import { decodeBase64 } from '../encodings.js';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import { requireWithin } from '../limits.js';
import { pbkdf2Derive } from './pbkdf2-compute.js';

const SHAPE = /^SCRAM-SHA-256\$(\d{1,10}):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

/**
 * PostgreSQL `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (RFC 5802/7677): the password matches when
 * SHA-256(HMAC(SaltedPassword, "Client Key")) is the StoredKey. (PostgreSQL also SASLprep-normalises the password;
 * ASCII passwords are unaffected.)
 */
export const postgresScram: HashFormat = {
  id: 'postgres-scram-sha-256',
  origin: 'PostgreSQL 10+ password_encryption = scram-sha-256',
  matches: (hash) => hash.startsWith('SCRAM-SHA-256$'),
  prepare(stored, { limits }) {
    const match = SHAPE.exec(stored.hash);
    const salt = match && decodeBase64(match[2]!);
    const storedKey = match && decodeBase64(match[3]!);
    if (!match || !salt || !storedKey || storedKey.length !== 32) throw malformed('PostgreSQL SCRAM-SHA-256', 'expected SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>');
    const iterations = Number(match[1]);
    requireWithin('PostgreSQL SCRAM-SHA-256', 'iterations', iterations, limits.pbkdf2Iterations);
    return {
      params: { iterations },
      verify: async (password) => {
        const salted = await pbkdf2Derive(password.bytes, salt, iterations, 32, 'sha256');
        const clientKey = createHmac('sha256', salted).update('Client Key').digest();
        return constantTimeEqual(createHash('sha256').update(clientKey).digest(), storedKey);
      },
    };
  },
};
