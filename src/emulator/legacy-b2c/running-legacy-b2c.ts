import type { LegacyB2cTenant } from './legacy-b2c-tenant.js';

/** The legacy B2C tenant of a running emulator, with the addresses `serve` is given. */
export interface RunningLegacyB2c {
  readonly tenant: LegacyB2cTenant;
  /** `{emulator}/{tenant}.onmicrosoft.com/{policy}/oauth2/v2.0/token`, B2C's ROPC token endpoint. */
  readonly tokenUrl: string;
  /** `{emulator}/{tenant}.onmicrosoft.com/{policy}/v2.0/.well-known/openid-configuration`. */
  readonly openIdConfigurationUrl: string;
  readonly clientId: string;
  /**
   * The `serve` settings that make this tenant the legacy store: LEGACY_ROPC_TOKEN_URL and LEGACY_ROPC_CLIENT_ID
   * (LEGACY_ROPC_SCOPE unset: `openid {clientId}`, B2C's form).
   */
  readonly ropcSettings: Readonly<{ LEGACY_ROPC_TOKEN_URL: string; LEGACY_ROPC_CLIENT_ID: string }>;
}

/**
 * The legacy B2C tenant's addresses once the emulator listens at `baseUrl`.
 *
 * @example
 *   const b2c = runningLegacyB2c(tenant, 'http://127.0.0.1:7080');
 *   loadServeConfig({ ...env, ...b2c.ropcSettings });
 */
export function runningLegacyB2c(tenant: LegacyB2cTenant, baseUrl: string): RunningLegacyB2c {
  const tokenUrl = `${baseUrl}${tenant.tokenPath}`;
  return Object.freeze({
    tenant,
    tokenUrl,
    openIdConfigurationUrl: `${baseUrl}${tenant.metadataPath}`,
    clientId: tenant.clientId,
    ropcSettings: Object.freeze({ LEGACY_ROPC_TOKEN_URL: tokenUrl, LEGACY_ROPC_CLIENT_ID: tenant.clientId }),
  });
}
