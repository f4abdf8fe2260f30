import { constantTimeEqual } from '../../compare.js';
import { crypt16 as computeCrypt16 } from '../../compute/des-crypt.js';
import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';

const BIGCRYPT = /^[./A-Za-z0-9]{2}(?:[./A-Za-z0-9]{11}){1,16}$/;
const CRYPT16 = /^[./A-Za-z0-9]{24}$/;
/**
 * Longest bigcrypt taken: 16 blocks (128 password bytes). passlib sets no bound, but each block is a worker-pool task,
 * and the systems that write bigcrypt accept far shorter passwords: a longer string is refused as malformed.
 */
const BIGCRYPT_MAX_BLOCKS = 16;

/**
 * `bigcrypt` (HP-UX trusted systems, Tru64; passlib `bigcrypt`), named only — a one-block bigcrypt is a DES crypt:
 * the 2-character salt, then one 11-character DES crypt per 8 bytes of password, the first with the salt, each next
 * with the first two characters of the block before it. A password of another number of blocks never matches.
 * Each block is one `des-crypt` worker-pool task (salt + block, as a DES crypt is stored).
 *
 * @example
 *   { hash: 'qiyh4XPJGsOZ2MEAyLkfWqeQ', scheme: 'bigcrypt' } // "passphrase": 2 blocks
 */
export const bigcrypt: HashFormat = {
  id: 'bigcrypt',
  origin: 'HP-UX / Tru64 bigcrypt (passlib bigcrypt)',
  matches: () => false,
  prepare(stored) {
    if (!BIGCRYPT.test(stored.hash)) {
      throw malformed('bigcrypt', `expected 2 crypt64 salt characters and 1 to ${BIGCRYPT_MAX_BLOCKS} blocks of 11`);
    }
    const blocks: string[] = [];
    let salt = stored.hash.slice(0, 2);
    for (let offset = 2; offset < stored.hash.length; offset += 11) {
      const block = stored.hash.slice(offset, offset + 11);
      blocks.push(salt + block);
      salt = block.slice(0, 2);
    }
    return {
      params: { blocks: blocks.length },
      async verify(password, runInWorker) {
        const passwordBlocks = Math.max(1, Math.ceil(password.bytes.length / 8));
        const results = await Promise.all(
          blocks.map((expected, i) => runInWorker({ kind: 'des-crypt', password: password.bytes.subarray(8 * i, 8 * i + 8), expected })),
        );
        // passlib and libc refuse a NUL in the password; the block count must be the password's.
        return results.every(Boolean) && passwordBlocks === blocks.length && !password.bytes.includes(0);
      },
    };
  },
};

/**
 * `crypt16` (Ultrix, Digital UNIX; passlib `crypt16`), named only (24 crypt64 characters could be other things):
 * two DES crypts sharing one salt, 20 then 5 rounds, over the first 16 bytes. Computed in process: 25 DES block
 * operations, about 1 ms — the same work a DES crypt does in the worker pool.
 *
 * @example
 *   { hash: 'qi8H8R7OM4xMUNMPuRAZxlY.', scheme: 'crypt16' } // "passphrase"
 */
export const crypt16: HashFormat = {
  id: 'crypt16',
  origin: 'Ultrix / Digital UNIX crypt16 (passlib crypt16)',
  matches: () => false,
  prepare(stored) {
    if (!CRYPT16.test(stored.hash)) throw malformed('crypt16', 'expected 24 crypt64 characters (2 of salt, 22 of checksum)');
    const expected = Buffer.from(stored.hash, 'latin1');
    return {
      params: {},
      verify: async (password) =>
        constantTimeEqual(Buffer.from(computeCrypt16(Buffer.from(password.bytes), stored.hash.slice(0, 2)), 'latin1'), expected) && !password.bytes.includes(0),
    };
  },
};
