/** Who the token is for: what a claims query or the claims web service is asked with. */
export interface ClaimsSubject {
  /** The Entra user's object id (`authenticationContext.user.id`). */
  readonly objectId: string;
  /** The user's mail as Entra sends it, or null. */
  readonly email: string | null;
  /** The legacy id the ledger holds for this Entra user, or null when it holds none. */
  readonly legacyId: string | null;
}

/** One call's bounds: the handler's abort signal and the instant (ms since the epoch) the answer is due. */
export interface ClaimsCallOptions {
  readonly abortSignal: AbortSignal;
  readonly deadlineAt: number;
}

/** Claims read from the legacy system: each value a string or an array of strings, already checked (see checkClaims). */
export type LegacyClaims = Readonly<Record<string, string | readonly string[]>>;

/**
 * Where the claims of a token come from (TOKEN_CLAIMS_QUERY, TOKEN_CLAIMS_URL, or a cache in front of either).
 * `claimsFor` resolves to the user's claims (`{}` when the legacy system knows nothing of them) or rejects with an
 * error carrying a stable code (`LEGACY_STORE_TIMEOUT`, `TOKEN_CLAIMS_TOO_LARGE` …). No value ever reaches an error.
 *
 * @example
 *   const claims = await source.claimsFor({ objectId, email: 'ada@contoso.example', legacyId: '42' }, { abortSignal, deadlineAt });
 *   // { roles: ['Writer', 'Editor'], department: 'R&D' }
 */
export interface TokenClaimsSource {
  /** `sql:postgres`, `web-service`, `cached(sql:sqlite)` …, for logs and readiness. */
  readonly kind: string;
  claimsFor(subject: ClaimsSubject, options: ClaimsCallOptions): Promise<LegacyClaims>;
  /** Checks the legacy system answers (readiness); rejects like `claimsFor`. */
  ping?(options?: { abortSignal?: AbortSignal }): Promise<void>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}
