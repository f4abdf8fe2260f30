/**
 * The longest sign-in name sent to the directory, in characters. Entra's sign-in names (an email address, a user
 * name) are far shorter; a longer one is someone probing, and never worth a search.
 */
export const MAX_SIGN_IN_NAME_LENGTH = 256;

/**
 * Control characters (C0 including NUL, DEL, C1) and lone surrogates. Even escaped, `\00` truncates some matching
 * rules in slapd, and a lone surrogate becomes U+FFFD in UTF-8, so two different names would reach the directory as
 * the same bytes.
 */
const UNSENDABLE = /[\p{Cc}\p{Cs}]/u;

/**
 * Whether a sign-in name may be sent to the directory at all. A name that may not is answered `unknown` (Retry)
 * without a request: it matches no account, and nothing it holds reaches a filter or a DN.
 *
 * @example
 *   isSendableSignInName('ada@example.org') // true
 *   isSendableSignInName('ada\u0000') // false
 */
export function isSendableSignInName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_SIGN_IN_NAME_LENGTH * 2) return false;
  return [...name].length <= MAX_SIGN_IN_NAME_LENGTH && !UNSENDABLE.test(name);
}

/**
 * Whether a typed password may be sent in a bind. An empty one never is: RFC 4513 §5.1.2 makes a simple bind with
 * a DN and no password an "unauthenticated bind" that many servers answer with success. A lone surrogate would be
 * sent as U+FFFD, a different password from the one typed.
 *
 * @example
 *   isSendablePassword('') // false
 */
export function isSendablePassword(password: string): boolean {
  return password.length > 0 && !/\p{Cs}/u.test(password);
}
