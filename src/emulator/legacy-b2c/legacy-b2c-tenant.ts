import { randomUUID } from 'node:crypto';
import { EmulatorError, EmulatorErrorCode } from '../errors.js';
import { createB2cTokenIssuer, type B2cTokenIssuer } from './b2c-tokens.js';
import { LegacyB2cUsers, type LegacyB2cLockout, type LegacyB2cUserSeed } from './b2c-users.js';

/** The emulator's "legacy B2C tenant": the Azure AD B2C a migration starts from. */
export interface LegacyB2cOptions {
  /** The tenant name, as in `{name}.onmicrosoft.com` and `{name}.b2clogin.com`. Default `fabrikamb2c`. */
  tenantName?: string;
  /** Default: a new GUID. */
  tenantId?: string;
  /** The ROPC user flow's name. Default `B2C_1_ROPC_Auth`, the name in Microsoft's walkthrough. */
  policy?: string;
  /** The application (client) id registered for ROPC. Default: a new GUID. */
  clientId?: string;
  /** The local accounts. Kept in memory only: seed them at each start (nothing is written to the directory file). */
  users?: readonly LegacyB2cUserSeed[];
  /** Smart lockout; default B2C's own (10 wrong passwords lock for 60 s). */
  lockout?: LegacyB2cLockout;
}

export interface LegacyB2cTenant {
  readonly tenantName: string;
  /** `{tenantName}.onmicrosoft.com`. */
  readonly domain: string;
  readonly tenantId: string;
  readonly policy: string;
  readonly clientId: string;
  readonly users: LegacyB2cUsers;
  readonly tokens: B2cTokenIssuer;
  readonly now: () => number;
  /** `/{domain}/{policy}/oauth2/v2.0/token`: the ROPC token endpoint's path, as B2C serves it. */
  readonly tokenPath: string;
  /** `/{domain}/{policy}/v2.0/.well-known/openid-configuration`. */
  readonly metadataPath: string;
  /** `{baseUrl}/{tenantId}/v2.0/`: the issuer B2C writes into its tokens (with the b2clogin.com host). */
  issuer(baseUrl: string): string;
  /** The policy's OpenID Connect discovery document, shaped like B2C's. */
  openIdConfiguration(baseUrl: string): Record<string, unknown>;
}

/** True for `B2C_1_…` and `B2C_1A_…` names, the only ones B2C gives policies. */
const POLICY_NAME = /^B2C_1A?_[A-Za-z0-9_-]{1,100}$/i;
const TENANT_NAME = /^[a-z0-9]{1,26}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Creates the legacy B2C tenant: its user list, its signing key and its addresses.
 *
 * @example
 *   const b2c = await createLegacyB2cTenant({ users: [{ signInNames: ['ada@example.com'], password }] }, Date.now);
 */
export async function createLegacyB2cTenant(options: LegacyB2cOptions, now: () => number): Promise<LegacyB2cTenant> {
  const tenantName = (options.tenantName ?? 'fabrikamb2c').toLowerCase();
  if (!TENANT_NAME.test(tenantName)) throw new EmulatorError(EmulatorErrorCode.CONFIG_INVALID, 'The legacy B2C tenant name must be 1 to 26 lowercase letters and digits.');
  const policy = options.policy ?? 'B2C_1_ROPC_Auth';
  if (!POLICY_NAME.test(policy)) throw new EmulatorError(EmulatorErrorCode.CONFIG_INVALID, 'The legacy B2C policy must be named B2C_1_… (a user flow) or B2C_1A_… (a custom policy).');
  const tenantId = (options.tenantId ?? randomUUID()).toLowerCase();
  const clientId = (options.clientId ?? randomUUID()).toLowerCase();
  if (!GUID.test(tenantId) || !GUID.test(clientId)) throw new EmulatorError(EmulatorErrorCode.CONFIG_INVALID, 'The legacy B2C tenant id and client id must be GUIDs.');
  const users = new LegacyB2cUsers({ now, ...(options.lockout && { lockout: options.lockout }) });
  for (const seed of options.users ?? []) await users.add(seed);
  const tokens = await createB2cTokenIssuer();
  const domain = `${tenantName}.onmicrosoft.com`;
  const policyBase = `/${domain}/${policy}`;
  const issuer = (baseUrl: string) => `${baseUrl}/${tenantId}/v2.0/`;

  return {
    tenantName,
    domain,
    tenantId,
    policy,
    clientId,
    users,
    tokens,
    now,
    tokenPath: `${policyBase}/oauth2/v2.0/token`,
    metadataPath: `${policyBase}/v2.0/.well-known/openid-configuration`,
    issuer,
    // The fields of a B2C policy's metadata document
    // (https://learn.microsoft.com/en-us/azure/active-directory-b2c/openid-connect#fetch-the-openid-connect-metadata-document).
    openIdConfiguration: (baseUrl) => ({
      issuer: issuer(baseUrl),
      authorization_endpoint: `${baseUrl}${policyBase}/oauth2/v2.0/authorize`,
      token_endpoint: `${baseUrl}${policyBase}/oauth2/v2.0/token`,
      end_session_endpoint: `${baseUrl}${policyBase}/oauth2/v2.0/logout`,
      jwks_uri: `${baseUrl}${policyBase}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      response_types_supported: ['code', 'code id_token', 'code token', 'code id_token token', 'id_token', 'id_token token', 'token', 'token id_token'],
      scopes_supported: ['openid'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      claims_supported: ['oid', 'sub', 'name', 'emails', 'tfp', 'iss', 'iat', 'exp', 'aud', 'auth_time', 'nbf', 'ver'],
    }),
  };
}
