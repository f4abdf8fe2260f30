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

/** The scope of a Graph token with the app registration's granted application permissions. */
export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

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
    const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_codes?: unknown; error_description?: unknown };
    if (!response.ok || typeof body.access_token !== 'string') {
      const codes = [...(Array.isArray(body.error_codes) ? body.error_codes.map(Number) : []), ...entraErrorCodesIn(String(body.error_description ?? ''))];
      const cause = likelyRefusalCause({ status: response.status, codes }, options);
      // OAuth's error code (RFC 6749 §5.2: invalid_client …), not whatever else a non-OAuth 404 page says.
      const error = typeof body.error === 'string' && /^[a-z_]{1,64}$/.test(body.error) ? `, ${body.error}` : '';
      throw new GraphError(GraphErrorCode.AUTH_FAILED, `The token endpoint refused client ${options.clientId} (HTTP ${response.status}${error})${cause ? `: ${cause}` : ''}.`);
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

/** Who asked for a token where: what a refusal's likely cause names (never the secret). */
interface TokenRequester {
  authorityHost: string;
  tenantId: string;
  clientId?: string;
}

/**
 * Why a token endpoint most likely refused, by HTTP status or Entra error code (`AADSTS90002` …), and which setting
 * fixes it. Codes: https://learn.microsoft.com/entra/identity-platform/reference-error-codes.
 */
const REFUSAL_CAUSES: ReadonlyArray<{ statuses: readonly number[]; codes: readonly number[]; cause: (who: TokenRequester) => string }> = [
  {
    // A 404 from the token endpoint: no such tenant at that authority (the emulator, or a wrong authority host).
    statuses: [404],
    codes: [90002],
    cause: ({ tenantId, authorityHost }) => `most likely the tenant id ${tenantId} is wrong, or ${authorityHost} is not its sign-in authority; check AZURE_TENANT_ID (or ENTRA_TENANT_ID) and AZURE_AUTHORITY_HOST`,
  },
  {
    statuses: [],
    codes: [700016],
    cause: ({ tenantId, clientId }) => `tenant ${tenantId} has no app registration ${clientId ?? '(none given)'}; check AZURE_CLIENT_ID (or the --credentials file) and the tenant id`,
  },
  {
    statuses: [],
    codes: [7000215, 7000222],
    cause: ({ clientId }) => `the client secret of ${clientId ?? 'the app registration'} is wrong or has expired; check AZURE_CLIENT_SECRET (or the --credentials file)`,
  },
];

/**
 * The likely cause of a token refusal, in words naming the settings to check, or undefined when it is not a known one.
 *
 * @example
 *   likelyRefusalCause({ status: 404, codes: [] }, { authorityHost, tenantId });
 *   // 'most likely the tenant id … is wrong, or … is not its sign-in authority; check AZURE_TENANT_ID …'
 */
export function likelyRefusalCause(refusal: { status?: number; codes: readonly number[] }, who: TokenRequester): string | undefined {
  const known = REFUSAL_CAUSES.find(({ statuses, codes }) => (refusal.status !== undefined && statuses.includes(refusal.status)) || refusal.codes.some((code) => codes.includes(code)));
  return known?.cause({ ...who, authorityHost: who.authorityHost.replace(/\/+$/, '') });
}

/** The Entra error codes (`AADSTS90002: Tenant … not found`) an error text mentions. */
export function entraErrorCodesIn(text: string): number[] {
  return [...text.matchAll(/AADSTS(\d{4,8})/g)].map((match) => Number(match[1]));
}
