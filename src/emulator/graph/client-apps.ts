import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import type { TenantStore } from '../state/tenant-store.js';
import type { EmulatedTenant } from '../tenant.js';

/** App registrations that may call the emulated Graph with client credentials. */
export interface ClientApps {
  /** Allows `clientId` with this secret (replacing its earlier one); kept in the tenant store when one is given. */
  register(clientId: string, clientSecret: string): void;
  /** The secret registered for `clientId`, so `emulate` can print the same one again after a restart. */
  secretOf(clientId: string): string | undefined;
  /** An access token for Graph, or undefined when the credentials are wrong. */
  issueToken(clientId: string, clientSecret: string, now: number): Promise<string | undefined>;
  /** The calling app's id from a bearer header, or undefined when the token is not one we issued. */
  appOf(authorization: string | undefined): Promise<string | undefined>;
}

interface StoredClientApp {
  clientId: string;
  secret: string;
}

/**
 * The client-credentials apps of the emulated tenant. Their secrets are kept in the tenant store in clear (a local
 * emulator's throwaway secrets, printed by `emulate` anyway), in a file only its owner may read.
 */
/** Verified tokens remembered at most: a few per app registration calling the emulator. */
const MAX_VERIFIED_TOKENS = 256;

export function createClientApps(tenant: EmulatedTenant, store?: TenantStore): ClientApps {
  const secrets = new Map<string, Buffer>();
  for (const [, app] of store?.entries<StoredClientApp>('client-app') ?? []) secrets.set(app.clientId.toLowerCase(), Buffer.from(app.secret, 'utf8'));
  const keys = () => createLocalJWKSet(tenant.jwks());
  // Tokens already verified, until they expire: a $batch of 20 passes each inner request through the same check,
  // and verifying the RS256 signature each time cost a sixth of the emulator's CPU in a bulk run.
  const verified = new Map<string, { appId: string; expiresAt: number }>();
  return {
    register(clientId, clientSecret) {
      secrets.set(clientId.toLowerCase(), Buffer.from(clientSecret, 'utf8'));
      store?.put('client-app', clientId.toLowerCase(), { clientId: clientId.toLowerCase(), secret: clientSecret } satisfies StoredClientApp);
    },
    secretOf: (clientId) => secrets.get(clientId.toLowerCase())?.toString('utf8'),
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
      const known = verified.get(token);
      if (known && known.expiresAt > Date.now()) return known.appId;
      try {
        const { payload } = await jwtVerify(token, keys(), { audience: 'https://graph.microsoft.com', algorithms: ['RS256'] });
        if (typeof payload.appid !== 'string') return undefined;
        if (verified.size >= MAX_VERIFIED_TOKENS) verified.clear();
        verified.set(token, { appId: payload.appid, expiresAt: (payload.exp ?? 0) * 1000 });
        return payload.appid;
      } catch {
        return undefined;
      }
    },
  };
}
