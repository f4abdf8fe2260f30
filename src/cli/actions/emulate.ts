import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createLogger } from '../../common/logger.js';
import { ConfigError, type LogLevel } from '../../config/index.js';
import { EMULATOR_SIGN_IN_APP, EmulatorError, EmulatorErrorCode, startEmulator, type EmulatorExtensionSettings, type RunningEmulator } from '../../emulator/index.js';
import { ExitCode } from '../exit-codes.js';
import { reportError } from '../report-error.js';
import { untilSignal } from '../until-signal.js';
import { fileProblem } from '../../common/file-problem.js';

export interface EmulateCommandOptions {
  port: number;
  host: string;
  tenantId?: string;
  directory: string;
  extensionUrl?: string;
  extensionAppId?: string;
  extensionCertificate?: string;
  extensionTimeoutMs: number;
  attributeCollectionStartUrl?: string;
  attributeCollectionSubmitUrl?: string;
  signupAttribute?: SignUpAttributeOption[];
  forgetExtension?: boolean;
  graphClientId: string;
  newGraphSecret?: boolean;
  graphWritesPerApp: number;
  graphWritesPerTenant: number;
  /** Resource units per app per 10 s; undefined follows the tenant's size, as Graph does. */
  graphResourceUnitsPerApp?: number;
  graphWindowSeconds: number;
  graphQuota: number;
  graph503Rate: number;
  graph503AfterWriteRate: number;
  /** Seconds, or `none` for 503s without Retry-After. */
  graph503RetryAfter: number | 'none';
  graphLatencyMs: number;
  logLevel: LogLevel;
}

/** One `--signup-attribute`. */
export interface SignUpAttributeOption {
  name: string;
  dataType: 'string' | 'boolean' | 'int64';
  hidden: boolean;
}

/**
 * `entra-migrate emulate`: the local Entra and Graph until SIGINT/SIGTERM. Everything is read and checked before it
 * listens (the certificate included), so "running" and the settings print only once it really runs. A directory
 * file keeps the tenant: a restart prints the same tenant id and Graph secret.
 */
export async function emulate(options: EmulateCommandOptions): Promise<number> {
  const extensionOptions = [options.extensionUrl, options.extensionAppId, options.extensionCertificate];
  if (extensionOptions.some((value) => value !== undefined) && !extensionOptions.every((value) => value !== undefined)) {
    process.stderr.write('entra-migrate emulate: --extension-url, --extension-app-id and --extension-certificate go together.\n');
    return ExitCode.USAGE;
  }
  const signUpOptions = [options.attributeCollectionStartUrl, options.attributeCollectionSubmitUrl, options.signupAttribute];
  if (signUpOptions.some((value) => value !== undefined) && !options.extensionCertificate) {
    process.stderr.write('entra-migrate emulate: --attribute-collection-start-url, --attribute-collection-submit-url and --signup-attribute need the --extension-* options (the app id the callouts are for).\n');
    return ExitCode.USAGE;
  }
  if (options.forgetExtension && options.extensionUrl) {
    process.stderr.write('entra-migrate emulate: --forget-extension and --extension-url contradict each other; give one.\n');
    return ExitCode.USAGE;
  }
  let emulator: RunningEmulator | undefined;
  try {
    const extension = options.extensionCertificate ? await extensionSettings(options) : options.forgetExtension ? null : undefined;
    emulator = await startEmulator({
      port: options.port,
      host: options.host,
      directoryPath: options.directory,
      logger: createLogger({ level: options.logLevel }),
      ...(options.tenantId && { tenantId: options.tenantId }),
      ...(extension !== undefined && { extension }),
      graph: {
        writeBudget: { perApp: options.graphWritesPerApp, perTenant: options.graphWritesPerTenant, windowInMs: options.graphWindowSeconds * 1000 },
        ...(options.graphResourceUnitsPerApp !== undefined && { readBudget: { perApp: options.graphResourceUnitsPerApp } }),
        faults: {
          serviceUnavailableRate: options.graph503Rate,
          serviceUnavailableAfterWriteRate: options.graph503AfterWriteRate,
          serviceUnavailableRetryAfterInSeconds: options.graph503RetryAfter === 'none' ? null : options.graph503RetryAfter,
          latencyInMs: options.graphLatencyMs,
        },
        directoryQuota: options.graphQuota,
      },
    });
  } catch (error) {
    return reportStartFailure(options, error);
  }
  // The same secret after a restart on the same directory file, unless a new one is asked for. A throwaway secret
  // for a local emulator, printed so the user can paste it; nothing real is protected by it.
  const kept = options.newGraphSecret ? undefined : emulator.clientSecretOf(options.graphClientId);
  const graphClientSecret = kept ?? randomBytes(24).toString('base64url');
  if (!kept) emulator.registerClientApp(options.graphClientId, graphClientSecret);
  process.stdout.write(startupLines(emulator, options, graphClientSecret).join('\n'));
  await untilSignal();
  await emulator.close();
  return ExitCode.OK;
}

