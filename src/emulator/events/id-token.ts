import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import type { ClaimValue } from '../../events/index.js';
import type { DirectoryUser } from '../directory.js';
import type { EmulatedTenant } from '../tenant.js';

/** An id token lives an hour, as Entra's do. */
export const ID_TOKEN_LIFETIME_IN_SECONDS = 3600;

export interface IssuedIdToken {
  /** The signed token (RS256, the tenant's current key). */
  idToken: string;
  /** Its payload, decoded: what the page after sign-in shows. */
  claims: Record<string, unknown>;
}

/**
 * Mints the id token External ID would give the client application after a sign-in: a v2.0 token from the tenant's
 * issuer for `aud` = the client's app id, with the user's `oid`, a pairwise `sub` (per user and app), `name`,
 * `preferred_username`, and the `mappedClaims` a claims mapping policy put in it. Mapped claims never replace the
 * token's own claims.
 *
 * @example
 *   const { claims } = await mintIdToken(tenant, { user, clientAppId, now: Date.now(), mappedClaims: { tier: 'gold' } });
 */
export async function mintIdToken(tenant: EmulatedTenant, input: { user: DirectoryUser; clientAppId: string; now: number; mappedClaims?: Readonly<Record<string, ClaimValue>> }): Promise<IssuedIdToken> {
  const iat = Math.floor(input.now / 1000);
  const key = tenant.signingKey();
  const signInName = input.user.identities.find((identity) => identity.signInType === 'emailAddress')?.issuerAssignedId ?? input.user.mail ?? input.user.userPrincipalName;
  const own = {
    aud: input.clientAppId,
    iss: tenant.issuer,
    iat,
    nbf: iat,
    exp: iat + ID_TOKEN_LIFETIME_IN_SECONDS,
    name: input.user.displayName,
    oid: input.user.id,
    preferred_username: signInName,
    sub: createHash('sha256').update(`${input.user.id}:${input.clientAppId.toLowerCase()}`).digest('base64url').slice(0, 43),
    tid: tenant.tenantId,
    uti: randomUUID().replace(/-/g, ''),
    ver: '2.0',
  };
  const payload: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input.mappedClaims ?? {})) {
    if (!(name in own)) Object.defineProperty(payload, name, { value, enumerable: true, writable: true, configurable: true });
  }
  Object.assign(payload, own);
  const idToken = await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
  return { idToken, claims: decodeJwt(idToken) };
}
