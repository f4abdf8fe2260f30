import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import type { EmulatedTenant } from '../tenant.js';

/** App registrations that may call the emulated Graph with client credentials. */
export interface ClientApps {
  register(clientId: string, clientSecret: string): void;
  /** An access token for Graph, or undefined when the credentials are wrong. */
  issueToken(clientId: string, clientSecret: string, now: number): Promise<string | undefined>;
  /** The calling app's id from a bearer header, or undefined when the token is not one we issued. */
  appOf(authorization: string | undefined): Promise<string | undefined>;
}

export function createClientApps(tenant: EmulatedTenant): ClientApps {
  const secrets = new Map<string, Buffer>();
  const keys = () => createLocalJWKSet(tenant.jwks());
  return {
    register(clientId, clientSecret) {
      secrets.set(clientId.toLowerCase(), Buffer.from(clientSecret, 'utf8'));
    },
    async issueToken(clientId, clientSecret, now) {
      const expected = secrets.get(clientId.toLowerCase());
      const given = Buffer.from(clientSecret, 'utf8');
      if (!expected || expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
      const iat = Math.floor(now / 1000);
      const key = tenant.signingKey();
      return new SignJWT({ aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${tenant.tenantId}/`, appid: clientId, tid: tenant.tenantId, roles: ['User.ReadWrite.All'], iat, nbf: iat, exp: iat + 3599, uti: randomUUID() })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
        .sign(key.privateKey);
    },
    async appOf(authorization) {
      const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
      if (!token) return undefined;
      try {
        const { payload } = await jwtVerify(token, keys(), { audience: 'https://graph.microsoft.com', algorithms: ['RS256'] });
        return typeof payload.appid === 'string' ? payload.appid : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
