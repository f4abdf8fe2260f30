import type { RopcSettings } from '../../../config/legacy-ropc-settings.js';
import type { RopcProviderKind } from './provider.js';

/**
 * Azure AD B2C's ROPC user flow answers a `token id_token` request with both tokens; its documentation sends the
 * field in every example (https://learn.microsoft.com/en-us/azure/active-directory-b2c/add-ropc-policy#test-the-ropc-flow).
 * Other providers take no `response_type` at the token endpoint (RFC 6749 §4.3.2), so it is sent to B2C only.
 */
const B2C_RESPONSE_TYPE = 'token id_token';

/**
 * The scope sent when LEGACY_ROPC_SCOPE is unset: `openid`, so the provider returns an id token to read the legacy
 * id from. B2C also needs a resource for the access token it issues with `token`: its documentation sends
 * `openid {application-id}` (plus `offline_access` for a refresh token we do not want), and without one B2C answers
 * AADB2C90055.
 */
export function defaultScope(kind: RopcProviderKind, clientId: string): string {
  return kind === 'b2c' ? `openid ${clientId}` : 'openid';
}

/**
 * The `application/x-www-form-urlencoded` body of one password grant (RFC 6749 §4.3.2), fields in the order of
 * Microsoft's B2C example: `username`, `password`, `grant_type=password`, `scope`, `client_id`, then `response_type`
 * (B2C only) and `client_secret` (when configured; RFC 6749 §2.3.1 allows it in the body, which B2C's public clients
 * refuse with AADB2C90084 — leave LEGACY_ROPC_CLIENT_SECRET unset for B2C).
 *
 * @example
 *   tokenForm(settings, 'b2c', 'ada@example.com', password)
 *   // username=ada%40example.com&password=…&grant_type=password&scope=openid+bef2…&client_id=bef2…&response_type=token+id_token
 */
export function tokenForm(settings: RopcSettings, kind: RopcProviderKind, username: string, password: string): string {
  const form = new URLSearchParams();
  form.set('username', username);
  form.set('password', password);
  form.set('grant_type', 'password');
  form.set('scope', settings.scope ?? defaultScope(kind, settings.clientId));
  form.set('client_id', settings.clientId);
  if (kind === 'b2c') form.set('response_type', B2C_RESPONSE_TYPE);
  if (settings.clientSecret !== undefined) form.set('client_secret', settings.clientSecret);
  return form.toString();
}
