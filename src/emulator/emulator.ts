import type { Logger } from 'pino';
import { silentLogger } from '../common/logger.js';
import { openDirectory, type Directory } from './directory.js';
import { registerPasswordSubmitExtension, type ExtensionSettings, type PasswordSubmitExtension } from './extension-registration.js';
import { buildEmulatorServer } from './http/build-emulator-server.js';
import { createSignInService, type SignInService } from './sign-in.js';
import { createTenant, type EmulatedTenant } from './tenant.js';
import { createClientApps } from './graph/client-apps.js';
import type { GraphFaults } from './graph/write-admission.js';
import { EMULATOR_SIGN_IN_APP } from './callout-client.js';
import { resolveConfiguredExtension, type ExtensionResolution } from './configured-extension.js';
import { TenantObjects } from './tenant-objects.js';
import { createWriteBudget, type WriteBudgetOptions } from './graph/write-budget.js';

export interface EmulatorOptions {
  tenantId?: string;
  /** Default `contoso` (users' identities are issued by `contoso.onmicrosoft.com`). */
  subdomain?: string;
  /** SQLite file for the directory; default `:memory:`. */
  directoryPath?: string;
  /** Default 7080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  logger?: Logger;
  now?: () => number;
  /** How the emulator calls extensions; default global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Graph's identity-write throttling (defaults: Graph's documented budgets) and injected faults. */
  graph?: { writeBudget?: WriteBudgetOptions; faults?: GraphFaults; directoryQuota?: number };
}

/** A running emulator: its address, its tenant and directory, and the extension it calls. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:7080`: the sign-in page. */
  readonly url: string;
  /** Give this to the extension as `ENTRA_OPENID_CONFIGURATION_URL`. */
  readonly openIdConfigurationUrl: string;
  readonly tenant: EmulatedTenant;
  readonly directory: Directory;
  readonly signIn: SignInService;
  /** Registers (or replaces) the OnPasswordSubmit extension and its listener. */
  configureExtension(settings: ExtensionSettings): PasswordSubmitExtension;
  /** Lets an app call the emulated Graph with client credentials (token at `{url}/{tenantId}/oauth2/v2.0/token`). */
  registerClientApp(clientId: string, clientSecret: string): void;
  /** The tenant's configuration objects (applications, service principals, custom extensions, listeners). */
  readonly objects: TenantObjects;
  /** Changes the injected Graph faults (random 503s, latency) while running. */
  setGraphFaults(faults: GraphFaults): void;
  extension(): PasswordSubmitExtension | undefined;
  calloutCount(): number;
  close(): Promise<void>;
}

/**
 * Starts the local Entra External ID emulator on a real port.
 *
 * @example
 *   const emulator = await startEmulator({ port: 0 });
 *   emulator.configureExtension({ targetUrl: 'http://127.0.0.1:7071/events/password-submit', appId, encryptionCertificatePem });
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const logger = options.logger ?? silentLogger();
  const now = options.now ?? Date.now;
  const tenant = await createTenant({
    ...(options.tenantId && { tenantId: options.tenantId }),
    ...(options.subdomain && { subdomain: options.subdomain }),
  });
  const directory = openDirectory(options.directoryPath ?? ':memory:', { domain: tenant.domain, now });
  let extension: PasswordSubmitExtension | undefined;
  const objects = new TenantObjects();
  // An extension set directly (the demo, --extension-url) wins; otherwise the one `setup` configured through Graph.
  const resolveExtension = (clientAppId: string = EMULATOR_SIGN_IN_APP.appId): ExtensionResolution =>
    extension ? { kind: 'ready', extension } : resolveConfiguredExtension(objects, clientAppId);
  const signIn = createSignInService({ tenant, directory, extension: resolveExtension, now, logger, ...(options.fetch && { fetch: options.fetch }) });

  let url = '';
  const apps = createClientApps(tenant);
  let faults: GraphFaults = options.graph?.faults ?? {};
  const server = await buildEmulatorServer({
    tenant,
    directory,
    signIn,
    logger,
    baseUrl: () => url,
    graph: {
      apps,
      objects,
      budget: createWriteBudget(options.graph?.writeBudget),
      faults: () => faults,
      now,
      ...(options.graph?.directoryQuota !== undefined && { directoryQuota: options.graph.directoryQuota }),
    },
  });
  try {
    const address = await server.listen({ port: options.port ?? 7080, host: options.host ?? '127.0.0.1' });
    url = address.replace('://[::1]', '://localhost');
  } catch (error) {
    directory.close();
    throw error;
  }

  return {
    url,
    openIdConfigurationUrl: `${url}/${tenant.tenantId}/v2.0/.well-known/openid-configuration`,
    tenant,
    directory,
    signIn,
    configureExtension(settings) {
      extension = registerPasswordSubmitExtension(settings);
      return extension;
    },
    extension: () => {
      const resolution = resolveExtension();
      return resolution.kind === 'ready' ? resolution.extension : undefined;
    },
    objects,
    registerClientApp: (clientId, clientSecret) => apps.register(clientId, clientSecret),
    setGraphFaults(next) {
      faults = next;
    },
    calloutCount: () => signIn.calloutCount(),
    async close() {
      await server.close();
      directory.close();
    },
  };
}
