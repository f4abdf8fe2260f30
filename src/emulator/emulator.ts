import type { Logger } from 'pino';
import { silentLogger } from '../common/logger.js';
import { openDirectory, type Directory } from './directory.js';
import { registerPasswordSubmitExtension, type ExtensionSettings, type PasswordSubmitExtension } from './extension-registration.js';
import { buildEmulatorServer } from './http/build-emulator-server.js';
import { createSignInService, type SignInService } from './sign-in.js';
import { createTenant, type EmulatedTenant } from './tenant.js';

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
  const signIn = createSignInService({ tenant, directory, extension: () => extension, now, logger, ...(options.fetch && { fetch: options.fetch }) });

  let url = '';
  const server = await buildEmulatorServer({ tenant, directory, signIn, logger, baseUrl: () => url });
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
    extension: () => extension,
    calloutCount: () => signIn.calloutCount(),
    async close() {
      await server.close();
      directory.close();
    },
  };
}
