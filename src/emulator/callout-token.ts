import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { EmulatedTenant } from './tenant.js';

/** Entra's first-party service that calls custom authentication extensions (`azp` of every callout token). */
export const CUSTOM_EXTENSION_SERVICE_APP_ID = '99045fe1-7639-4a75-9d4a-577b6ca3810f';

/**
 * The bearer token Entra attaches to a callout: a v2 app-only access token for the extension's app registration,
 * issued by the tenant to its custom-extension service. Valid for one hour.
 *
 * @example
 *   const token = await mintCalloutToken(tenant, { audience: extensionAppId, now: Date.now() });
 */
export async function mintCalloutToken(tenant: EmulatedTenant, options: { audience: string; now: number }): Promise<string> {
  const iat = Math.floor(options.now / 1000);
  const key = tenant.signingKey();
  const servicePrincipalId = randomUUID();
  return new SignJWT({
    aud: options.audience,
    iss: tenant.issuer,
    iat,
    nbf: iat,
    exp: iat + 3600,
    aio: randomUUID(),
    azp: CUSTOM_EXTENSION_SERVICE_APP_ID,
    azpacr: '2',
    idtyp: 'app',
    oid: servicePrincipalId,
    sub: servicePrincipalId,
    tid: tenant.tenantId,
    uti: randomUUID().replace(/-/g, ''),
    ver: '2.0',
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}
