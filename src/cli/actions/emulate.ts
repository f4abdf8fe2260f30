import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createLogger } from '../../common/logger.js';
import type { LogLevel } from '../../config/index.js';
import { EMULATOR_SIGN_IN_APP, startEmulator } from '../../emulator/index.js';
import { ExitCode } from '../exit-codes.js';
import { reportError } from '../report-error.js';
import { untilSignal } from '../until-signal.js';

export interface EmulateCommandOptions {
  port: number;
  host: string;
  tenantId?: string;
  directory: string;
  extensionUrl?: string;
  extensionAppId?: string;
  extensionCertificate?: string;
  extensionTimeoutMs: number;
  graphClientId: string;
  graphWritesPerApp: number;
  graphWritesPerTenant: number;
  graphWindowSeconds: number;
  graphQuota: number;
  graph503Rate: number;
  graphLatencyMs: number;
  logLevel: LogLevel;
}

/** `entra-migrate emulate`: the local Entra and Graph until SIGINT/SIGTERM, printing the settings to use. */
export async function emulate(options: EmulateCommandOptions): Promise<number> {
  const extensionOptions = [options.extensionUrl, options.extensionAppId, options.extensionCertificate];
  if (extensionOptions.some((value) => value !== undefined) && !extensionOptions.every((value) => value !== undefined)) {
    process.stderr.write('entra-migrate emulate: --extension-url, --extension-app-id and --extension-certificate go together.\n');
    return ExitCode.USAGE;
  }
  const logger = createLogger({ level: options.logLevel });
  // A throwaway secret for a local emulator, printed so the user can paste it; nothing real is protected by it.
  const graphClientSecret = randomBytes(24).toString('base64url');
  let emulator;
  try {
    emulator = await startEmulator({
      port: options.port,
      host: options.host,
      directoryPath: options.directory,
      logger,
      ...(options.tenantId && { tenantId: options.tenantId }),
      graph: {
        writeBudget: { perApp: options.graphWritesPerApp, perTenant: options.graphWritesPerTenant, windowInMs: options.graphWindowSeconds * 1000 },
        faults: { serviceUnavailableRate: options.graph503Rate, latencyInMs: options.graphLatencyMs },
        directoryQuota: options.graphQuota,
      },
    });
    emulator.registerClientApp(options.graphClientId, graphClientSecret);
    if (options.extensionUrl && options.extensionAppId && options.extensionCertificate) {
      emulator.configureExtension({
        targetUrl: options.extensionUrl,
        appId: options.extensionAppId,
        encryptionCertificatePem: await readFile(options.extensionCertificate, 'utf8'),
        timeoutInMs: options.extensionTimeoutMs,
        maximumRetries: 1,
      });
    }
  } catch (error) {
    await emulator?.close();
    return reportError('emulate', error);
  }
  process.stdout.write(
    [
      '',
      'entra-migrate emulator is running.',
      `  Sign-in page:          ${emulator.url}`,
      `  ENTRA_TENANT_ID=${emulator.tenant.tenantId}`,
      `  ENTRA_OPENID_CONFIGURATION_URL=${emulator.openIdConfigurationUrl}`,
      options.extensionUrl ? `  OnPasswordSubmit →    ${options.extensionUrl}` : '  No extension registered (see --help).',
      `  Sign-in client app:    ${EMULATOR_SIGN_IN_APP.appId} (the listener must include it: setup --client-app-id)`,
      '  Graph (premigrate, setup, doctor):',
      `  GRAPH_BASE_URL=${emulator.url}`,
      `  AZURE_AUTHORITY_HOST=${emulator.url}`,
      `  ENTRA_TENANT_DOMAIN=${emulator.tenant.domain}`,
      `  AZURE_CLIENT_ID=${options.graphClientId}`,
      `  AZURE_CLIENT_SECRET=${graphClientSecret}`,
      '',
    ].join('\n'),
  );
  await untilSignal();
  await emulator.close();
  return ExitCode.OK;
}
