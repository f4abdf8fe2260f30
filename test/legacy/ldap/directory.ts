import { Client } from 'ldapts';
import { SettingsReader, type RawSettings } from '../../../src/config/settings.js';
import { readLdapSettings, type LdapSettings } from '../../../src/config/legacy-ldap-settings.js';
import type { LegacyCheck, PasswordCheckOptions, SignInAttempt } from '../../../src/legacy/authority.js';
import type { LegacyAuthority } from '../../../src/legacy/index.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';
import { EXPIRING_POLICY, GRACE_POLICY, ldifLine, PEOPLE, SERVICE_DN, ssha, type Slapd } from '../../support/slapd.js';

/** The entryUUID loaded for ada, so the test can see the legacy id read back. */
export const ADA_UUID = '5a3f2a6e-0c1e-4d7a-9b2f-2d7f1e0c9a11';
/** Microsoft's documented pair (https://learn.microsoft.com/dotnet/api/system.guid.tobytearray): bytes ↔ string. */
export const GUID_BYTES = Buffer.from('c98b91356d19ea409779889d79b753f0', 'hex');
export const GUID_STRING = '35918bc9-196d-40ea-9779-889d79b753f0';
/** A uid holding every character RFC 4514 escapes, as it is in the directory. */
export const SPECIAL_UID = 'o,brien+"x"\\<y>;=z';
/** The same value written in the LDIF with hex escapes only, independent of the escaping code under test. */
const SPECIAL_RDN = 'uid=o\\2cbrien\\2b\\22x\\22\\5c\\3cy\\3e\\3b\\3dz';

const { correct, unicode } = CANARY_PASSWORDS;

function person(uid: string, lines: string[], password: string = correct, rdn = `uid=${uid}`): string {
  return [
    ldifLine('dn', `${rdn},${PEOPLE}`),
    'objectClass: inetOrgPerson',
    ldifLine('uid', uid),
    ldifLine('cn', uid),
    'sn: Test',
    ldifLine('userPassword', ssha(password)),
    ...lines,
  ].join('\n');
}

/**
 * The test directory's people. Each has the `correct` canary as password unless said otherwise, so an injection that
 * found one of them would come back `correct` and fail the test.
 */
export const PEOPLE_LDIF = [
  person('ada', ['mail: ada@example.org', `entryUUID: ${ADA_UUID}`]),
  person('admin', ['mail: admin@example.org']),
  person('twin1', ['mail: twin@example.org']),
  person('twin2', ['mail: twin@example.org']),
  person('grace', ['mail: grace@example.org']),
  person('hopper', ['mail: hopper@example.org']),
  person('reset', ['pwdReset: TRUE']),
  person('expired', [`pwdPolicySubentry: ${EXPIRING_POLICY}`, 'pwdChangedTime: 20000101000000Z']),
  person('graceful', [`pwdPolicySubentry: ${GRACE_POLICY}`, 'pwdChangedTime: 20000101000000Z']),
  person('disabled', ['objectClass: testAdAccount', 'userAccountControl: 514']),
  person('enabled', ['objectClass: testAdAccount', 'userAccountControl: 512']),
  person('guid', ['objectClass: testAdAccount', ldifLine('objectGUID', GUID_BYTES), 'sAMAccountName: guid', 'userPrincipalName: guid@corp.example.org']),
  person(SPECIAL_UID, [], correct, SPECIAL_RDN),
  person('zoë', [], unicode),
].join('\n\n');

/** LEGACY_LDAP_* for search then bind against `slapd`, with overrides. */
export function searchSettings(slapd: Slapd, overrides: RawSettings = {}): LdapSettings {
  return settingsOf({
    LEGACY_LDAP_URL: slapd.url,
    LEGACY_LDAP_BIND_DN: SERVICE_DN,
    LEGACY_LDAP_BIND_PASSWORD: slapd.servicePassword,
    LEGACY_LDAP_SEARCH_BASE: PEOPLE,
    LEGACY_LDAP_SEARCH_FILTER: '(|(mail={username})(uid={username}))',
    ...overrides,
  });
}

/** LEGACY_LDAP_* for a direct bind against `slapd`, with overrides. */
export function templateSettings(slapd: Slapd, overrides: RawSettings = {}): LdapSettings {
  return settingsOf({ LEGACY_LDAP_URL: slapd.url, LEGACY_LDAP_USER_DN_TEMPLATE: `uid={username},${PEOPLE}`, ...overrides });
}

