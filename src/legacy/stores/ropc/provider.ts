/**
 * Which OpenID provider a token URL belongs to, as far as its path tells: it decides the form's B2C-only field, the
 * default scope, and where `/readyz` reads the provider's OpenID metadata. `generic` is any other OAuth 2.0 server.
 */
export type RopcProviderKind = 'b2c' | 'entra' | 'keycloak' | 'auth0' | 'okta' | 'generic';

export interface RopcProvider {
  readonly kind: RopcProviderKind;
  /**
   * The provider's OpenID Connect discovery document, derived from the token URL; null when the URL has no known
   * shape (readiness then opens a plain connection to the token endpoint's origin).
   */
  readonly metadataUrl: URL | null;
}

/** A B2C policy id: user flows are `B2C_1_…`, custom policies `B2C_1A_…`, in any case. */
const B2C_POLICY = /^b2c_1a?_[^/]+$/i;

/**
 * Recognizes the provider from its token endpoint's path (hosts vary: custom domains, sovereign clouds, the
 * emulator on 127.0.0.1).
 *
 * - Azure AD B2C: `/{tenant}/{policy}/oauth2/v2.0/token`, or `/{tenant}/oauth2/v2.0/token?p={policy}`; metadata at
 *   `/{tenant}/{policy}/v2.0/.well-known/openid-configuration`
 *   (https://learn.microsoft.com/en-us/azure/active-directory-b2c/tokens-overview#endpoints).
 * - Entra ID: `/{tenant}/oauth2/v2.0/token`; metadata at `/{tenant}/v2.0/.well-known/openid-configuration`
 *   (https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri).
 * - Keycloak: `[/auth]/realms/{realm}/protocol/openid-connect/token`; metadata at
 *   `[/auth]/realms/{realm}/.well-known/openid-configuration` (https://www.keycloak.org/securing-apps/oidc-layers#_endpoints).
 * - Okta: `/oauth2/v1/token` (org server) or `/oauth2/{serverId}/v1/token`; metadata at `/.well-known/openid-configuration`
 *   or `/oauth2/{serverId}/.well-known/openid-configuration`
 *   (https://developer.okta.com/docs/reference/api/oidc/#well-known-openid-configuration).
 * - Auth0: `/oauth/token`; metadata at `/.well-known/openid-configuration`
 *   (https://auth0.com/docs/get-started/applications/configure-applications-with-oidc-discovery).
 *
 * @example
 *   recognizeProvider(new URL('https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_ROPC_Auth/oauth2/v2.0/token')).kind // 'b2c'
 */
export function recognizeProvider(tokenUrl: URL): RopcProvider {
  const segments = tokenUrl.pathname.split('/').slice(1);
  const at = (path: string, search = '') => {
    const url = new URL(path, tokenUrl.origin);
    url.search = search;
    return url;
  };
  const policyParameter = tokenUrl.searchParams.get('p');

  if (matches(segments, [null, null, 'oauth2', 'v2.0', 'token']) && B2C_POLICY.test(segments[1]!)) {
    return { kind: 'b2c', metadataUrl: at(`/${segments[0]}/${segments[1]}/v2.0/.well-known/openid-configuration`) };
  }
  if (matches(segments, [null, 'oauth2', 'v2.0', 'token'])) {
    if (policyParameter !== null && B2C_POLICY.test(policyParameter)) {
      return { kind: 'b2c', metadataUrl: at(`/${segments[0]}/v2.0/.well-known/openid-configuration`, `?p=${encodeURIComponent(policyParameter)}`) };
    }
    return { kind: 'entra', metadataUrl: at(`/${segments[0]}/v2.0/.well-known/openid-configuration`) };
  }
  const realm = segments.indexOf('realms');
  if (realm >= 0 && realm <= 1 && matches(segments.slice(realm), ['realms', null, 'protocol', 'openid-connect', 'token'])) {
    const prefix = segments.slice(0, realm + 2).join('/');
    return { kind: 'keycloak', metadataUrl: at(`/${prefix}/.well-known/openid-configuration`) };
  }
  if (matches(segments, ['oauth2', 'v1', 'token'])) return { kind: 'okta', metadataUrl: at('/.well-known/openid-configuration') };
  if (matches(segments, ['oauth2', null, 'v1', 'token'])) {
    return { kind: 'okta', metadataUrl: at(`/oauth2/${segments[1]}/.well-known/openid-configuration`) };
  }
  if (matches(segments, ['oauth', 'token'])) return { kind: 'auth0', metadataUrl: at('/.well-known/openid-configuration') };
  return { kind: 'generic', metadataUrl: null };
}

/** True when `segments` has the shape of `pattern`: a string matches itself (case-blind), null any non-empty segment. */
function matches(segments: readonly string[], pattern: ReadonlyArray<string | null>): boolean {
  return (
    segments.length === pattern.length &&
    pattern.every((expected, index) => {
      const segment = segments[index]!;
      return expected === null ? segment.length > 0 : segment.toLowerCase() === expected;
    })
  );
}
