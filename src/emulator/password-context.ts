import { createHash, X509Certificate } from 'node:crypto';
import { CompactEncrypt } from 'jose';

export interface PasswordContextInput {
  /** The extension's encryption certificate (PEM): its public key encrypts, its thumbprint is `x5t`. */
  certificatePem: string;
  /** The extension's app id (`aud`) and the host of its resource id (`iss` = `api://{host}/{appId}`). */
  appId: string;
  resourceHost: string;
  password: string;
  username: string;
  nonce: string;
  now: number;
  /** Default RSA-OAEP, as Entra. */
  alg?: 'RSA-OAEP' | 'RSA-OAEP-256';
  /** Default A128CBC-HS256, as Entra. */
  enc?: 'A128CBC-HS256' | 'A192CBC-HS384' | 'A256CBC-HS512' | 'A128GCM' | 'A256GCM';
  /** Default true (`zip: DEF`), as Entra. */
  zip?: boolean;
}

/** Seconds a password context is valid, as Entra issues it (`exp` = `iat` + 600). */
export const PASSWORD_CONTEXT_LIFETIME_IN_SECONDS = 600;

/**
 * `encryptedPasswordContext` as Entra builds it: an unsigned JWT (`alg: none`) with the typed password, encrypted
 * to the extension's certificate with header `{"alg":"RSA-OAEP","enc":"A128CBC-HS256","x5t":…,"zip":"DEF"}`.
 *
 * @example
 *   const jwe = await encryptPasswordContext({ certificatePem, appId, resourceHost: 'auth.contoso.com', password, username, nonce, now: Date.now() });
 */
export async function encryptPasswordContext(input: PasswordContextInput): Promise<string> {
  const certificate = new X509Certificate(input.certificatePem);
  const iat = Math.floor(input.now / 1000);
  const claims = {
    aud: input.appId,
    iss: `api://${input.resourceHost}/${input.appId}`,
    iat,
    nbf: iat,
    exp: iat + PASSWORD_CONTEXT_LIFETIME_IN_SECONDS,
    'user-password': input.password,
    username: input.username,
    nonce: input.nonce,
  };
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsignedJwt = `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
  const header = {
    alg: input.alg ?? 'RSA-OAEP',
    enc: input.enc ?? 'A128CBC-HS256',
    x5t: createHash('sha1').update(certificate.raw).digest('base64url'),
    ...(input.zip !== false && { zip: 'DEF' as const }),
  };
  return new CompactEncrypt(new TextEncoder().encode(unsignedJwt)).setProtectedHeader(header).encrypt(certificate.publicKey);
}
