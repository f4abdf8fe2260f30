import { generateKeyPair, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { exportJWK, SignJWT, type JWK } from 'jose';
import type { LegacyB2cUser } from './b2c-users.js';

const generateRsa = promisify(generateKeyPair);

/** B2C's default access and id token lifetime, in seconds (https://learn.microsoft.com/en-us/azure/active-directory-b2c/configure-tokens). */
const TOKEN_LIFETIME_IN_SECONDS = 3600;

/** What one successful ROPC request asked for. */
export interface B2cTokenRequest {
  user: LegacyB2cUser;
  clientId: string;
  policy: string;
  issuer: string;
  wantsAccessToken: boolean;
  wantsIdToken: boolean;
  wantsRefreshToken: boolean;
  now: number;
}

/** The legacy B2C tenant's token signer: one RS256 key, made at start and published as a JWKS. */
export interface B2cTokenIssuer {
  /** The token response B2C's ROPC documentation shows: `access_token`, `token_type`, `expires_in` (a string), `refresh_token`, `id_token`. */
  issue(request: B2cTokenRequest): Promise<Record<string, string>>;
  jwks(): { keys: JWK[] };
}

/**
 * Makes the tenant's signing key. Tokens carry the claims of a B2C user flow's tokens
 * (https://learn.microsoft.com/en-us/azure/active-directory-b2c/tokens-overview#claims): `oid` and `sub` (the
 * object id), `tfp` (the policy), `ver` 1.0, `aud` the client id.
 *
 * @example
 *   const issuer = await createB2cTokenIssuer();
 */
export async function createB2cTokenIssuer(): Promise<B2cTokenIssuer> {
  const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  return {
    async issue(request) {
      const answer: Record<string, string> = {};
      if (request.wantsAccessToken) {
        answer.access_token = await sign(privateKey, kid, request, { scp: 'none', azp: request.clientId });
        answer.token_type = 'Bearer';
        answer.expires_in = String(TOKEN_LIFETIME_IN_SECONDS);
      }
      if (request.wantsRefreshToken) answer.refresh_token = randomBytes(48).toString('base64url');
      if (request.wantsIdToken) {
        answer.id_token = await sign(privateKey, kid, request, {
          auth_time: Math.floor(request.now / 1000),
          ...(request.user.displayName !== null && { name: request.user.displayName }),
          emails: request.user.signInNames.filter((name) => name.includes('@')),
        });
      }
      return answer;
    },
    jwks: () => ({ keys: [publicJwk] }),
  };
}

function sign(privateKey: KeyObject, kid: string, request: B2cTokenRequest, extra: Record<string, unknown>): Promise<string> {
  const issuedAt = Math.floor(request.now / 1000);
  return new SignJWT({ ver: '1.0', oid: request.user.objectId, tfp: request.policy, ...extra })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
    .setIssuer(request.issuer)
    .setSubject(request.user.objectId)
    .setAudience(request.clientId)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(issuedAt + TOKEN_LIFETIME_IN_SECONDS)
    .sign(privateKey);
}
