import type { Logger } from '../common/logger.js';
import type { LegacyStoreConfig, LegacyStoreSettings } from '../config/index.js';
import { createPasswordVerifier } from '../legacy/hashes/index.js';
import { openLdapAuthority } from '../legacy/stores/ldap/index.js';
import { openRopcAuthority } from '../legacy/stores/ropc/index.js';
import { openWebServiceAuthority } from '../legacy/stores/web-service/index.js';
import { hashStoreAuthority, openSqlLegacyStore, withCircuitBreaker, type GuardedAuthority, type LegacyAuthority } from '../legacy/index.js';

/**
 * Opens the legacy store the configuration selects, behind its circuit breaker, which logs when it opens and closes.
 * A SQL store comes with its hash verifier (worker threads for the formats computed in JavaScript); the network
 * stores check passwords themselves.
 *
 * @example
 *   const legacy = await openLegacyAuthority(config, log);
 *   await legacy.checkPassword(attempt, { abortSignal, deadlineAt });
 */
export async function openLegacyAuthority(config: LegacyStoreConfig, log: Logger): Promise<GuardedAuthority> {
  const authority = await openUnguarded(config.legacy, config);
  return withCircuitBreaker(authority, {
    onStateChange: (state, { code, failuresInARow }) => {
      if (state === 'open') {
        log.warn({ store: authority.kind, code, failuresInARow }, `legacy store circuit open after ${failuresInARow} failures in a row (last: ${code}): sign-ins are answered "temporarily unavailable" at once for 10 s, then one probe decides`);
      } else {
        log.info({ store: authority.kind, state }, state === 'closed' ? 'legacy store circuit closed: the legacy store answers again' : 'legacy store circuit half-open: one probe sign-in is let through');
      }
    },
  });
}

async function openUnguarded(settings: LegacyStoreSettings, config: LegacyStoreConfig): Promise<LegacyAuthority> {
  switch (settings.kind) {
    case 'sql': {
      const store = await openSqlLegacyStore({ url: settings.url, query: settings.userQuery, queryTimeoutInMs: config.responseDeadlineInMs });
      const verifier = createPasswordVerifier({ limits: config.hashLimits, hashDefaults: config.hashDefaults });
      const authority = hashStoreAuthority(store, verifier, config.hashDefaults);
      return { ...authority, close: async () => { await store.close(); await verifier.close(); } };
    }
    case 'web-service':
      return openWebServiceAuthority(settings.webService);
    case 'ldap':
      return openLdapAuthority(settings.ldap);
    case 'ropc':
      return openRopcAuthority(settings.ropc);
  }
}
