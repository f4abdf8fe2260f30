import type { ServeConfig } from '../config/index.js';
import type { GuardedAuthority } from '../legacy/index.js';
import type { LegacyDirectory } from '../legacy/legacy-directory.js';
import { openSqlLegacyStore } from '../legacy/index.js';
import { openLdapDirectory } from '../legacy/stores/ldap/ldap-directory.js';
import { sqlLegacyDirectory } from '../legacy/stores/sql/sql-directory.js';

/**
 * Opens the legacy store as a directory asked by e-mail, for the sign-up events, when the settings need one
 * (SIGNUP_COLLISION other than `off`, or SIGNUP_PREFILL=true): a connection pool of its own beside the password
 * checks', so a burst of sign-ups never queues sign-ins, behind the password checks' circuit breaker (`legacy`):
 * one legacy system, one circuit — while it is open a sign-up gets the "try again" page at once, and its failures
 * count with the sign-ins'. Null when nothing needs it. The configuration has already refused a store that cannot
 * look an address up.
 *
 * @example
 *   const directory = await openLegacyDirectory(config, legacy); // null with SIGNUP_COLLISION=off
 */
export async function openLegacyDirectory(config: ServeConfig, legacy: GuardedAuthority): Promise<LegacyDirectory | null> {
  const directory = await openUnguarded(config);
  return directory && behindCircuit(directory, legacy);
}

function behindCircuit(directory: LegacyDirectory, legacy: GuardedAuthority): LegacyDirectory {
  return {
    kind: directory.kind,
    findByEmail: (email, options) => legacy.guard(() => directory.findByEmail(email, options), options.abortSignal),
    close: () => directory.close(),
  };
}

async function openUnguarded(config: ServeConfig): Promise<LegacyDirectory | null> {
  if (config.signUp.collision === 'off' && !config.signUp.prefill) return null;
  const settings = config.legacy;
  switch (settings.kind) {
    case 'sql':
      return sqlLegacyDirectory(await openSqlLegacyStore({ url: settings.url, query: settings.userQuery, queryTimeoutInMs: config.responseDeadlineInMs }));
    case 'ldap':
      return openLdapDirectory(settings.ldap);
    default:
      return null;
  }
}
