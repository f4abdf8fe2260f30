import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createLogger } from '../../common/logger.js';
import { LOG_LEVELS, type LogLevel } from '../../config/index.js';
import { startEmulator } from '../../emulator/index.js';
import { ExitCode } from '../exit-codes.js';
import { parseGuid, parseLogLevel, parsePort, parseTimeoutMs } from '../parse-options.js';
import { reportError } from '../report-error.js';
import { untilSignal } from '../until-signal.js';

interface EmulateCommandOptions {
  port: number;
  host: string;
  tenantId?: string;
  directory: string;
  extensionUrl?: string;
  extensionAppId?: string;
  extensionCertificate?: string;
  extensionTimeoutMs: number;
  logLevel: LogLevel;
}

export function registerEmulate(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('emulate')
    .description('run the local Entra External ID emulator: OpenID metadata, JWKS, sign-in page and OnPasswordSubmit callouts')
    .option('--port <port>', 'port to listen on (0 = any free port)', parsePort, 7080)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--tenant-id <guid>', 'the emulated tenant id (default: a new one each start)', parseGuid)
    .option('--directory <file>', "SQLite file holding the emulated directory's users (':memory:' keeps nothing)", ':memory:')
    .option('--extension-url <url>', 'the OnPasswordSubmit extension to call, e.g. http://127.0.0.1:7071/events/password-submit')
    .option('--extension-app-id <guid>', "the extension's app id: the callout token's aud and the flag attribute's app", parseGuid)
    .option('--extension-certificate <file>', 'PEM certificate whose public key encrypts the password context')
    .option('--extension-timeout-ms <ms>', "the extension's timeoutInMilliseconds (200–2000)", parseTimeoutMs, 2000)
    .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, parseLogLevel, 'info' as LogLevel)
    .addHelpText(
      'after',
      `
The emulator prints its OpenID configuration URL: give it to the extension as ENTRA_OPENID_CONFIGURATION_URL and
ENTRA_TENANT_ID. The three --extension-* options together register the extension for OnPasswordSubmit; without
them the emulator signs users in against its own directory only.`,
    )
    .action(async (options: EmulateCommandOptions) => setExitCode(await emulate(options)));
}

async function emulate(options: EmulateCommandOptions): Promise<number> {
  const extensionOptions = [options.extensionUrl, options.extensionAppId, options.extensionCertificate];
  if (extensionOptions.some((value) => value !== undefined) && !extensionOptions.every((value) => value !== undefined)) {
    process.stderr.write('entra-migrate emulate: --extension-url, --extension-app-id and --extension-certificate go together.\n');
    return ExitCode.USAGE;
  }
  const logger = createLogger({ level: options.logLevel });
  let emulator;
  try {
    emulator = await startEmulator({
      port: options.port,
      host: options.host,
      directoryPath: options.directory,
      logger,
      ...(options.tenantId && { tenantId: options.tenantId }),
    });
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
      '',
    ].join('\n'),
  );
  await untilSignal();
  await emulator.close();
  return ExitCode.OK;
}
