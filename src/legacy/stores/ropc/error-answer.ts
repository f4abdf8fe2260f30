/**
 * The parts of a token endpoint's error answer that decide an outcome. The description is compared with known
 * texts and never logged or put in an error: providers may write the user name into it (WSO2's "Authentication
 * failed for ada@…"; Entra hides it as `{EmailHidden}`, others do not).
 */
export interface ErrorAnswer {
  /** RFC 6749 §5.2 `error` (or Okta's `errorCode`), when it is a plain token; otherwise null. */
  readonly error: string | null;
  /** `error_description` (or Okta's `errorSummary`), trimmed; null when absent. */
  readonly description: string | null;
  /**
   * Microsoft's codes, most specific first: the `AADB2C…`/`AADSTS…` that starts the description, then each number
   * of Entra's `error_codes` as `AADSTS{n}` (https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes#handling-error-codes-in-your-application).
   */
  readonly providerCodes: readonly string[];
}

/** What an `error` value may look like to be used (and named in a log line): short, no spaces or markup. */
const SAFE_TOKEN = /^[A-Za-z0-9_.:-]{1,64}$/;
/** `AADB2C90225: The username…` (B2C) or `AADSTS50126: Error validating…` (Entra), at the description's start. */
const LEADING_CODE = /^\s*(AADB2C|AADSTS)(\d{4,9})\b/;
/** Entra lists a handful of codes at most; more is not an Entra answer. */
const MAX_ERROR_CODES = 16;

/**
 * Reads an error answer's JSON value; null when it is not a JSON object (an array, a string, a number).
 *
 * @example
 *   readErrorAnswer({ error: 'access_denied', error_description: 'AADB2C90225: The username or password…' })
 *   // { error: 'access_denied', description: 'AADB2C90225: …', providerCodes: ['AADB2C90225'] }
 */
export function readErrorAnswer(value: unknown): ErrorAnswer | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const answer = value as Record<string, unknown>;
  const error = token(answer.error) ?? token(answer.errorCode);
  const description = text(answer.error_description) ?? text(answer.errorSummary);
  const providerCodes: string[] = [];
  const leading = description === null ? null : LEADING_CODE.exec(description);
  if (leading) providerCodes.push(`${leading[1]}${leading[2]}`);
  if (Array.isArray(answer.error_codes)) {
    for (const code of answer.error_codes.slice(0, MAX_ERROR_CODES)) {
      if (Number.isSafeInteger(code) && (code as number) > 0) {
        const name = `AADSTS${code as number}`;
        if (!providerCodes.includes(name)) providerCodes.push(name);
      }
    }
  }
  return { error, description, providerCodes };
}

function token(value: unknown): string | null {
  return typeof value === 'string' && SAFE_TOKEN.test(value) ? value : null;
}

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed ? trimmed : null;
}
