/**
 * Whether OpenLDAP's ppolicy overlay holds the account locked, from its `pwdAccountLockedTime` (an operational
 * attribute the service account must request by name and be allowed to read). slapd answers a locked account's
 * right password with the same result 49 as a wrong one, so this is how we tell "locked" from "wrong".
 *
 * Locked when the attribute is present and its time has come: a time in the future is "not yet in effect", and
 * `000001010000Z` (or anything unreadable) is a lock until an administrator lifts it, as slapd reads them
 * (servers/slapd/overlays/ppolicy.c, account_locked). A lock whose pwdLockoutDuration has run out still counts until
 * the next bind clears it: we only ask after the bind failed, and slapd lets a right password through then.
 *
 * @example
 *   isPpolicyLocked(['20240101120000Z'], Date.now()) // true
 */
export function isPpolicyLocked(values: readonly string[], now: number): boolean {
  const value = values[0];
  if (value === undefined) return false;
  const lockedAt = parseGeneralizedTime(value);
  return lockedAt === null || lockedAt <= now;
}

/** ACCOUNTDISABLE in Active Directory's userAccountControl (https://learn.microsoft.com/troubleshoot/windows-server/active-directory/useraccountcontrol-manipulate-account-properties). */
const ACCOUNTDISABLE = 0x2;

/**
 * Whether Active Directory's `userAccountControl` says the account is disabled (the ACCOUNTDISABLE flag, 0x2).
 * AD stores the flags as a signed 32-bit integer; anything that is not one is not a flag set.
 *
 * @example
 *   isAdAccountDisabled(['514']) // true (NORMAL_ACCOUNT | ACCOUNTDISABLE)
 */
export function isAdAccountDisabled(values: readonly string[]): boolean {
  const value = values[0];
  if (value === undefined || !/^-?\d{1,11}$/.test(value)) return false;
  return (Number(value) & ACCOUNTDISABLE) !== 0;
}

/** RFC 4517 §3.3.13 GeneralizedTime, as slapd writes it: `YYYYMMDDHHMM[SS][.fraction]Z`. Null if unreadable. */
const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,]\d{1,9})?Z$/;

function parseGeneralizedTime(value: string): number | null {
  const match = GENERALIZED_TIME.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}
