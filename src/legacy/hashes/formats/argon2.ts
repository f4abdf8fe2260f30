import { verify as argon2Verify } from '@node-rs/argon2';
import { decodeBase64Unpadded } from '../encodings.js';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import { requireWithin } from '../limits.js';

const PHC = /^\$(argon2(?:id|i|d))\$(?:v=(\d+)\$)?m=([1-9]\d{0,9}),t=([1-9]\d{0,9}),p=([1-9]\d{0,7})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;
/** RFC 9106 §3.1: m and t are 32-bit, p below 2^24; the salt at least 8 bytes, the tag at least 4. */
const MAX_UINT32 = 2 ** 32 - 1;
const MAX_LANES = 2 ** 24 - 1;

/**
 * argon2id, argon2i and argon2d in the PHC string format (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`; `v=` may be
 * missing, meaning version 0x10). Verified natively by @node-rs/argon2 on libuv's pool.
 */
export const argon2: HashFormat = {
  id: 'argon2',
  origin: 'Argon2 (PHC winner, RFC 9106); PHP password_hash, passlib, Spring, Keycloak, libsodium',
  matches: (hash) => /^\$argon2(?:id|i|d)\$/.test(hash),
  prepare(stored, { limits }) {
    const match = PHC.exec(stored.hash);
    if (!match) throw malformed('argon2', 'expected $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash> in unpadded base64');
    const [, variant, version, m, t, p, salt, tag] = match;
    const memory = Number(m);
    const time = Number(t);
    const parallelism = Number(p);
    if (version !== undefined && version !== '16' && version !== '19') throw malformed('argon2', `version ${version} is neither 16 nor 19`);
    if (memory > MAX_UINT32 || time > MAX_UINT32 || parallelism > MAX_LANES || memory < 8 * parallelism) throw malformed('argon2', 'parameters outside RFC 9106 bounds');
    if ((decodeBase64Unpadded(salt!)?.length ?? 0) < 8 || (decodeBase64Unpadded(tag!)?.length ?? 0) < 4) {
      throw malformed('argon2', 'the salt (8 bytes or more) or hash (4 or more) is not canonical unpadded base64');
    }
    requireWithin('argon2', 'memory (KiB)', memory, limits.argon2MemoryKiB);
    requireWithin('argon2', 'time cost', time, limits.argon2TimeCost);
    requireWithin('argon2', 'parallelism', parallelism, limits.argon2Parallelism);
    return {
      params: { variant, version: version === undefined ? 16 : Number(version), memoryKiB: memory, timeCost: time, parallelism },
      verify: (password) => argon2Verify(stored.hash, password.bytes),
    };
  },
};
