import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { openExtension, type Extension } from '../app/index.js';
import { loadServeConfig } from '../config/index.js';
import { startEmulator, type RunningEmulator } from '../emulator/index.js';
import { randomPassword } from '../bulk/random-password.js';
import { loadDashboardConfig } from '../dashboard/dashboard-config.js';
import { startDashboard, type RunningDashboard } from '../dashboard/start-dashboard.js';
import { createPasswordVerifier } from '../legacy/hashes/index.js';
import { hashStoreAuthority, openSqlLegacyStore } from '../legacy/index.js';
import { ensureDemoKey } from './demo-key.js';
import { startDemoLegacyService } from './demo-legacy-service.js';
import { demoSignUpFlow, demoSignUpPolicy, signUpServeSettings, type DemoSignUp, type DemoSignUpCollision } from './demo-sign-up.js';
import { configureDemoTokenIssuance, tokenClaimsServeSettings, type DemoTokenIssuance } from './demo-token-claims.js';
import { DEMO_LATE_USERS, DEMO_USERS, type DemoUser } from './demo-users.js';
import { DEMO_LEGACY_USER_QUERY, seedDemoLegacyStore } from './seed-legacy-store.js';

/** Fixed ids, so the demo's logs and ledger read the same on every machine. */
export const DEMO_TENANT_ID = '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21';
export const DEMO_EXTENSION_APP_ID = '0f5a8e2c-4b7d-4e61-9c3a-7d2b1e8f6a90';
/** The app registration `serve` reaches the emulated Graph as (a secret of its own on every run). */
export const DEMO_GRAPH_CLIENT_ID = '9a3e6c1d-2f4b-4d8e-b7a5-3c1e0f9d2b64';

export interface DemoOptions {
  /** Where the demo keeps its key, legacy store and ledger. Default `./data/demo`. */
  dataDir?: string;
  /** The extension's port (default 7071); 0 picks a free one. */
  extensionPort?: number;
  /** The emulator's port (default 7080); 0 picks a free one. */
  emulatorPort?: number;
  /** The dashboard's port (default 7090), on 127.0.0.1 whatever `host` says; 0 picks a free one. */
  dashboardPort?: number;
  host?: string;
  /**
   * The legacy system: `sqlite` (default), a seeded SQLite table of hashes in many formats; `web-service`, a legacy
   * login API over that table, asked over HTTP as docs/legacy-web-service.md describes; or `b2c`, the emulator's
   * Azure AD B2C tenant holding the same users, asked through its password grant (ROPC) as a real B2C would be.
   */
  legacy?: DemoLegacy;
  /**
   * SIGNUP_COLLISION for the sign-up page: `block` (default with the SQLite store), `link` or `off` (the only one,
   * and the default, for a web service or B2C, which cannot look an e-mail address up).
   */
  signUpCollision?: DemoSignUpCollision;
  logger: Logger;
}

export type DemoLegacy = 'sqlite' | 'web-service' | 'b2c';

/** The demo B2C tenant's ROPC application, fixed like the other demo ids. */
export const DEMO_B2C_CLIENT_ID = '5b7c2e94-1d3f-4a8b-9c6e-0f2a4d6b8e13';

export interface RunningDemo {
  dataDir: string;
  legacy: DemoLegacy;
  /** What the extension asks, in words: `SQLite <path>`, or the B2C tenant's token endpoint. */
  legacyStore: string;
  /** The emulator's sign-in page. */
  signInUrl: string;
  /** The emulator's sign-up page, whose attribute collection events `serve` answers. */
  signUpUrl: string;
  extensionUrl: string;
  /** The migration dashboard over the demo's ledger (docs/dashboard.md), on this machine only. */
  dashboardUrl: string;
  /** Pre-created in Entra, flagged for migration. */
  users: readonly DemoUser[];
  /** In the legacy store only (created after the bulk run): their owners sign up. */
  lateUsers: readonly DemoUser[];
  /** MIGRATION_FLAG_ATTRIBUTE: `extension_<b2c-extensions-app>_toBeMigrated`. */
  flagAttribute: string;
  signUp: DemoSignUp;
  /**
   * OnTokenIssuanceStart as `setup --events token-issuance-start` configures it, with the SQLite store only (the
   * others have no claims to give): the page after sign-in shows the token's claims, the legacy ones included.
   */
  tokenIssuance: DemoTokenIssuance | undefined;
  emulator: RunningEmulator;
  extension: Extension;
  close(): Promise<void>;
}

