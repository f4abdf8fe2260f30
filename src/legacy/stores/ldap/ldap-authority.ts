import type { Client } from 'ldapts';
import type { LdapSettings } from '../../../config/legacy-ldap-settings.js';
import type { LegacyAuthority, LegacyCheck, PasswordCheckOptions, SignInAttempt } from '../../authority.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import { isAbortReason, within, type Bounds } from './bounds.js';
import { LdapConnector } from './connection.js';
import { fillDn } from './escape.js';
import { findEntry } from './find-entry.js';
import { ServicePool } from './service-pool.js';
import { isSendablePassword, isSendableSignInName } from './sign-in-name.js';
import { ldapStoreError } from './store-error.js';
import { bindAsUser } from './user-bind.js';
import { entryAttributes, readUserEntry, type UserEntry } from './user-entry.js';
import { verdictOf } from './verdict.js';

/** Options of {@link openLdapAuthority}; the settings come from LEGACY_LDAP_*. */
export interface LdapAuthorityOptions {
  /**
   * Connections bound as the service account, each serving one search at a time. Default 4: Entra calls at most 50
   * times a second, and a search on a nearby directory takes a few ms, so 4 cover it with room for a slow answer
   * while staying a small footprint in the directory's connection limits.
   */
  serviceConnections?: number;
  /** How long `ping()` waits for the directory, in ms. Default 5000, a readiness probe's usual timeout. */
  pingTimeoutInMs?: number;
  /** The clock deadlines and lock times are read on, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

export const DEFAULT_SERVICE_CONNECTIONS = 4;
const DEFAULT_PING_TIMEOUT_IN_MS = 5000;

/**
 * The directory legacy store (LEGACY_LDAP_URL): OpenLDAP, Active Directory or any LDAPv3 server, asked whether a
 * password is right by binding as the user.
 *
 * - Search then bind (LEGACY_LDAP_SEARCH_FILTER): a pooled service connection finds the one entry (and its id,
 *   `pwdAccountLockedTime`, `userAccountControl`), then a connection of its own binds as it with the typed password.
 * - Direct bind (LEGACY_LDAP_USER_DN_TEMPLATE): one connection binds as the DN built from the name, then reads the
 *   user's own entry for the id.
 *
 * Nothing is sent for a sign-in name with control characters or over 256 characters (`unknown`) or an empty
 * password (`wrong`). Every wrong password we send counts toward the directory's own lockout policy. The verdict
 * rules are in verdict.ts; the deadline is what remains until `deadlineAt`, and an abort closes the connections at
 * once. Reads LEGACY_LDAP_CA_FILE now; connects on first use.
 *
 * @example
 *   const authority = await openLdapAuthority(settings);
 *   const check = await authority.checkPassword({ username, email: null, objectId, password }, { abortSignal, deadlineAt });
 */
export async function openLdapAuthority(settings: LdapSettings, options: LdapAuthorityOptions = {}): Promise<LegacyAuthority> {
  const now = options.now ?? Date.now;
  const serviceConnections = options.serviceConnections ?? DEFAULT_SERVICE_CONNECTIONS;
  const pingTimeoutInMs = options.pingTimeoutInMs ?? DEFAULT_PING_TIMEOUT_IN_MS;
  if (!Number.isInteger(serviceConnections) || serviceConnections < 1 || serviceConnections > 64) {
    throw new LegacyStoreError(LegacyStoreErrorCode.OPTIONS_INVALID, `The directory store's service connections must be 1–64, not ${serviceConnections}.`);
  }
  const connector = await LdapConnector.create(settings);
  const { lookup, url, idAttribute } = settings;
  const pool = lookup.kind === 'search' ? new ServicePool(connector, lookup, url, serviceConnections) : null;
  const search = lookup.kind === 'search' ? { searchBase: lookup.searchBase, searchFilter: lookup.searchFilter, idAttribute, url } : null;
  let closed = false;

  const checkClosed = (): void => {
    if (closed) throw new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, 'The directory legacy store is closed.');
  };

  /** Direct bind: the user's own entry, read on their bound connection; null when they may not read it. */
  const readOwnEntry = (dn: string, bounds: Bounds) => async (client: Client): Promise<UserEntry | null> => {
    const { attributes, explicitBufferAttributes } = entryAttributes(idAttribute);
    try {
      const { searchEntries } = await client.search(dn, { scope: 'base', derefAliases: 'never', attributes, explicitBufferAttributes, sizeLimit: 1 });
      return searchEntries.length === 1 ? readUserEntry(searchEntries[0]!, idAttribute, bounds.now()) : null;
    } catch {
      return null; // a restricted connection (slapd after a reset), or no read right on one's own entry: no id
    }
  };

  return {
    kind: 'ldap',

    async checkPassword(attempt: SignInAttempt, { abortSignal, deadlineAt }: PasswordCheckOptions): Promise<LegacyCheck> {
      checkClosed();
      if (!isSendableSignInName(attempt.username)) return { outcome: 'unknown' };
      if (!isSendablePassword(attempt.password)) return { outcome: 'wrong', legacyId: null };
      const bounds: Bounds = { deadlineAt, abortSignal, now };
      if (lookup.kind === 'search') {
        const entry = await findEntry(pool!, search!, attempt.username, bounds);
        if (entry === null) return { outcome: 'unknown' };
        const { bind } = await bindAsUser(connector, url, entry.dn, attempt.password, bounds);
        return verdictOf(bind, entry);
      }
      const dn = fillDn(lookup.userDnTemplate, attempt.username);
      const { bind, after } = await bindAsUser(connector, url, dn, attempt.password, bounds, readOwnEntry(dn, bounds));
      return verdictOf(bind, after ?? null);
    },

    async ping({ abortSignal } = {}): Promise<void> {
      checkClosed();
      const bounds: Bounds = { deadlineAt: now() + pingTimeoutInMs, abortSignal, now };
      const connection = connector.openConnection();
      let stage: 'service bind' | 'search' | 'root DSE read' = lookup.kind === 'search' ? 'service bind' : 'root DSE read';
      try {
        await within(bounds, async () => {
          await connector.secure(connection);
          if (lookup.kind === 'search') {
            await connection.client.bind(lookup.bindDn, lookup.bindPassword);
            stage = 'search';
            // The search base itself, so a base that names nothing shows here and not at the first sign-in.
            await connection.client.search(lookup.searchBase, { scope: 'base', attributes: ['1.1'], sizeLimit: 1 });
          } else {
            await connection.client.search('', { scope: 'base', attributes: ['supportedLDAPVersion'], sizeLimit: 1 });
          }
        });
      } catch (error) {
        throw isAbortReason(bounds, error) ? error : ldapStoreError(error, stage, url);
      } finally {
        connector.destroy(connection);
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      pool?.close();
      connector.destroyAll();
    },
  };
}
