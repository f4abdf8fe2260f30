export { cachedClaimsSource, DEFAULT_CLAIMS_CACHE_ENTRIES, type CachedClaimsSource, type ClaimsCacheOptions, type ClaimsCacheStats } from './cache.js';
export { checkClaimLimits, claimsFromAnswer, claimsFromRow, MAX_CLAIM_ARRAY_ITEMS } from './check-claims.js';
export { TokenClaimsError, TokenClaimsErrorCode } from './errors.js';
export type { ClaimsCallOptions, ClaimsSubject, LegacyClaims, TokenClaimsSource } from './source.js';
export { CLAIMS_QUERY_PARAMETERS, openSqlClaimsSource, type SqlClaimsSourceOptions } from './sql-claims-source.js';
export { openWebServiceClaimsSource, type WebServiceClaimsSourceOptions } from './web-service-claims-source.js';
