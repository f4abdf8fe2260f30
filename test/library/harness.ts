import { readFileSync } from 'node:fs';
import { createTenant, mintCalloutToken, type EmulatedTenant } from '../../src/emulator/index.js';
import { createCallerTokenVerifier, createSigningKeySource, type CallerTokenVerifier } from '../../src/library/events.js';

export const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
export const CORRELATION_ID = '00000000-0000-4000-8000-0000000000c1';
/** The user of Microsoft's token issuance fixture. */
export const FIXTURE_USER_ID = '90847c2a-e29d-4d2f-9f54-c5b4d3f26471';
const FIXTURES = new URL('../fixtures/entra/', import.meta.url);

/** An emulated tenant, a `fetch` serving its OpenID metadata and keys at `base`, and real caller tokens it signs. */
export interface LibraryTenant {
  tenant: EmulatedTenant;
  tenantId: string;
  fetch: typeof globalThis.fetch;
  verifier: CallerTokenVerifier;
  /** `Bearer <token>` as Entra sends it, for the extension app. */
  authorization(): Promise<string>;
  /** A callout body from Microsoft's fixture `name.request.json` (or `name` ending in `.json`), for this tenant. */
  body(name: string): Record<string, any>;
}

export async function libraryTenant(base = 'http://127.0.0.1:9'): Promise<LibraryTenant> {
  const tenant = await createTenant();
  const metadataUrls = new Set([
    `https://${tenant.tenantId}.ciamlogin.com/${tenant.tenantId}/v2.0/.well-known/openid-configuration`,
    `https://login.microsoftonline.com/${tenant.tenantId}/v2.0/.well-known/openid-configuration`,
  ]);
  const fetch = (async (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input);
    if (metadataUrls.has(url)) return Response.json(tenant.openIdConfiguration(base));
    if (url === `${base}/${tenant.tenantId}/discovery/v2.0/keys`) return Response.json(tenant.jwks());
    return new Response('', { status: 404 });
  }) as typeof globalThis.fetch;
  const keySource = createSigningKeySource({ openIdConfigurationUrls: [...metadataUrls], fetch });
  return {
    tenant,
    tenantId: tenant.tenantId,
    fetch,
    verifier: createCallerTokenVerifier({ tenantId: tenant.tenantId, extensionAppId: APP_ID, keySource }),
    authorization: async () => `Bearer ${await mintCalloutToken(tenant, { audience: APP_ID, now: Date.now() })}`,
    body(name) {
      const body = JSON.parse(readFileSync(new URL(name.endsWith('.json') ? name : `${name}.request.json`, FIXTURES), 'utf8'));
      body.data.tenantId = tenant.tenantId;
      body.data.authenticationContext.correlationId = CORRELATION_ID;
      return body;
    },
  };
}
