import assert from 'node:assert/strict';
import { createHash, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { hash as argon2Hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { createPasswordVerifier, type StoredHash } from '../../../src/legacy/hashes/index.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';

/**
 * Hashes made here by independent means (node:crypto, the native libraries) for passwords the vectors lack: a
 * non-ASCII one and one longer than bcrypt's 72 bytes. Each must match, and a one-character change must not.
 */
const LONG = `${CANARY_PASSWORDS.unicode}-${'long'.repeat(30)}`;
const b64 = (bytes: Buffer) => bytes.toString('base64');
const ab64 = (bytes: Buffer) => b64(bytes).replace(/=+$/, '').replace(/\+/g, '.');

const MAKERS: Record<string, (password: string) => Promise<StoredHash> | StoredHash> = {
  'bcrypt $2b$': async (password) => ({ hash: await bcryptHash(password, 4) }),
  argon2id: async (password) => ({ hash: await argon2Hash(password, { memoryCost: 1024, timeCost: 1 }) }),
  'Django pbkdf2_sha256': (password) => ({ hash: `pbkdf2_sha256$1000$salt$${b64(pbkdf2Sync(password, 'salt', 1000, 32, 'sha256'))}` }),
  'passlib $pbkdf2-sha512$': (password) => {
    const salt = randomBytes(16);
    return { hash: `$pbkdf2-sha512$1000$${ab64(salt)}$${ab64(pbkdf2Sync(password, salt, 1000, 64, 'sha512'))}` };
  },
  'passlib $scrypt$': (password) => {
    const salt = randomBytes(16);
    return { hash: `$scrypt$ln=10,r=8,p=1$${b64(salt).replace(/=+$/, '')}$${b64(scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 })).replace(/=+$/, '')}` };
  },
  'LDAP {SSHA512}': (password) => {
    const salt = randomBytes(8);
    return { hash: `{SSHA512}${b64(Buffer.concat([createHash('sha512').update(password).update(salt).digest(), salt]))}` };
  },
  'MySQL 4.1': (password) => ({ hash: `*${createHash('sha1').update(createHash('sha1').update(password).digest()).digest('hex').toUpperCase()}` }),
  'SQL Server 2012': (password) => {
    const salt = randomBytes(4);
    return { hash: `0x0200${salt.toString('hex')}${createHash('sha512').update(Buffer.from(password, 'utf16le')).update(salt).digest('hex')}` };
  },
  'ASP.NET Identity v3': (password) => {
    const salt = randomBytes(16);
    const header = Buffer.alloc(13);
    header.writeUInt8(1, 0);
    header.writeUInt32BE(2, 1); // HMAC-SHA512
    header.writeUInt32BE(1000, 5);
    header.writeUInt32BE(16, 9);
    return { hash: b64(Buffer.concat([header, salt, pbkdf2Sync(password, salt, 1000, 32, 'sha512')])) };
  },
  'digest sha256, salt prefix, UTF-16LE': (password) => ({
    // The salt is its UTF-8 bytes (saltEncoding), the password its UTF-16LE bytes (passwordEncoding).
    hash: createHash('sha256').update('s4lt!', 'utf8').update(Buffer.from(password, 'utf16le')).digest('hex'),
    scheme: 'digest',
    params: { algorithm: 'sha256', salt: 's4lt!', saltPosition: 'prefix', passwordEncoding: 'utf16le' },
  }),
};

const verifier = createPasswordVerifier();
after(() => verifier.close());

describe('hashes made independently, for non-ASCII and long passwords', () => {
  for (const [name, make] of Object.entries(MAKERS)) {
    for (const password of [CANARY_PASSWORDS.unicode, LONG]) {
      test(`${name}: ${password === LONG ? `${Buffer.byteLength(password)}-byte` : 'non-ASCII'} password`, async () => {
        const stored = await make(password);
        assert.equal(await verifier.verify(password, stored), true);
        assert.equal(await verifier.verify(`x${password.slice(1)}`, stored), false);
        if (password === LONG && !name.startsWith('bcrypt')) {
          assert.equal(await verifier.verify(password.slice(0, 72), stored), false, 'only bcrypt stops at 72 bytes');
        }
      });
    }
  }
});
