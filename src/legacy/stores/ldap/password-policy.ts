import { Control, type BerReader } from 'ldapts';

/**
 * The password policy control of draft-behera-ldap-password-policy-10 §6
 * (https://datatracker.ietf.org/doc/html/draft-behera-ldap-password-policy-10#section-6), which OpenLDAP's ppolicy
 * overlay implements: sent empty with a bind, answered with warnings and an error.
 */
export const PASSWORD_POLICY_OID = '1.3.6.1.4.1.42.2.27.8.5.1';

/** The `error` enumeration of PasswordPolicyResponseValue (§6.2), in order. */
const POLICY_ERRORS = [
  'passwordExpired',
  'accountLocked',
  'changeAfterReset',
  'passwordModNotAllowed',
  'mustSupplyOldPassword',
  'insufficientPasswordQuality',
  'passwordTooShort',
  'passwordTooYoung',
  'passwordInHistory',
  'passwordTooLong',
] as const;

export type PasswordPolicyError = (typeof POLICY_ERRORS)[number];

/** What the directory said in the response control. */
export interface PasswordPolicyResponse {
  /** The error, or null (none, or a value the draft does not define). */
  readonly error: PasswordPolicyError | null;
  readonly timeBeforeExpiration: number | null;
  readonly graceAuthNsRemaining: number | null;
}

// BER tags, IMPLICIT TAGS (§6.2): warning [0] is constructed, its choices and error [1] are primitive.
const SEQUENCE = 0x30;
const WARNING = 0xa0;
const TIME_BEFORE_EXPIRATION = 0x80;
const GRACE_AUTHNS_REMAINING = 0x81;
const ERROR = 0x81;

/**
 * Parses a PasswordPolicyResponseValue:
 *
 *     SEQUENCE { warning [0] CHOICE { timeBeforeExpiration [0] INTEGER, graceAuthNsRemaining [1] INTEGER } OPTIONAL,
 *                error   [1] ENUMERATED { passwordExpired (0), accountLocked (1), changeAfterReset (2), … } OPTIONAL }
 *
 * Returns null for anything malformed (a wrong tag, a length past the end, an integer over 4 bytes): a control we
 * cannot read tells us nothing, and the bind's result code still stands.
 *
 * @example
 *   parsePasswordPolicyResponse(Buffer.from('3003810101', 'hex')) // { error: 'accountLocked', … }
 */
export function parsePasswordPolicyResponse(value: Uint8Array): PasswordPolicyResponse | null {
  const outer = readElement(value, 0);
  if (outer === null || outer.tag !== SEQUENCE || outer.end !== value.length) return null;
  let timeBeforeExpiration: number | null = null;
  let graceAuthNsRemaining: number | null = null;
  let error: PasswordPolicyError | null = null;
  let offset = outer.start;
  let seenError = false;
  while (offset < outer.end) {
    const element = readElement(value, offset, outer.end);
    if (element === null) return null;
    if (element.tag === WARNING && !seenError && timeBeforeExpiration === null && graceAuthNsRemaining === null) {
      const choice = readElement(value, element.start, element.end);
      if (choice === null || choice.end !== element.end) return null;
      const number = readUnsigned(value, choice.start, choice.end);
      if (number === null) return null;
      if (choice.tag === TIME_BEFORE_EXPIRATION) timeBeforeExpiration = number;
      else if (choice.tag === GRACE_AUTHNS_REMAINING) graceAuthNsRemaining = number;
      else return null;
    } else if (element.tag === ERROR && !seenError) {
      const number = readUnsigned(value, element.start, element.end);
      if (number === null) return null;
      error = POLICY_ERRORS[number] ?? null;
      seenError = true;
    } else {
      return null;
    }
    offset = element.end;
  }
  return { error, timeBeforeExpiration, graceAuthNsRemaining };
}

/**
 * The request control, sent (not critical) with each user bind; after the bind, `response` holds what the directory
 * answered, or null when it sent no control (no ppolicy overlay) or one we could not read. One instance per bind:
 * ldapts parses a response control into the request control of the same type.
 *
 * @example
 *   const policy = new PasswordPolicyControl();
 *   await client.bind(dn, password, [policy]).catch(…);
 *   if (policy.response?.error === 'accountLocked') …
 */
export class PasswordPolicyControl extends Control {
  response: PasswordPolicyResponse | null = null;

  constructor() {
    super(PASSWORD_POLICY_OID, { critical: false });
  }

  protected override parseControl(reader: BerReader): void {
    this.response = parsePasswordPolicyResponse(reader.buffer);
  }
}

interface Element {
  tag: number;
  /** Where the content starts and ends (exclusive). */
  start: number;
  end: number;
}

/** One BER element (definite length, at most 4 length bytes) inside `[offset, limit)`, or null if it does not fit. */
function readElement(bytes: Uint8Array, offset: number, limit = bytes.length): Element | null {
  if (offset + 2 > limit) return null;
  const tag = bytes[offset]!;
  let length = bytes[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) return null;
    length = 0;
    for (let index = 0; index < count; index += 1) length = length * 256 + bytes[start + index]!;
    start += count;
  }
  const end = start + length;
  return end > limit ? null : { tag, start, end };
}

/** A non-negative INTEGER or ENUMERATED of 1–4 content bytes, or null. */
function readUnsigned(bytes: Uint8Array, start: number, end: number): number | null {
  const length = end - start;
  if (length < 1 || length > 4 || bytes[start]! & 0x80) return null;
  let value = 0;
  for (let index = start; index < end; index += 1) value = value * 256 + bytes[index]!;
  return value;
}
