/**
 * What Active Directory's reason for a failed bind means for a sign-in. AD answers every failed simple bind with
 * result 49 (invalidCredentials) and puts the reason, a Win32 error code in hex, in the diagnostic message:
 * `80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 775, v3839`.
 */
export type AdBindVerdict =
  | { readonly outcome: 'wrong' }
  | { readonly outcome: 'unknown' }
  | { readonly outcome: 'blocked'; readonly status: 'locked' | 'disabled' | 'blocked' }
  /** The password was right, but AD wants it changed before the account is used. */
  | { readonly outcome: 'correct'; readonly mustChangePassword: true };

/**
 * The codes, as Win32 system error codes:
 * https://learn.microsoft.com/windows/win32/debug/system-error-codes--1300-1699- (0x525–0x533) and
 * https://learn.microsoft.com/windows/win32/debug/system-error-codes--1700-3999- (0x701, 0x773, 0x775).
 * AD reports 530, 531, 532, 533, 701 and 773 only after checking the password, which was therefore right; 775 is
 * reported whatever was typed.
 */
const AD_DATA_CODES: Readonly<Record<string, AdBindVerdict>> = {
  /** ERROR_NO_SUCH_USER (1317): no account by that name. */
  '525': { outcome: 'unknown' },
  /** ERROR_LOGON_FAILURE (1326): unknown user name or bad password. */
  '52e': { outcome: 'wrong' },
  /** ERROR_INVALID_LOGON_HOURS (1328): not allowed to sign in at this time. */
  '530': { outcome: 'blocked', status: 'blocked' },
  /** ERROR_INVALID_WORKSTATION (1329): not allowed to sign in from this computer. */
  '531': { outcome: 'blocked', status: 'blocked' },
  /** ERROR_PASSWORD_EXPIRED (1330). */
  '532': { outcome: 'correct', mustChangePassword: true },
  /** ERROR_ACCOUNT_DISABLED (1331). */
  '533': { outcome: 'blocked', status: 'disabled' },
  /** ERROR_ACCOUNT_EXPIRED (1793). */
  '701': { outcome: 'blocked', status: 'disabled' },
  /** ERROR_PASSWORD_MUST_CHANGE (1907): an administrator reset the password, or "must change at next logon". */
  '773': { outcome: 'correct', mustChangePassword: true },
  /** ERROR_ACCOUNT_LOCKED_OUT (1909). */
  '775': { outcome: 'blocked', status: 'locked' },
};

/** `data <hex>` after AD's `AcceptSecurityContext error` comment. */
const DATA_CODE = /\bAcceptSecurityContext error, data ([0-9a-f]{1,8})\b/i;

/**
 * Reads the reason out of Active Directory's diagnostic message of a result 49, or undefined when the message is not
 * in AD's format (OpenLDAP and others send none, or free text): the caller then treats the 49 as a wrong password.
 * An AD code not in the table is a wrong password too, as the result code says.
 *
 * @example
 *   adBindVerdict('80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 775, v3839')
 *   // { outcome: 'blocked', status: 'locked' }
 */
export function adBindVerdict(diagnosticMessage: string): AdBindVerdict | undefined {
  const match = DATA_CODE.exec(diagnosticMessage.slice(0, 1024));
  if (!match) return undefined;
  return AD_DATA_CODES[match[1]!.toLowerCase()] ?? { outcome: 'wrong' };
}

/** The AD data code in a diagnostic message (`775`), for a log line's detail; undefined when there is none. */
export function adDataCode(diagnosticMessage: string): string | undefined {
  return DATA_CODE.exec(diagnosticMessage.slice(0, 1024))?.[1]?.toLowerCase();
}
