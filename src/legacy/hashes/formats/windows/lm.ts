import { constantTimeEqual } from '../../compare.js';
import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';
import { desEncryptBlock, expandDesKey, hexDigest } from './shared.js';

const MAGIC = Buffer.from('KGS!@#$%', 'latin1');
/** Code page 437's bytes 0x80–0xFF (0x00–0x7F are ASCII): the OEM code page LM hashes were computed in. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** `text` in code page 437, or null when a character has no byte there (such a password never had an LM hash). */
function encodeCp437(text: string): Buffer | null {
  const bytes: number[] = [];
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else {
      const index = CP437_HIGH.indexOf(character);
      if (index < 0) return null;
      bytes.push(0x80 + index);
    }
  }
  return Buffer.from(bytes);
}

const ENCODINGS = {
  cp437: encodeCp437,
  latin1: (text: string) => (/^[\u0000-\u00ff]*$/.test(text) ? Buffer.from(text, 'latin1') : null),
  'utf-8': (text: string) => Buffer.from(text, 'utf8'),
} as const;
type LmEncoding = keyof typeof ENCODINGS;

/** The 16-byte LM hash: the upper-cased password, 14 bytes (cut or zero-padded), each half a DES key for KGS!@#$%. */
function lmDigest(password: Buffer): Buffer {
  const key = Buffer.alloc(14);
  password.copy(key, 0, 0, 14);
  return Buffer.concat([desEncryptBlock(expandDesKey(key.subarray(0, 7)), MAGIC), desEncryptBlock(expandDesKey(key.subarray(7)), MAGIC)]);
}

/**
 * The LAN Manager hash (passlib `lmhash`): 32 hex digits, either case (pwdump prints both). The password is
 * upper-cased, encoded in the OEM code page — `params.encoding`: `cp437` (default, passlib's too), `latin1` or
 * `utf-8` — and cut to 14 bytes, as Windows did. Named-only: 32 hex digits could as well be MD5 or NT.
 *
 * @example
 *   { hash: 'aad3b435b51404eeaad3b435b51404ee', scheme: 'lmhash' } // the empty password
 */
export const lmhash: HashFormat = {
  id: 'lmhash',
  origin: 'LAN Manager hash (Windows SAM before Vista, Samba); passlib lmhash',
  matches: () => false,
  prepare(stored) {
    const expected = hexDigest(stored.hash, 32);
    if (!expected) throw malformed('LM', 'expected 32 hex digits');
    const encoding = stored.params?.encoding ?? 'cp437';
    if (typeof encoding !== 'string' || !Object.hasOwn(ENCODINGS, encoding)) throw malformed('LM', 'params.encoding must be cp437, latin1 or utf-8');
    const encode = ENCODINGS[encoding as LmEncoding];
    return {
      params: { encoding },
      verify: async (password) => {
        const bytes = encode(password.text.toUpperCase());
        // A character the code page lacks: Windows could not have stored an LM hash of this password.
        return bytes !== null && constantTimeEqual(lmDigest(bytes), expected);
      },
    };
  },
};