/**
 * The whole migration on one machine: a seeded SQLite legacy store, the Entra emulator holding the same users
 * (random passwords, flagged `toBeMigrated`) but for the late ones, and the extension server between them, answering
 * the sign-in, the sign-up and (with the SQLite store) the token issuance events — configured exactly as a real
 * deployment would be, through the `serve` settings and the tenant objects `setup` writes.
 *
 * @example
 *   const demo = await startDemo({ logger });
 *   console.log(demo.signInUrl);
 */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const dataDir = resolve(options.dataDir ?? join('data', 'demo'));
  const host = options.host ?? '127.0.0.1';
  const legacyPath = join(dataDir, 'legacy.db');
  const legacy = options.legacy ?? 'sqlite';
  const b2c = legacy === 'b2c';
  // Checked before anything is written or listens: a policy the store cannot serve starts nothing.
  const signUpPolicy = demoSignUpPolicy({ legacy, canLookUpByEmail: legacy === 'sqlite', requested: options.signUpCollision });
  const legacyUsers = [...DEMO_USERS, ...DEMO_LATE_USERS];
  if (!b2c) seedDemoLegacyStore(legacyPath, legacyUsers);
  const key = await ensureDemoKey(join(dataDir, 'extension-key.pem'));

  const emulator = await startEmulator({
    tenantId: DEMO_TENANT_ID,
    port: options.emulatorPort ?? 7080,
    host,
    logger: options.logger,
    ...(b2c && { legacyB2c: { tenantName: 'contosolegacy', clientId: DEMO_B2C_CLIENT_ID, users: legacyUsers.map(asB2cUser) } }),
  });
  let extension: Extension | undefined;
  let dashboard: RunningDashboard | undefined;
  let service: { settings: Record<string, string>; close(): Promise<void> } | undefined;
  try {
    if (legacy === 'web-service') service = await startServiceOver(legacyPath);
    // The flag as `setup` defines it: a Boolean extension property on the tenant's b2c-extensions-app.
    const flag = emulator.objects.defineUserExtensionProperty('toBeMigrated', 'Boolean');
    // The late users are not pre-created: they joined the legacy system after the bulk run.
    const preCreated: Array<{ user: DemoUser; objectId: string }> = [];
    for (const user of DEMO_USERS) preCreated.push({ user, objectId: await preMigrate(emulator, user, flag) });
    // The attribute a `link` writes the legacy id into, on the same extensions app as the flag.
    const signUp: DemoSignUp = { ...signUpPolicy, legacyIdAttribute: emulator.objects.defineUserExtensionProperty('legacyId', 'String') };

    const config = loadServeConfig({
      PORT: String(options.extensionPort ?? 7071),
      HOST: host,
      ENTRA_TENANT_ID: DEMO_TENANT_ID,
      ENTRA_EXTENSION_APP_ID: DEMO_EXTENSION_APP_ID,
      ENTRA_OPENID_CONFIGURATION_URL: emulator.openIdConfigurationUrl,
      JIT_DECRYPTION_KEY_FILE: key.path,
      ...(b2c ? emulator.legacyB2c!.ropcSettings : service ? service.settings : { LEGACY_DATABASE_URL: `sqlite://${legacyPath}`, LEGACY_USER_QUERY: DEMO_LEGACY_USER_QUERY }),
      LEDGER_DATABASE_URL: `sqlite://${join(dataDir, 'ledger.db')}`,
      ...signUpServeSettings(signUp),
      ...tokenClaimsServeSettings(legacy),
      ...graphAccessFor(emulator, flag),
      LOG_LEVEL: options.logger.level,
    });
    extension = await openExtension(config, { logger: options.logger });
    // The ledger rows premigrate would have written for the pre-created users, so status and the dashboard count them.
    for (const { user, objectId } of preCreated) {
      await extension.ledger.recordAccount({ legacyId: user.id, email: user.email, state: 'created', entraObjectId: objectId, reason: null, updatedAt: new Date() });
    }
    const address = await extension.server.listen({ port: config.port, host });
    dashboard = await startDashboard(loadDashboardConfig({ DASHBOARD_PORT: String(options.dashboardPort ?? 7090), HOST: '127.0.0.1', LEDGER_DATABASE_URL: config.ledgerDatabaseUrl }));
    const extensionUrl = `${address}/events/password-submit`;
    const callout = { timeoutInMs: 2000, maximumRetries: 1 } as const;
    emulator.configureExtension({
      targetUrl: extensionUrl,
      appId: DEMO_EXTENSION_APP_ID,
      encryptionCertificatePem: key.certificatePem,
      ...callout,
      migrationFlagAttribute: flag,
      signUp: demoSignUpFlow(address, signUp),
    });
    const tokenIssuance = legacy === 'sqlite' ? configureDemoTokenIssuance(emulator.objects, { extensionBaseUrl: address, extensionAppId: DEMO_EXTENSION_APP_ID, ...callout }) : undefined;

    const opened = extension;
    const openedDashboard = dashboard;
    const openedService = service;
    return {
      dataDir,
      legacy,
      legacyStore: b2c
        ? `the emulator's B2C tenant, password grant at ${emulator.legacyB2c!.tokenUrl}`
        : service
          ? `a legacy login service at ${service.settings.LEGACY_VERIFY_URL}, over SQLite ${legacyPath}`
          : `SQLite ${legacyPath}`,
      signInUrl: emulator.url,
      signUpUrl: `${emulator.url}/signup`,
      extensionUrl,
      dashboardUrl: openedDashboard.url,
      users: DEMO_USERS,
      lateUsers: DEMO_LATE_USERS,
      flagAttribute: flag,
      signUp,
      tokenIssuance,
      emulator,
      extension: opened,
      async close() {
        await openedDashboard.close();
        await opened.close();
        await openedService?.close();
        await emulator.close();
      },
    };
  } catch (error) {
    await dashboard?.close();
    await extension?.close();
    await service?.close();
    await emulator.close();
    throw error;
  }
}

