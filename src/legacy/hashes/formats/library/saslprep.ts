/** RFC 3454 B.1: characters mapped to nothing. */
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/gu;
/** C.1.2: non-ASCII spaces, mapped to U+0020. */
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/gu;
/** C.2–C.9: control, private-use, non-character, surrogate, display-changing and tagging characters. */
const PROHIBITED =
  /[\u0000-\u001F\u007F-\u009F\u0340\u0341\u06DD\u070F\u180E\u200C-\u200F\u2028-\u202E\u2060-\u2063\u206A-\u206F\u2FF0-\u2FFB\uD800-\uDFFF\uE000-\uF8FF\uFDD0-\uFDEF\uFEFF\uFFF9-\uFFFF\u{1D173}-\u{1D17A}\u{E0001}\u{E0020}-\u{E007F}\u{F0000}-\u{10FFFF}]|[\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}]/u;

/**
 * SASLprep (RFC 4013) of a password, as passlib's `saslprep` applies it before SCRAM: B.1 characters removed,
 * non-ASCII spaces made U+0020, NFKC, then null when a prohibited character remains (passlib raises there, so such
 * a password never matches). Not checked: unassigned code points (Unicode 3.2's table A.1) and the bidi rule. Both
 * only refuse: passlib cannot have hashed a password they refuse, and a password holding such a character maps to a
 * string still holding it, so it cannot equal any password passlib did hash — skipping them changes no answer.
 *
 * @example
 *   saslprep('I\u00ADX')   // 'IX'
 *   saslprep('\u2168')     // 'IX'
 *   saslprep('a\u0007b')   // null
 */
export function saslprep(text: string): string | null {
  const prepared = text.replace(MAPPED_TO_NOTHING, '').replace(NON_ASCII_SPACE, ' ').normalize('NFKC');
  return PROHIBITED.test(prepared) ? null : prepared;
}
