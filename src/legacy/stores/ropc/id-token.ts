import { decodeJwt } from 'jose';

/** A legacy id as the ledger keeps it: printable, no spaces, at most 256 characters. */
const LEGACY_ID = /^[\x21-\x7e]{1,256}$/;

/**
 * The user's id in the legacy provider, read from the id token of a successful password grant: `oid` (Azure AD B2C
 * and Entra's object id: https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference), else
 * `sub` (Keycloak's user id, Auth0's `auth0|…`, Okta's `00u…`). The token came straight from the token endpoint
 * over TLS, so it is decoded, not verified — and used for nothing but this label: no claim in it decides anything.
 * A B2C custom policy's placeholder `sub` ("Not supported currently. Use oid claim.") and any value that is not a
 * plain id give null, as does a missing or undecodable token.
 *
 * @example
 *   legacyIdFromIdToken(answer.id_token) // '6f1d…' or null
 */
export function legacyIdFromIdToken(idToken: unknown): string | null {
  if (typeof idToken !== 'string' || idToken.length === 0) return null;
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(idToken);
  } catch {
    return null;
  }
  for (const claim of ['oid', 'sub']) {
    const value = claims[claim];
    if (typeof value === 'string' && LEGACY_ID.test(value)) return value;
  }
  return null;
}