/** The demo's legacy login service over the seeded table, and the settings that point `serve` at it. */
async function startServiceOver(legacyPath: string) {
  const store = await openSqlLegacyStore({ url: `sqlite://${legacyPath}`, query: DEMO_LEGACY_USER_QUERY });
  const verifier = createPasswordVerifier();
  const service = await startDemoLegacyService(hashStoreAuthority(store, verifier));
  return {
    settings: { LEGACY_VERIFY_URL: service.url, LEGACY_VERIFY_AUTH: service.auth },
    async close() {
      await service.close();
      await store.close();
      await verifier.close();
    },
  };
}

/**
 * The Graph access `premigrate` would use — the emulator's Graph, an app registration with a secret of this run, the
 * migration flag — given to `serve` too, so that under `block` it can create a colliding legacy account in Entra
 * before telling its owner to sign in with their existing password.
 */
function graphAccessFor(emulator: RunningEmulator, flag: string): Record<string, string> {
  const secret = randomBytes(24).toString('base64url');
  emulator.registerClientApp(DEMO_GRAPH_CLIENT_ID, secret);
  return {
    GRAPH_BASE_URL: emulator.url,
    AZURE_AUTHORITY_HOST: emulator.url,
    AZURE_CLIENT_ID: DEMO_GRAPH_CLIENT_ID,
    AZURE_CLIENT_SECRET: secret,
    ENTRA_TENANT_DOMAIN: emulator.tenant.domain,
    MIGRATION_FLAG_ATTRIBUTE: flag,
  };
}

/** A demo user as a B2C local account: the same sign-in name and password, locked where the legacy row is. */
function asB2cUser(user: DemoUser) {
  return { signInNames: [user.email], password: user.password, displayName: user.displayName, ...(user.status === 'locked' && { locked: true }) };
}

/** Phase 1 for one demo user: created in the directory with a random password and the migration flag set. */
/** Creates the user in the emulator as premigrate would, and says its object id. */
async function preMigrate(emulator: RunningEmulator, user: DemoUser, flag: string): Promise<string> {
  const created = await emulator.directory.createUser({
    displayName: user.displayName,
    givenName: user.givenName,
    surname: user.surname,
    mail: user.email,
    identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: user.email }],
    password: randomPassword(),
    extensionAttributes: { [flag]: true },
  });
  return created.id;
}
