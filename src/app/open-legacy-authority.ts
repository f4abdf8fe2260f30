import type { Logger } from '../common/logger.js';
import type { LegacyStoreConfig, LegacyStoreSettings } from '../config/index.js';
import type { AdmissionLoad } from '../legacy/hashes/admission.js';
import { createPasswordVerifier } from '../legacy/hashes/index.js';
import type { HashCheckObserver } from '../legacy/hashes/verifier.js';
import { openLdapAuthority } from '../legacy/stores/ldap/index.js';
import { openRopcAuthority } from '../legacy/stores/ropc/index.js';
import { openWebServiceAuthority } from '../legacy/stores/web-service/index.js';
import { hashStoreAuthority, openSqlLegacyStore, withCircuitBreaker, type GuardedAuthority, type LegacyAuthority } from '../legacy/index.js';

export interface LegacyAuthorityOptions {
  /**
   * Told of each hash a SQL store's verifier computes and each check its gate turns away (`serve` passes its metrics
   * when they are on). Without it the verifier reads no clock.
   */
  hashChecks?: HashCheckObserver;
}

/** The legacy authority behind its circuit breaker, and what its hash verifier is doing, when it has one. */
export interface OpenedLegacyAuthority extends GuardedAuthority {
  /**
   * Checks running and waiting at the hash verifier's gate now, for the metrics' probe; absent for the stores that
   * check passwords themselves (LDAP, a web service, ROPC).
   */
  hashCheckLoad?: () => AdmissionLoad;
}

/**
 * Opens the legacy store the configuration selects, behind its circuit breaker, which logs when it opens and closes.
 * A SQL store comes with its hash verifier (worker threads for the formats computed in JavaScript); the network
 * stores check passwords themselves.
 *
 * @example
 *   const legacy = await openLegacyAuthority(config, log);
 *   await legacy.checkPassword(attempt, { abortSignal, deadlineAt });
 */
export async function openLegacyAuthority(config: LegacyStoreConfig, log: Logger, options: LegacyAuthorityOptions = {}): Promise<OpenedLegacyAuthority> {
  const { authority, hashCheckLoad } = await openUnguarded(config.legacy, config, options);
  const guarded = withCircuitBreaker(authority, {
    onStateChange: (state, { code, failuresInARow }) => {
      if (state === 'open') {
        log.warn({ store: authority.kind, code, failuresInARow }, `legacy store circuit open after ${failuresInARow} failures in a row (last: ${code}): sign-ins are answered "temporarily unavailable" at once for 10 s, then one probe decides`);
      } else {
        log.info({ store: authority.kind, state }, state === 'closed' ? 'legacy store circuit closed: the legacy store answers again' : 'legacy store circuit half-open: one probe sign-in is let through');
      }
    },
  });
  // The breaker's members are closures over its state, so the copy keeps working.
  return hashCheckLoad ? { ...guarded, hashCheckLoad } : guarded;
}

async function openUnguarded(
  settings: LegacyStoreSettings,
  config: LegacyStoreConfig,
  options: LegacyAuthorityOptions,
): Promise<{ authority: LegacyAuthority; hashCheckLoad?: () => AdmissionLoad }> {
  switch (settings.kind) {
    case 'sql': {
      const store = await openSqlLegacyStore({ url: settings.url, query: settings.userQuery, queryTimeoutInMs: config.responseDeadlineInMs });
      const verifier = createPasswordVerifier({
        limits: config.hashLimits,
        hashDefaults: config.hashDefaults,
        ...(options.hashChecks && { observer: options.hashChecks }),
      });
      const authority = hashStoreAuthority(store, verifier, config.hashDefaults);
      return {
        authority: { ...authority, close: async () => { await store.close(); await verifier.close(); } },
        hashCheckLoad: () => verifier.load(),
      };
    }
    case 'web-service':
      return { authority: await openWebServiceAuthority(settings.webService) };
    case 'ldap':
      return { authority: await openLdapAuthority(settings.ldap) };
    case 'ropc':
      return { authority: await openRopcAuthority(settings.ropc) };
  }
}
