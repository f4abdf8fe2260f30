import { CLAIM_NAME_PATTERN, MAX_CLAIMS, MAX_CLAIMS_BYTES, claimsSize } from '../../events/index.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../errors.js';
import { TokenClaimsError, TokenClaimsErrorCode } from './errors.js';
import type { LegacyClaims } from './source.js';

/** Names a plain object would treat as its own machinery: never claim names (the response builder refuses them too). */
const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/**
 * Most array items, all claims together. The 3 KB limit counts the bytes of names and values, so an array of a
 * million empty strings would pass it; each item costs at least `"",` (3 bytes) on the wire, so 1024 items already
 * take as much as the whole limit.
 */
export const MAX_CLAIM_ARRAY_ITEMS = 1024;

type ClaimValue = string | readonly string[];

/**
 * The claims in the first row of TOKEN_CLAIMS_QUERY: each column one claim named as the column (case kept), NULL
 * omitted; a JS array (PostgreSQL `text[]`, a parsed `json` column) or a text holding a JSON array of strings →
 * an array of strings; numbers, bigints and booleans → their string form; a date → ISO 8601. Anything else — a JSON
 * object, binary data, an array holding a non-string — is `TOKEN_CLAIM_VALUE_INVALID`; a column that cannot be a claim
 * name is `TOKEN_CLAIM_NAME_INVALID`; the result must keep the event's limits ({@link checkClaimLimits}).
 * `columns`, when the driver reports them, catches a name returned twice (a row object keeps only one).
 *
 * @example
 *   claimsFromRow({ roles: '["Writer","Editor"]', level: 3n, nickname: null }) // { roles: ['Writer', 'Editor'], level: '3' }
 */
export function claimsFromRow(row: Readonly<Record<string, unknown>>, columns?: readonly string[]): LegacyClaims {
  if (columns !== undefined) {
    const seen = new Set<string>();
    for (const column of columns) {
      if (seen.has(column)) throw nameInvalid(`The token claims query returns the column ${shownName(column)} more than once; each column is one claim.`);
      seen.add(column);
    }
  }
  const claims: Record<string, ClaimValue> = {};
  for (const [name, raw] of Object.entries(row)) {
    checkName(name, 'The token claims query returns a column');
    const value = sqlValue(raw, name);
    if (value !== undefined) claims[name] = value;
  }
  return checkClaimLimits(claims);
}

/**
 * The claims in a TOKEN_CLAIMS_URL answer: a JSON object of claims, each a string or an array of strings; numbers
 * and booleans → their string form; null omitted. A body that is not a JSON object is `LEGACY_ANSWER_INVALID`; a
 * nested object or an array holding a non-string is `TOKEN_CLAIM_VALUE_INVALID`.
 *
 * @example
 *   claimsFromAnswer({ roles: ['Writer'], tier: 2, nickname: null }) // { roles: ['Writer'], tier: '2' }
 */
export function claimsFromAnswer(body: unknown): LegacyClaims {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new LegacyStoreError(LegacyStoreErrorCode.ANSWER_INVALID, 'The token claims web service answered something other than a JSON object of claims.');
  }
  const claims: Record<string, ClaimValue> = {};
  for (const [name, raw] of Object.entries(body)) {
    checkName(name, 'The token claims web service answered a field');
    const value = jsonValue(raw, name);
    if (value !== undefined) claims[name] = value;
  }
  return checkClaimLimits(claims);
}

/**
 * Checks claims against the event's limits — names that can be claim names, values that are strings or arrays of
 * strings, at most {@link MAX_CLAIMS} claims, {@link MAX_CLAIM_ARRAY_ITEMS} array items and {@link MAX_CLAIMS_BYTES}
 * bytes of names and values — and returns a frozen copy (arrays too). Throws `TOKEN_CLAIM_NAME_INVALID`,
 * `TOKEN_CLAIM_VALUE_INVALID` or `TOKEN_CLAIMS_TOO_LARGE`, naming counts and valid names, never a value. The handler
 * runs it again over the claims it sends (the legacy ones and `legacyId`), whatever source gave them.
 *
 * @example
 *   checkClaimLimits({ legacyId: '42', roles: ['Writer'] }) // the same claims, frozen
 */
