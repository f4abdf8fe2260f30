const STANDARD_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const UNPADDED_BASE64 = /^[A-Za-z0-9+/]*$/;
const AB64 = /^[A-Za-z0-9./]*$/;

/**
 * Canonical standard base64 (RFC 4648 §4): padded to a multiple of four, no bits set past the last byte. Null for
 * anything else: missing or extra padding, padding inside the text, stray characters — a row no encoder wrote.
 */
export function decodeBase64(text: string): Buffer | null {
  if (!STANDARD_BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

/** Canonical standard base64 without padding, as the PHC string format writes salts and hashes. */
export function decodeBase64Unpadded(text: string): Buffer | null {
  if (!UNPADDED_BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === text ? bytes : null;
}

/** passlib's "adapted base64": standard base64 with `.` for `+` and no padding (canonical, as passlib writes it). */
export function decodeAb64(text: string): Buffer | null {
  return AB64.test(text) ? decodeBase64Unpadded(text.replace(/\./g, '+')) : null;
}

/** Hex of whole bytes, in either case (a trailing half byte is a damaged row, never dropped); null otherwise. */
export function decodeHex(text: string): Buffer | null {
  return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : null;
}
