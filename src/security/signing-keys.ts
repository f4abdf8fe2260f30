import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { SecurityError, SecurityErrorCode } from './errors.js';
import { fetchJson } from './fetch-json.js';

/** Where caller-token signature keys come from: the tenant's OpenID metadata, cached. */
export interface SigningKeySource {
  /**
   * The key for `kid`; an unknown `kid` or stale keys trigger a refresh unless one was attempted within the cooldown.
   * Undefined when the key set, fetched, has no such `kid`; rejects with `SIGNING_KEYS_UNAVAILABLE` when the kid is
   * unknown and the last refresh failed (Entra's metadata is down: a new key cannot be told from a made-up one).
   */
  getKey(kid: string): Promise<KeyObject | undefined>;
  /**
   * Fetches every metadata document and its key set, unless a refresh was attempted within the cooldown: then it
   * settles as that attempt did. One refresh in flight at a time.
   */
  refresh(): Promise<void>;
  /** True once keys have been fetched at least once. */
  isReady(): boolean;
}

export interface SigningKeySourceOptions {
  openIdConfigurationUrls: readonly string[];
  fetch?: typeof globalThis.fetch;
  now?: Clock;
  /** Per document, in ms. Default 3000: a refresh triggered by a callout must leave it time to answer. */
  timeoutInMs?: number;
  /** Least time between refresh attempts, whatever caused them, in ms. Default 30 s: a flood of made-up kids, or of any token while Entra is down, costs one fetch per document per 30 s. */
  refreshCooldownInMs?: number;
  /** Keys older than this are refetched on next use, in ms. Default 24 h (Entra rolls keys with weeks of overlap). */
  maxAgeInMs?: number;
  /** Told when a refresh that went to the network settles (for metrics). Must not throw. */
  onRefresh?: (result: 'ok' | 'failed') => void;
}

/** Largest metadata or key-set document read, in bytes. Entra's are under 10 KiB. */
const MAX_DOCUMENT_BYTES = 256 * 1024;
/** Shorter RSA signing keys are skipped: Entra's are 2048 bits, and RFC 7518 §3.3 requires at least that. */
const MIN_SIGNING_MODULUS_BITS = 2048;
/** More keys than this in one set is not Entra. */
const MAX_KEYS = 100;

const metadataSchema = z.object({ jwks_uri: z.string().min(1) });
const jwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())).max(MAX_KEYS) });

/**
 * A cache of Entra's token-signing keys, merged across the given OpenID metadata documents (both `ciamlogin.com`
 * and `login.microsoftonline.com` for External ID). A refresh succeeds when at least one document does; a document
 * that fails keeps the keys it gave last.
 *
 * @example
 *   const keys = createSigningKeySource({ openIdConfigurationUrls: openIdConfigurationUrlsFor(tenantId) });
 *   const key = await keys.getKey(header.kid);
 */
export function createSigningKeySource(options: SigningKeySourceOptions): SigningKeySource {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? systemClock;
  const timeoutInMs = options.timeoutInMs ?? 3000;
  const cooldownInMs = options.refreshCooldownInMs ?? 30_000;
  const maxAgeInMs = options.maxAgeInMs ?? 24 * 3600_000;
  if (options.openIdConfigurationUrls.length === 0) throw new TypeError('At least one OpenID configuration URL is needed.');

  let keys = new Map<string, KeyObject>();
  // The last key set each document gave: one that fails a refresh keeps its keys until it answers again, so a partial
  // outage (one of the two documents down during a rotation) drops no key the other does not publish.
  const byDocument = new Map<string, Map<string, KeyObject>>();
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let lastFailure: unknown;
  let inFlight: Promise<void> | undefined;

  const fetchOptions = { fetch: fetchImpl, timeoutInMs, maxBytes: MAX_DOCUMENT_BYTES };
  const keysFrom = async (metadataUrl: string): Promise<Map<string, KeyObject>> => {
    const metadata = metadataSchema.safeParse(await fetchJson(metadataUrl, fetchOptions));
    if (!metadata.success) throw unavailable(`${metadataUrl} has no jwks_uri`);
    const jwks = jwksSchema.safeParse(await fetchJson(metadata.data.jwks_uri, fetchOptions));
    if (!jwks.success) throw unavailable(`${metadata.data.jwks_uri} is not a JWK set of at most ${MAX_KEYS} keys`);
    return rsaSigningKeysOf(jwks.data.keys);
  };

  const runRefresh = async (): Promise<void> => {
    attemptedAt = now();
    const results = await Promise.allSettled(options.openIdConfigurationUrls.map(keysFrom));
    if (results.every((result) => result.status === 'rejected')) {
      throw unavailable(results.map((result) => (result.status === 'rejected' ? detailOf(result.reason) : '')).join('; '));
    }
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') byDocument.set(options.openIdConfigurationUrls[index]!, result.value);
    });
    keys = new Map([...byDocument.values()].flatMap((set) => [...set]));
    fetchedAt = now();
  };

  // The only door to the network. One refresh in flight, shared by every caller; within the cooldown of the last
  // attempt no new one starts, whatever asked (an unknown kid, stale or missing keys, a readiness probe): callers
  // get that attempt's outcome. While Entra's metadata is down, a flood of tokens costs one fetch per document per
  // cooldown, not one per request.
  const refresh = (): Promise<void> => {
    if (inFlight) return inFlight;
    if (now() - attemptedAt < cooldownInMs) return lastFailure === undefined ? Promise.resolve() : Promise.reject(lastFailure);
    inFlight = runRefresh()
      .then(
        () => {
          lastFailure = undefined;
          options.onRefresh?.('ok');
        },
        (error: unknown) => {
          lastFailure = error;
          options.onRefresh?.('failed');
          throw error;
        },
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return {
    refresh,
    isReady: () => keys.size > 0,
    async getKey(kid) {
      if (keys.size === 0) {
        await refresh(); // nothing to verify with: wait for the keys, or fail with why they are missing
        return keys.get(kid);
      }
      // Stale keys keep verifying while fresh ones are fetched in the background (Entra rolls keys with weeks of overlap).
      if (now() - fetchedAt >= maxAgeInMs) refresh().catch(() => undefined);
      const known = keys.get(kid);
      if (known) return known;
      // An unknown kid may be a new key (a rotation). When the refresh that could have brought it failed, say so: the
      // caller is refused for Entra's metadata being down, not for a key Entra does not publish.
      await refresh();
      return keys.get(kid);
    },
  };
}

/** The RSA keys (≥ 2048 bits) of a JWK set that may verify signatures (`use` absent or `sig`), by `kid`. Others are skipped. */
function rsaSigningKeysOf(jwks: ReadonlyArray<Record<string, unknown>>): Map<string, KeyObject> {
  const result = new Map<string, KeyObject>();
  for (const jwk of jwks) {
    if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
    if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') continue;
    try {
      const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
      if ((key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_SIGNING_MODULUS_BITS) result.set(jwk.kid, key);
    } catch {
      // A key that does not parse is skipped; a token naming it fails as an unknown kid.
    }
  }
  return result;
}

function detailOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function unavailable(detail: string): SecurityError {
  return new SecurityError(SecurityErrorCode.SIGNING_KEYS_UNAVAILABLE, "Entra's signing keys could not be fetched.", { detail });
}