export function checkClaimLimits(claims: Readonly<Record<string, unknown>>): LegacyClaims {
  const names = Object.keys(claims);
  if (names.length > MAX_CLAIMS) throw tooLarge(`The legacy system gave ${names.length} claims; a token takes at most ${MAX_CLAIMS}.`);
  const copy: Record<string, ClaimValue> = {};
  let items = 0;
  for (const name of names) {
    checkName(name, 'The claims hold one');
    const value = claims[name];
    if (Array.isArray(value)) {
      items += value.length;
      if (items > MAX_CLAIM_ARRAY_ITEMS) throw tooLarge(`The legacy claims hold more than ${MAX_CLAIM_ARRAY_ITEMS} array items, the most that is sent.`);
      copy[name] = Object.freeze(stringArray(value, name));
    } else if (typeof value === 'string') {
      copy[name] = value;
    } else {
      throw valueInvalid(name, value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`);
    }
  }
  const size = claimsSize(copy as Record<string, string | string[]>);
  if (size > MAX_CLAIMS_BYTES) throw tooLarge(`The claims take ${size} bytes of names and values; a token takes at most ${MAX_CLAIMS_BYTES} (3 KB).`);
  return Object.freeze(copy);
}

function checkName(name: string, what: string): void {
  if (FORBIDDEN_NAMES.has(name) || !CLAIM_NAME_PATTERN.test(name)) {
    throw nameInvalid(`${what} whose name cannot be a claim name (${shownName(name)}); use letters, digits, _, - and ., a letter first.`);
  }
}

function sqlValue(raw: unknown, name: string): ClaimValue | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === 'string') return textValue(raw, name);
  if (Array.isArray(raw)) return stringArray(raw, name);
  if (raw instanceof Date) {
    if (Number.isNaN(raw.getTime())) throw valueInvalid(name, 'an invalid date');
    return raw.toISOString();
  }
  return scalar(raw, name);
}

function jsonValue(raw: unknown, name: string): ClaimValue | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) return stringArray(raw, name);
  return scalar(raw, name);
}

/** A text column: a JSON array of strings becomes the array; any other text (`[draft]` included) stays as it is. */
function textValue(text: string, name: string): ClaimValue {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return text;
  }
  return Array.isArray(parsed) ? stringArray(parsed, name) : text;
}

function stringArray(items: readonly unknown[], name: string): string[] {
  if (!items.every((item): item is string => typeof item === 'string')) throw valueInvalid(name, 'an array holding something other than strings');
  return [...items];
}

function scalar(raw: unknown, name: string): string {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw valueInvalid(name, 'a number that is not finite');
    return String(raw);
  }
  if (typeof raw === 'bigint' || typeof raw === 'boolean') return String(raw);
  throw valueInvalid(name, raw instanceof Uint8Array ? 'binary data' : typeof raw === 'object' ? 'an object' : `a ${typeof raw}`);
}

/** A name for a message: a valid claim name as it is, anything else only by its length (it may be hostile). */
function shownName(name: string): string {
  return CLAIM_NAME_PATTERN.test(name) ? name : `a name of ${name.length} characters`;
}

function nameInvalid(message: string): TokenClaimsError {
  return new TokenClaimsError(TokenClaimsErrorCode.NAME_INVALID, message);
}

function valueInvalid(name: string, what: string): TokenClaimsError {
  return new TokenClaimsError(TokenClaimsErrorCode.VALUE_INVALID, `The legacy claim ${shownName(name)} holds ${what}; a claim is a string or an array of strings.`);
}

function tooLarge(message: string): TokenClaimsError {
  return new TokenClaimsError(TokenClaimsErrorCode.TOO_LARGE, message);
}
