import type { EmulatedTenant } from '../../src/emulator/index.js';
import { createSigningKeySource, type SigningKeySource } from '../../src/security/index.js';

/** Where the emulated tenant's OpenID metadata is said to live; nothing listens there, `fetch` below answers. */
const BASE = 'http://127.0.0.1:9';

/**
 * Entra's signing keys for an emulated tenant, without a server: a `fetch` that answers the tenant's OpenID metadata
 * and key set, and the signing-key source the caller-token verifier reads through it.
 *
 * @example
 *   const { keySource } = tenantSigningKeys(tenant);
 *   createCallerTokenVerifier({ tenantId: tenant.tenantId, extensionAppId: APP_ID, keySource });
 */
export function tenantSigningKeys(tenant: EmulatedTenant): { metadataUrl: string; fetch: typeof globalThis.fetch; keySource: SigningKeySource } {
  const metadataUrl = `${BASE}/${tenant.tenantId}/v2.0/.well-known/openid-configuration`;
  const fetch = (async (input: string | URL | Request) => {
    const url = String(input);
    if (url === metadataUrl) return Response.json(tenant.openIdConfiguration(BASE));
    if (url === `${BASE}/${tenant.tenantId}/discovery/v2.0/keys`) return Response.json(tenant.jwks());
    return new Response('', { status: 404 });
  }) as typeof globalThis.fetch;
  return { metadataUrl, fetch, keySource: createSigningKeySource({ openIdConfigurationUrls: [metadataUrl], fetch }) };
}
