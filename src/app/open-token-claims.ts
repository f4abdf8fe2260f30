import type { TokenClaimsSettings } from '../config/token-claims-settings.js';
import {
  cachedClaimsSource,
  openSqlClaimsSource,
  openWebServiceClaimsSource,
  type CachedClaimsSource,
  type TokenClaimsSource,
} from '../legacy/claims/index.js';
import type { GuardedAuthority } from '../legacy/index.js';

/** What {@link openTokenClaims} takes besides the settings. */
export interface OpenTokenClaimsOptions {
  /** How long one SQL claims query may take, in ms (the token issuance deadline is a good choice). */
  queryTimeoutInMs?: number;
  /**
   * The password checks' circuit breaker: one legacy system, one circuit. While it is open a claims call fails at
   * once (`LEGACY_STORE_CIRCUIT_OPEN`), and claims failures count with the sign-ins'. Cache hits never reach it.
   */
  circuit?: GuardedAuthority;
  now?: () => number;
}

/** The opened claims source and how to release it. */
export interface TokenClaims {
  readonly source: CachedClaimsSource;
  close(): Promise<void>;
}

/**
 * Opens the token claims source the settings name — TOKEN_CLAIMS_QUERY on the SQL legacy store (its own pool) or
 * TOKEN_CLAIMS_URL with the legacy web service's credentials — behind the legacy circuit when given, with the
 * per-user cache (TOKEN_CLAIMS_CACHE_SECONDS, 0 = off) in front. Rejects with a `LEGACY_*` error when the query
 * does not compile for the store's dialect, SQLite cannot prepare it, or a TLS file cannot be used.
 *
 * @example
 *   const claims = settings && (await openTokenClaims(settings, { queryTimeoutInMs: config.eventDeadlinesInMs.tokenIssuanceStart, circuit: legacy }));
 *   deps.claims = claims?.source ?? null;
 */
export async function openTokenClaims(settings: TokenClaimsSettings, options: OpenTokenClaimsOptions = {}): Promise<TokenClaims> {
  const now = options.now ?? Date.now;
  const opened =
    settings.source.kind === 'sql'
      ? await openSqlClaimsSource({ url: settings.source.url, query: settings.source.query, ...(options.queryTimeoutInMs !== undefined && { queryTimeoutInMs: options.queryTimeoutInMs }), now })
      : await openWebServiceClaimsSource(settings.source.webService, { now });
  const guarded = options.circuit === undefined ? opened : behindCircuit(opened, options.circuit);
  const source = cachedClaimsSource(guarded, { ttlInMs: settings.cacheSeconds * 1000, now });
  return { source, close: () => source.close() };
}

function behindCircuit(source: TokenClaimsSource, circuit: GuardedAuthority): TokenClaimsSource {
  return {
    kind: source.kind,
    claimsFor: (subject, call) => circuit.guard(() => source.claimsFor(subject, call), call.abortSignal),
    ...(source.ping && { ping: source.ping.bind(source) }),
    close: () => source.close(),
  };
}
