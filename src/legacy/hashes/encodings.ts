const STANDARD_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const AB64 = /^[A-Za-z0-9./]*$/;

/** Strict standard base64 (padding optional); null when the text is not base64. */
export function decodeBase64(text: string): Buffer | null {
  if (!STANDARD_BASE64.test(text) || text.replace(/=+$/, '').length % 4 === 1) return null;
  return Buffer.from(text, 'base64');
}

/** passlib's "adapted base64": standard base64 with `.` for `+` and no padding. */
export function decodeAb64(text: string): Buffer | null {
  if (!AB64.test(text) || text.length % 4 === 1) return null;
  return Buffer.from(text.replace(/\./g, '+'), 'base64');
}
