import type { SettingsReader } from './settings.js';
import { legacyUrl } from './transport.js';

/** The settings of the OIDC password-grant legacy store; their names are the public contract. */
export const RopcSetting = {
  TOKEN_URL: 'LEGACY_ROPC_TOKEN_URL',
  CLIENT_ID: 'LEGACY_ROPC_CLIENT_ID',
  CLIENT_SECRET: 'LEGACY_ROPC_CLIENT_SECRET',
  SCOPE: 'LEGACY_ROPC_SCOPE',
} as const;

/**
 * Where and as whom `serve` asks an OpenID provider (Azure AD B2C, Entra ID, Keycloak, Auth0, Okta) whether a password
 * is right, with an OAuth 2.0 resource owner password credentials grant (RFC 6749 §4.3). Validated and frozen.
 */
export interface RopcSettings {
  /** The provider's token endpoint (LEGACY_ROPC_TOKEN_URL): https, or http on loopback only unless allowed. */
  readonly tokenUrl: URL;
  /** LEGACY_ROPC_CLIENT_ID: the application (client) id registered for the password grant. */
  readonly clientId: string;
  /** LEGACY_ROPC_CLIENT_SECRET, sent as `client_secret` when set (confidential clients); never logged. */
  readonly clientSecret: string | undefined;
  /**
   * LEGACY_ROPC_SCOPE, or undefined when unset: then `openid`, except for an Azure AD B2C token URL where it is
   * `openid {clientId}` — B2C refuses a `token` response type whose scope names no resource (AADB2C90055). Without
   * `openid` the provider returns no id token and the legacy id stays unknown.
   */
  readonly scope: string | undefined;
}

/** Longer than any real token URL; keeps a pasted document out of the configuration. */
const MAX_URL_LENGTH = 2048;
/** Client ids are GUIDs (Microsoft, Okta's 20 characters, Auth0's 32); Keycloak allows any name, rarely past 100. */
const MAX_CLIENT_ID_LENGTH = 256;
/** Generated secrets are 40 (Entra) to 64 (Auth0) characters; 1 KiB leaves room for a passphrase. */
const MAX_CLIENT_SECRET_LENGTH = 1024;
const MAX_SCOPE_LENGTH = 1024;
/** A scope token as RFC 6749 §3.3 defines it: %x21 / %x23-5B / %x5D-7E (no space, `"` or `\`). */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
/** Printable ASCII without spaces: what a client id can be and still be sent as typed. */
const CLIENT_ID = /^[\x21-\x7e]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * Reads LEGACY_ROPC_TOKEN_URL, LEGACY_ROPC_CLIENT_ID, LEGACY_ROPC_CLIENT_SECRET and LEGACY_ROPC_SCOPE, reporting
 * every problem on `read` (never echoing the secret). Returns undefined when any of them is unusable.
 *
 * @example
 *   const read = new SettingsReader(process.env);
 *   const ropc = readRopcSettings(read, allowsInsecureTransport(read));
 *   if (read.problems.length > 0) throw new ConfigError(read.problems);
 */
export function readRopcSettings(read: SettingsReader, allowInsecure: boolean): RopcSettings | undefined {
  const problemsBefore = read.problems.length;
  const tokenUrl = readTokenUrl(read, allowInsecure);
  const clientId = readClientId(read);
  const clientSecret = readClientSecret(read);
  const scope = readScope(read);
  if (read.problems.length > problemsBefore || tokenUrl === undefined || clientId === undefined) return undefined;
  return Object.freeze({ tokenUrl, clientId, clientSecret, scope });
}

function readTokenUrl(read: SettingsReader, allowInsecure: boolean): URL | undefined {
  const text = read.optional(RopcSetting.TOKEN_URL);
  if (text === undefined) {
    read.report(RopcSetting.TOKEN_URL, "is required: the provider's token endpoint, e.g. https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_ROPC_Auth/oauth2/v2.0/token");
    return undefined;
  }
  if (text.length > MAX_URL_LENGTH) {
    read.report(RopcSetting.TOKEN_URL, `is longer than ${MAX_URL_LENGTH} characters`);
    return undefined;
  }
  const url = legacyUrl(read, RopcSetting.TOKEN_URL, { secure: ['https:'], clear: ['http:'] }, allowInsecure);
  if (url === undefined) return undefined;
  if (url.hash) {
    read.report(RopcSetting.TOKEN_URL, 'must not hold a #fragment');
    return undefined;
  }
  return url;
}

function readClientId(read: SettingsReader): string | undefined {
  const value = read.optional(RopcSetting.CLIENT_ID);
  if (value === undefined) {
    read.report(RopcSetting.CLIENT_ID, 'is required: the application (client) id registered at the provider for the password grant');
    return undefined;
  }
  if (value.length > MAX_CLIENT_ID_LENGTH || !CLIENT_ID.test(value)) {
    read.report(RopcSetting.CLIENT_ID, `must be the application (client) id: up to ${MAX_CLIENT_ID_LENGTH} printable characters without spaces`);
    return undefined;
  }
  return value;
}

function readClientSecret(read: SettingsReader): string | undefined {
  const value = read.optional(RopcSetting.CLIENT_SECRET);
  if (value === undefined) return undefined;
  // The value is never echoed: a problem names the setting and the rule only.
  if (value.length > MAX_CLIENT_SECRET_LENGTH || CONTROL.test(value)) {
    read.report(RopcSetting.CLIENT_SECRET, `must be the client secret as the provider shows it: up to ${MAX_CLIENT_SECRET_LENGTH} characters, no control characters`);
    return undefined;
  }
  return value;
}

function readScope(read: SettingsReader): string | undefined {
  const value = read.optional(RopcSetting.SCOPE);
  if (value === undefined) return undefined;
  const tokens = value.split(/ +/);
  if (value.length > MAX_SCOPE_LENGTH || !tokens.every((token) => SCOPE_TOKEN.test(token))) {
    read.report(RopcSetting.SCOPE, 'must be scopes separated by spaces, e.g. "openid" or "openid 00001111-aaaa-2222-bbbb-3333cccc4444" (RFC 6749 §3.3)');
    return undefined;
  }
  return tokens.join(' ');
}
