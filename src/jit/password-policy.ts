/**
 * The password policy of Microsoft Entra External ID, checked before we answer `MigratePassword`: a legacy
 * password Entra would refuse to store must be answered with `UpdatePassword` instead.
 *
 * Source: Microsoft Entra "Password policies and account restrictions" (password restrictions table):
 * 8–256 characters; at least three of lowercase, uppercase, digits, symbols; allowed characters are A–Z, a–z,
 * 0–9, the listed symbols and blank space; Unicode characters are not allowed.
 */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

/** The symbols the policy names: `@ # $ % ^ & * - _ ! + = [ ] { } | \ : ' , . ? / ` ~ " ( ) ; < >` and blank space. */
const SYMBOLS = new Set([...'@#$%^&*-_!+=[]{}|\\:\',.?/`~"();<> ']);

export type PasswordPolicyViolation = 'too-short' | 'too-long' | 'character-not-allowed' | 'too-few-character-classes';

/**
 * Returns why `password` would be refused by External ID, or `null` when it would be accepted.
 *
 * @example
 *   policyViolationOf('Tr0ub4dor&3') // null
 *   policyViolationOf('password')    // 'too-few-character-classes'
 */
export function policyViolationOf(password: string): PasswordPolicyViolation | null {
  const characters = [...password];
  if (characters.length < PASSWORD_MIN_LENGTH) return 'too-short';
  if (characters.length > PASSWORD_MAX_LENGTH) return 'too-long';

  let lower = false;
  let upper = false;
  let digit = false;
  let symbol = false;
  for (const character of characters) {
    if (character >= 'a' && character <= 'z') lower = true;
    else if (character >= 'A' && character <= 'Z') upper = true;
    else if (character >= '0' && character <= '9') digit = true;
    else if (SYMBOLS.has(character)) symbol = true;
    else return 'character-not-allowed';
  }
  const classes = Number(lower) + Number(upper) + Number(digit) + Number(symbol);
  return classes >= 3 ? null : 'too-few-character-classes';
}
