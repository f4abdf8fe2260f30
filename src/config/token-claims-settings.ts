import type { SqlStoreSettings } from './legacy-store-settings.js';
import type { WebServiceSettings } from './legacy-web-service-settings.js';
import type { SettingsReader } from './settings.js';
import { allowsInsecureTransport, legacyUrl } from './transport.js';

/** The parts of serve's legacy store the claims settings read: the SQL store's URL, or the web service's settings. */
type LegacyStore = SqlStoreSettings | { readonly kind: 'web-service'; readonly webService: WebServiceSettings } | { readonly kind: 'ldap' | 'ropc' };

/** Where a token's claims come from: a query on the legacy SQL store, or the legacy web service's claims endpoint. */
export type TokenClaimsSourceSettings =
  | { readonly kind: 'sql'; readonly url: string; readonly query: string }
  /** The legacy web service's settings (auth, TLS) with `url` set to TOKEN_CLAIMS_URL. */
  | { readonly kind: 'web-service'; readonly webService: WebServiceSettings };

/** The validated TOKEN_CLAIMS_* settings (issue 12, docs/token-claims.md). */
export interface TokenClaimsSettings {
  readonly source: TokenClaimsSourceSettings;
  /** TOKEN_CLAIMS_CACHE_SECONDS: how long a user's claims are reused; 0 asks the legacy system for every token. */
  readonly cacheSeconds: number;
  /** TOKEN_CLAIMS_ON_LEGACY_FAILURE: `empty` answers the claims that need no legacy call, `fail` fails the sign-in. */
  readonly onLegacyFailure: 'empty' | 'fail';
}

export const TOKEN_CLAIMS_QUERY = 'TOKEN_CLAIMS_QUERY';
export const TOKEN_CLAIMS_URL = 'TOKEN_CLAIMS_URL';
export const TOKEN_CLAIMS_CACHE_SECONDS = 'TOKEN_CLAIMS_CACHE_SECONDS';
export const TOKEN_CLAIMS_ON_LEGACY_FAILURE = 'TOKEN_CLAIMS_ON_LEGACY_FAILURE';

/**
 * 300 s: a role granted or revoked in the legacy system reaches new tokens within five minutes, while a user who
 * signs in to several applications (a token each) costs one legacy query. Access tokens live 60–90 minutes anyway.
 */
export const DEFAULT_TOKEN_CLAIMS_CACHE_SECONDS = 300;
/** 1 day: longer would keep a revoked role alive for longer than anyone means to. */
const MAX_CACHE_SECONDS = 86_400;
/** A query is a statement, not a script: 16 KiB is generous and keeps a pasted file out. */
const MAX_QUERY_LENGTH = 16 * 1024;
const HTTP_SCHEMES = { secure: ['https:'], clear: ['http:'] } as const;

/**
 * Reads the TOKEN_CLAIMS_* settings; null when neither TOKEN_CLAIMS_QUERY nor TOKEN_CLAIMS_URL is set (then the
 * token gets only `legacyId`). Problems are reported on `read`, each naming its setting:
 * - TOKEN_CLAIMS_QUERY and TOKEN_CLAIMS_URL together;
 * - TOKEN_CLAIMS_QUERY without the SQL legacy store (LEGACY_DATABASE_URL), which it runs on, or using none of
 *   `:objectId`, `:email`, `:legacyId`;
 * - TOKEN_CLAIMS_URL without the legacy web service (LEGACY_VERIFY_URL), whose LEGACY_VERIFY_AUTH and TLS files it
 *   reuses, or not an https URL (http on loopback, or with LEGACY_ALLOW_INSECURE_TRANSPORT=true);
 * - TOKEN_CLAIMS_CACHE_SECONDS not 0–86400; TOKEN_CLAIMS_ON_LEGACY_FAILURE not `empty` or `fail`.
 *
 * `legacy` is the serve configuration's legacy store, undefined when it had problems of its own (reported already).
 *
 * @example
 *   const claims = readTokenClaimsSettings(read, legacy);
 *   // { source: { kind: 'sql', url: 'sqlite://./legacy.db', query: 'SELECT roles FROM users WHERE id = :legacyId' },
 *   //   cacheSeconds: 300, onLegacyFailure: 'empty' }
 */
export function readTokenClaimsSettings(read: SettingsReader, legacy: LegacyStore | undefined): TokenClaimsSettings | null {
  const before = read.problems.length;
  const query = read.optional(TOKEN_CLAIMS_QUERY);
  const urlText = read.optional(TOKEN_CLAIMS_URL);
  const cacheSeconds = read.integer(TOKEN_CLAIMS_CACHE_SECONDS, { default: DEFAULT_TOKEN_CLAIMS_CACHE_SECONDS, min: 0, max: MAX_CACHE_SECONDS, unit: 'seconds' });
  const onLegacyFailure = read.oneOf(TOKEN_CLAIMS_ON_LEGACY_FAILURE, ['empty', 'fail'] as const, 'empty');
  if (query === undefined && urlText === undefined) return null;
  if (query !== undefined && urlText !== undefined) {
    read.report(TOKEN_CLAIMS_QUERY, `and ${TOKEN_CLAIMS_URL} are both set; set at most one: the query for a SQL legacy store, the URL for a legacy web service`);
    return null;
  }
  const source = query !== undefined ? readQuerySource(read, query, legacy) : readUrlSource(read, legacy);
  if (source === undefined || read.problems.length > before) return null;
  return Object.freeze({ source, cacheSeconds, onLegacyFailure });
}

function readQuerySource(read: SettingsReader, query: string, legacy: LegacyStore | undefined): TokenClaimsSourceSettings | undefined {
  if (query.length > MAX_QUERY_LENGTH) {
    read.report(TOKEN_CLAIMS_QUERY, `is longer than ${MAX_QUERY_LENGTH / 1024} KiB; give one SELECT statement`);
    return undefined;
  }
  if (!/:(objectId|email|legacyId)\b/.test(query)) {
    read.report(TOKEN_CLAIMS_QUERY, 'must use at least one of the parameters :objectId, :email, :legacyId (otherwise every user gets the same claims)');
    return undefined;
  }
  if (legacy === undefined) return undefined;
  if (legacy.kind !== 'sql') {
    read.report(TOKEN_CLAIMS_QUERY, `needs the SQL legacy store (LEGACY_DATABASE_URL), which it runs on; this legacy store is ${legacy.kind}${legacy.kind === 'web-service' ? `: use ${TOKEN_CLAIMS_URL}` : ''}`);
    return undefined;
  }
  return Object.freeze({ kind: 'sql', url: legacy.url, query });
}

function readUrlSource(read: SettingsReader, legacy: LegacyStore | undefined): TokenClaimsSourceSettings | undefined {
  const url = legacyUrl(read, TOKEN_CLAIMS_URL, HTTP_SCHEMES, allowsInsecureTransport(read));
  if (url === undefined || legacy === undefined) return undefined;
  if (legacy.kind !== 'web-service') {
    read.report(TOKEN_CLAIMS_URL, `needs the legacy web service (LEGACY_VERIFY_URL), whose LEGACY_VERIFY_AUTH and TLS settings it uses; this legacy store is ${legacy.kind}${legacy.kind === 'sql' ? `: use ${TOKEN_CLAIMS_QUERY}` : ''}`);
    return undefined;
  }
  // The claims endpoint is asked with the same credentials; readiness stays LEGACY_VERIFY_HEALTH_URL's business.
  return Object.freeze({ kind: 'web-service', webService: Object.freeze({ ...legacy.webService, url, healthUrl: undefined }) });
}