export function settingsOf(raw: RawSettings): LdapSettings {
  const read = new SettingsReader(raw);
  const settings = readLdapSettings(read, false);
  if (settings === undefined) throw new Error(`test settings rejected: ${JSON.stringify(read.problems)}`);
  return settings;
}

/** One check with a fresh abort signal and a deadline `ms` from now. */
export function check(authority: LegacyAuthority, username: string, password: string, options: Partial<PasswordCheckOptions> & { ms?: number } = {}): Promise<LegacyCheck> {
  const attempt: SignInAttempt = { username, email: null, objectId: '00000000-0000-0000-0000-000000000001', password };
  return authority.checkPassword(attempt, {
    abortSignal: options.abortSignal ?? new AbortController().signal,
    deadlineAt: options.deadlineAt ?? Date.now() + (options.ms ?? 2000),
  });
}

/**
 * Three wrong passwords for `uid` (slapd's policy locks after 3), then waits up to `withinMs` until slapd shows the
 * lock (pwdAccountLockedTime, read as the service account). slapd records a failure as its own write after the bind;
 * on a loaded machine a bind that follows at once was once seen not to find the lock yet, and the test is about what
 * the store does with a locked account, not about slapd's write ordering.
 */
export async function lockOut(authority: LegacyAuthority, slapd: Slapd, uid: string, withinMs = 5000): Promise<void> {
  const { wrong } = CANARY_PASSWORDS;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const outcome = (await check(authority, uid, wrong)).outcome;
    if (outcome !== 'wrong') throw new Error(`wrong password ${attempt} for ${uid} read as ${outcome}`);
  }
  const client = new Client({ url: slapd.url, timeout: 2000, connectTimeout: 2000 });
  try {
    await client.bind(SERVICE_DN, slapd.servicePassword);
    const until = Date.now() + withinMs;
    for (;;) {
      const { searchEntries } = await client.search(`uid=${uid},${PEOPLE}`, { scope: 'base', attributes: ['pwdFailureTime', 'pwdAccountLockedTime'] });
      const entry = searchEntries[0];
      if (entry?.['pwdAccountLockedTime'] !== undefined) return;
      if (Date.now() >= until) {
        const failures = [entry?.['pwdFailureTime'] ?? []].flat().length;
        throw new Error(`slapd did not lock ${uid} within ${withinMs} ms after 3 wrong passwords (pwdFailureTime values: ${failures})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await client.unbind();
  }
}

interface SocketHandle {
  constructor: { name: string };
  remotePort?: number;
  localPort?: number;
  destroyed?: boolean;
  connecting?: boolean;
}

/** The sockets this process holds open (or is closing) to `port`, described for an assertion message. */
function socketsTo(port: number): string[] {
  const handles = (process as unknown as { _getActiveHandles(): SocketHandle[] })._getActiveHandles();
  return handles
    .filter((handle) => /Socket/.test(handle.constructor.name) && handle.remotePort === port)
    .map((handle) => `${handle.constructor.name} ${handle.localPort ?? '?'}→${handle.remotePort ?? '?'}${handle.destroyed ? ' destroyed' : ''}${handle.connecting ? ' connecting' : ''}`);
}

/**
 * Waits up to `withinMs` for this process to hold no socket to the directory at `url` (a destroyed socket's handle
 * goes away a few ticks later) and returns the ones left, described: none unless something leaked.
 */
export async function socketsLeftTo(url: string, withinMs = 1000): Promise<string[]> {
  const port = Number(new URL(url).port);
  const until = Date.now() + withinMs;
  while (socketsTo(port).length > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  return socketsTo(port);
}

/** For `assert.rejects`: a `LegacyStoreError` with `code` whose message (and public message) match every pattern. */
export function storeError(code: string, ...patterns: RegExp[]): (error: unknown) => boolean {
  return (error) => {
    const { code: actual, message, publicMessage } = (error ?? {}) as { code?: string; message?: string; publicMessage?: string };
    if (actual !== code) throw new Error(`expected ${code}, got ${actual ?? 'no code'}: ${message ?? String(error)}`);
    for (const pattern of patterns) {
      if (!pattern.test(message ?? '') || !pattern.test(publicMessage ?? '')) throw new Error(`${code} message does not match ${pattern}: ${message}`);
    }
    return true;
  };
}
