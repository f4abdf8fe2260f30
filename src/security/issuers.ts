/** Entra's first-party service that calls custom authentication extensions: the caller token's `azp`/`appid`. */
export const CUSTOM_EXTENSION_CALLER_APP_ID = '99045fe1-7639-4a75-9d4a-577b6ca3810f';

/**
 * Whether `issuer` is one of the issuers Entra signs caller tokens as for `tenantId` (DESIGN.md, "Caller token"):
 * `https://{tid}.ciamlogin.com/{tid}/v2.0`, `https://{subdomain}.ciamlogin.com/{tid}/v2.0`,
 * `https://login.microsoftonline.com/{tid}/v2.0` and the v1 `https://sts.windows.net/{tid}/`.
 *
 * @example
 *   isTenantIssuer('https://contoso.ciamlogin.com/6d1f…/v2.0', '6d1f…') // true
 */
export function isTenantIssuer(issuer: string, tenantId: string): boolean {
  const tid = tenantId.toLowerCase();
  const value = issuer.toLowerCase();
  if (value === `https://login.microsoftonline.com/${tid}/v2.0` || value === `https://sts.windows.net/${tid}/`) return true;
  const match = /^https:\/\/([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.ciamlogin\.com\/([0-9a-f-]{36})\/v2\.0$/.exec(value);
  return match !== null && match[2] === tid;
}

/**
 * The tenant's OpenID metadata documents whose key sets sign caller tokens: External ID's `ciamlogin.com` and the
 * global `login.microsoftonline.com`. Both are fetched and their keys merged.
 */
export function openIdConfigurationUrlsFor(tenantId: string): string[] {
  return [
    `https://${tenantId}.ciamlogin.com/${tenantId}/v2.0/.well-known/openid-configuration`,
    `https://login.microsoftonline.com/${tenantId}/v2.0/.well-known/openid-configuration`,
  ];
}
