import type { RunningEmulator } from '../../src/emulator/index.js';
import { defineExtensionProperty } from '../support/flag-property.js';

/**
 * The environment `entra-migrate premigrate` needs against `emulator`: its tenant, Graph and authority, the flag
 * property (defined here, as setup would), an app registration signing in with a secret (registered here), and a
 * SQLite ledger at `ledgerPath`.
 *
 * @example
 *   const env = premigrateEnvironment(emulator, { clientId, clientSecret: 'secret', ledgerPath: join(dir, 'ledger.db') });
 */
export function premigrateEnvironment(emulator: RunningEmulator, options: { clientId: string; clientSecret: string; ledgerPath: string }): Record<string, string> {
  emulator.registerClientApp(options.clientId, options.clientSecret);
  return {
    ENTRA_TENANT_ID: emulator.tenant.tenantId,
    ENTRA_TENANT_DOMAIN: emulator.tenant.domain,
    MIGRATION_FLAG_ATTRIBUTE: defineExtensionProperty(emulator),
    GRAPH_BASE_URL: emulator.url,
    AZURE_AUTHORITY_HOST: emulator.url,
    AZURE_CLIENT_ID: options.clientId,
    AZURE_CLIENT_SECRET: options.clientSecret,
    LEDGER_DATABASE_URL: `sqlite://${options.ledgerPath}`,
  };
}
