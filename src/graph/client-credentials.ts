import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { GraphError, GraphErrorCode } from './errors.js';

/** What Graph calls need from a credential: a bearer token for a scope (the shape of @azure/identity's TokenCredential). */
export interface TokenCredential {
  getToken(scope: string): Promise<{ token: string; expiresOnTimestamp: number }>;
}

export interface ClientSecretOptions {
  /** `AZURE_AUTHORITY_HOST`, e.g. the emulator's `http://127.0.0.1:7080`. */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof globalThis.fetch;
  now?: Clock;
}

/** Tokens are renewed this long before they expire, in ms. */
const RENEW_BEFORE_IN_MS = 120_000;

/**
 * A plain OAuth 2.0 client-credentials credential (`POST {authority}/{tenant}/oauth2/v2.0/token`), caching the token
 * until two minutes before it expires, one request in flight. DESIGN.md explains why: @azure/identity cannot use an
 * authority host with a port (the emulator), so this serves loopback authorities; real tenants use @azure/identity.
 *
 * @example
 *   const credential = createClientSecretCredential({ authorityHost, tenantId, clientId, clientSecret });
 *   const { token } = await credential.getToken('https://graph.microsoft.com/.default');
 */
export function createClientSecretCredential(options: ClientSecretOptions): TokenCredential {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? systemClock;
  const cache = new Map<string, { token: string; expiresOnTimestamp: number }>();
  const inFlight = new Map<string, Promise<{ token: string; expiresOnTimestamp: number }>>();
  const url = `${options.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(options.tenantId)}/oauth2/v2.0/token`;

  const request = async (scope: string) => {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: options.clientId, client_secret: options.clientSecret, scope }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new GraphError(GraphErrorCode.UNAVAILABLE, `The token endpoint ${url} cannot be reached.`, { cause: error });
    }
    const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
    if (!response.ok || typeof body.access_token !== 'string') {
      throw new GraphError(GraphErrorCode.AUTH_FAILED, `The token endpoint refused client ${options.clientId} (HTTP ${response.status}${typeof body.error === 'string' ? `, ${body.error}` : ''}).`);
    }
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3599);
    const entry = { token: body.access_token, expiresOnTimestamp: now() + lifetime * 1000 };
    cache.set(scope, entry);
    return entry;
  };

  return {
    async getToken(scope) {
      const cached = cache.get(scope);
      if (cached && cached.expiresOnTimestamp - RENEW_BEFORE_IN_MS > now()) return cached;
      let pending = inFlight.get(scope);
      if (!pending) {
        pending = request(scope).finally(() => inFlight.delete(scope));
        inFlight.set(scope, pending);
      }
      return pending;
    },
  };
}
