import type { Clock } from '../../common/clock.js';
import { untilAborted } from '../../common/until-aborted.js';
import type { ClaimsCallOptions, ClaimsSubject, LegacyClaims, TokenClaimsSource } from './source.js';

/** What {@link cachedClaimsSource} takes. */
export interface ClaimsCacheOptions {
  /** How long a user's claims are reused, in ms (TOKEN_CLAIMS_CACHE_SECONDS × 1000); 0 turns the cache off. */
  ttlInMs: number;
  /** Users kept at most; the least recently used goes first. Default {@link DEFAULT_CLAIMS_CACHE_ENTRIES}. */
  maxEntries?: number;
  now: Clock;
}

/**
 * 10,000 users: at Entra's cap of 50 token issuances a second and the default 300 s, at most 15,000 distinct users
 * can be asked about within one lifetime; entries are a few hundred bytes to 3 KB, so the cache stays under ~30 MB.
 */
export const DEFAULT_CLAIMS_CACHE_ENTRIES = 10_000;

/** What a cache has done since it opened, for the benchmark and metrics. */
export interface ClaimsCacheStats {
  hits: number;
  misses: number;
  /** Calls that waited for the same user's question already on its way to the source instead of asking again. */
  joined: number;
  entries: number;
}

export interface CachedClaimsSource extends TokenClaimsSource {
  stats(): ClaimsCacheStats;
}

interface Entry {
  claims: LegacyClaims;
  expiresAt: number;
}

/**
 * Keeps each user's claims for `ttlInMs`, at most `maxEntries` users (least recently used out first), in front of
 * `source`. The key is the whole subject (object id, e-mail, legacy id), so a user linked to a legacy account
 * later is asked afresh. Only answers are kept: a failure is never cached, so the next sign-in asks again. With a
 * TTL of 0 every call goes to `source` (and counts as a miss).
 *
 * One question per user at a time: a call that finds the same subject already being asked waits for that answer
 * (an application asking for several tokens at once would otherwise send the legacy store one query per token).
 * Each call keeps its own deadline: a waiter whose signal fires stops waiting, and a waiter whose question failed
 * only because the *first* caller gave up (its signal fired, the waiter's did not) asks the source itself.
 *
 * @example
 *   const source = cachedClaimsSource(await openSqlClaimsSource({ url, query }), { ttlInMs: 300_000, now: Date.now });
 */
export function cachedClaimsSource(source: TokenClaimsSource, options: ClaimsCacheOptions): CachedClaimsSource {
  const maxEntries = options.maxEntries ?? DEFAULT_CLAIMS_CACHE_ENTRIES;
  if (!Number.isInteger(options.ttlInMs) || options.ttlInMs < 0) throw new RangeError('ttlInMs must be a whole number of ms, 0 or more');
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a whole number, 1 or more');
  const entries = new Map<string, Entry>(); // insertion order = recency: a hit moves its entry to the end
  const asking = new Map<string, { claims: Promise<LegacyClaims>; abortSignal: AbortSignal }>();
  let hits = 0;
  let misses = 0;
  let joined = 0;
  const stats = (): ClaimsCacheStats => ({ hits, misses, joined, entries: entries.size });

  const ask = (key: string, subject: ClaimsSubject, call: ClaimsCallOptions): Promise<LegacyClaims> => {
    misses += 1;
    const claims = source.claimsFor(subject, call).then((answer) => {
      entries.delete(key);
      entries.set(key, { claims: answer, expiresAt: options.now() + options.ttlInMs });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return answer;
    });
    const question = { claims, abortSignal: call.abortSignal };
    asking.set(key, question);
    const forget = () => {
      if (asking.get(key) === question) asking.delete(key);
    };
    claims.then(forget, forget);
    return claims;
  };
  const off = options.ttlInMs === 0;

  return {
    kind: off ? source.kind : `cached(${source.kind})`,
    async claimsFor(subject: ClaimsSubject, call: ClaimsCallOptions): Promise<LegacyClaims> {
      if (off) {
        misses += 1;
        return source.claimsFor(subject, call);
      }
      const key = JSON.stringify([subject.objectId, subject.email, subject.legacyId]);
      const entry = entries.get(key);
      if (entry !== undefined) {
        entries.delete(key);
        if (entry.expiresAt > options.now()) {
          entries.set(key, entry);
          hits += 1;
          return entry.claims;
        }
      }
      const question = asking.get(key);
      if (question === undefined) return ask(key, subject, call);
      joined += 1;
      try {
        return await untilAborted(question.claims, call.abortSignal);
      } catch (error) {
        const firstCallerGaveUp = question.abortSignal.aborted && !call.abortSignal.aborted;
        if (!firstCallerGaveUp) throw error;
        const again = asking.get(key);
        return again === undefined ? ask(key, subject, call) : untilAborted(again.claims, call.abortSignal);
      }
    },
    ...(source.ping && { ping: source.ping.bind(source) }),
    close: () => {
      entries.clear();
      asking.clear();
      return source.close();
    },
    stats,
  };
}