/** The extension's settings, its certificate read now: a missing file stops the start before anything listens. */
async function extensionSettings(options: EmulateCommandOptions): Promise<EmulatorExtensionSettings> {
  let encryptionCertificatePem: string;
  try {
    encryptionCertificatePem = await readFile(options.extensionCertificate!, 'utf8');
  } catch (error) {
    throw new ConfigError([{ setting: '--extension-certificate', problem: `${options.extensionCertificate}: ${fileProblem(error)}; \`entra-migrate keys generate\` writes one` }]);
  }
  const signUp = {
    ...(options.attributeCollectionStartUrl && { attributeCollectionStartUrl: options.attributeCollectionStartUrl }),
    ...(options.attributeCollectionSubmitUrl && { attributeCollectionSubmitUrl: options.attributeCollectionSubmitUrl }),
    ...(options.signupAttribute && { customAttributes: options.signupAttribute }),
  };
  return {
    targetUrl: options.extensionUrl!,
    appId: options.extensionAppId!,
    encryptionCertificatePem,
    timeoutInMs: options.extensionTimeoutMs,
    maximumRetries: 1,
    ...(Object.keys(signUp).length > 0 && { signUp }),
  };
}

/** Why the emulator did not start, in words that say which option to change; 2 for a setting, 1 for the rest. */
function reportStartFailure(options: EmulateCommandOptions, error: unknown): number {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`entra-migrate emulate: port ${options.port} is in use on ${options.host}; choose another with --port (0 picks a free one).\n`);
    return ExitCode.FAILURE;
  }
  if (error instanceof EmulatorError && error.code === EmulatorErrorCode.STATE_CONFLICT) {
    process.stderr.write(`entra-migrate emulate: ${error.publicMessage} Start without --tenant-id to use it, or give another --directory for ${options.tenantId}.\n`);
    return ExitCode.USAGE;
  }
  if (error instanceof EmulatorError && error.code === EmulatorErrorCode.CONFIG_INVALID) {
    process.stderr.write(`entra-migrate emulate: ${error.publicMessage} Check the --extension-* options.\n`);
    return ExitCode.USAGE;
  }
  return reportError('emulate', error);
}

function startupLines(emulator: RunningEmulator, options: EmulateCommandOptions, graphClientSecret: string): string[] {
  const { objects, directory } = emulator;
  const state =
    options.directory === ':memory:'
      ? 'in memory: nothing is kept after exit (--directory <file> keeps it)'
      : emulator.restored
        ? `${options.directory} (restored: ${directory.countUsers()} users, ${objects.applications.size - 1} app registrations, ${objects.customExtensions.size} custom extensions, ${objects.listeners.size} listeners)`
        : `${options.directory} (a new tenant, kept in this file)`;
  const extension = emulator.extension();
  const signUp = emulator.signUpFlow();
  return [
    '',
    'entra-migrate emulator is running.',
    `  Directory:             ${state}`,
    `  Sign-in page:          ${emulator.url}`,
    `  ENTRA_TENANT_ID=${emulator.tenant.tenantId}`,
    `  ENTRA_OPENID_CONFIGURATION_URL=${emulator.openIdConfigurationUrl}`,
    extension ? `  OnPasswordSubmit →    ${extension.targetUrl}${options.extensionUrl ? '' : ' (kept from an earlier start; --forget-extension drops it)'}` : '  No extension registered (see --help).',
    `  Sign-up page:          ${emulator.url}/signup${signUp.start || signUp.submit ? '' : ' (no attribute collection extension)'}`,
    ...(signUp.start ? [`  OnAttributeCollectionStart →   ${signUp.start.targetUrl}`] : []),
    ...(signUp.submit ? [`  OnAttributeCollectionSubmit →  ${signUp.submit.targetUrl}`] : []),
    `  Sign-in client app:    ${EMULATOR_SIGN_IN_APP.appId} (the listener must include it: setup --client-app-id)`,
    '  Graph (premigrate, setup, doctor):',
    `  GRAPH_BASE_URL=${emulator.url}`,
    `  AZURE_AUTHORITY_HOST=${emulator.url}`,
    `  ENTRA_TENANT_DOMAIN=${emulator.tenant.domain}`,
    `  AZURE_CLIENT_ID=${options.graphClientId}`,
    `  AZURE_CLIENT_SECRET=${graphClientSecret}`,
    '',
  ];
}
