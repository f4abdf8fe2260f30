import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { isLoopbackUrl } from '../../common/loopback.js';
import { ConfigError, loadGraphAccessConfig } from '../../config/index.js';
import { appCredential, createGraphClient } from '../../graph/index.js';
import { removeSetup, runSetup, serveSettings, type SetupStep } from '../../setup/index.js';
import { ExitCode } from '../exit-codes.js';
import { parseGuid, parseTimeoutMs } from '../parse-options.js';
import { reportError } from '../report-error.js';

interface SetupCommandOptions {
  targetUrl: string;
  certificate?: string;
  clientAppId: string[];
  extensionAppId?: string;
  extensionAppName: string;
  flagName: string;
  timeoutMs: number;
  retries: 0 | 1;
  keyFile: string[];
  writeEnv?: string;
  dryRun?: boolean;
  json?: boolean;
  remove?: boolean;
  removeExtension?: boolean;
}

const parseTargetUrl = (value: string) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('a URL such as https://auth.contoso.com/events/password-submit.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackUrl(value))) throw new InvalidArgumentError('Entra calls https only (http is accepted on loopback, for the emulator).');
  return url.href;
};

const parseFlagName = (value: string) => {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,99}$/.test(value)) throw new InvalidArgumentError('a letter, then letters, digits or _.');
  return value;
};

const collect = <T>(parse: (value: string) => T) => (value: string, previous: T[]) => [...previous, parse(value)];

export function registerSetup(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('setup')
    .description('provision JIT migration in the tenant through Graph, idempotently: flag property, app registration, custom extension, listener')
    .requiredOption('--target-url <url>', "the extension's public endpoint, e.g. https://auth.contoso.com/events/password-submit", parseTargetUrl)
    .option('--certificate <file>', 'the encryption certificate: .cer, .cert.pem, or the .key.pem from keys generate')
    .option('--client-app-id <guid>', 'a client application whose sign-ins call the extension (repeatable)', collect(parseGuid), [] as string[])
    .option('--extension-app-id <guid>', "use this existing app registration for the extension", parseGuid)
    .option('--extension-app-name <name>', 'the app registration to find or create, by display name', 'entra-migrate JIT migration')
    .option('--flag-name <name>', 'the Boolean extension property on the b2c-extensions-app', parseFlagName, 'toBeMigrated')
    .option('--timeout-ms <ms>', "the extension's timeoutInMilliseconds (200–2000); keep it above serve's RESPONSE_DEADLINE_MS", parseTimeoutMs, 2000)
    .option('--retries <0|1>', "the extension's maximumRetries", (value: string) => {
      if (value !== '0' && value !== '1') throw new InvalidArgumentError('0 or 1.');
      return Number(value) as 0 | 1;
    }, 1 as const)
    .option('--key-file <file>', 'the private key file serve will use, written to the settings as JIT_DECRYPTION_KEY_FILE (repeatable)', collect(String), [] as string[])
    // Not --env-file: Node 20 takes that flag from anywhere on the command line and fails before we run.
    .option('--write-env <file>', 'write the settings serve needs to this .env file (mode 0600) instead of printing them')
    .option('--dry-run', 'read the tenant and print each request that would be sent; change nothing')
    .option('--json', 'print the steps and settings as JSON')
    .option('--remove', 'take the listener away (end of the migration); the users keep their flags')
    .option('--remove-extension', 'with --remove, delete the custom extension too')
    .addHelpText(
      'after',
      `
Graph access (environment): ENTRA_TENANT_ID, AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH
(or a managed identity), GRAPH_BASE_URL and AZURE_AUTHORITY_HOST (the emulator's URL for tests). The app needs
Application.ReadWrite.All, AppRoleAssignment.ReadWrite.All and CustomAuthenticationExtension.ReadWrite.All (or
EventListener.ReadWrite.All).

Each step is skipped when already in place, so run it again after any change. Exit codes: 0 done (or, with
--dry-run, nothing to change), 1 a Graph call failed, 2 invalid options or settings, 3 a dry run found changes.`,
    )
    .action(async (options: SetupCommandOptions) => setExitCode(await setup(options)));
}

async function setup(options: SetupCommandOptions): Promise<number> {
  try {
    const access = loadGraphAccessConfig(process.env);
    const graph = createGraphClient({ baseUrl: access.graphBaseUrl, credential: appCredential({ authorityHost: access.authorityHost, tenantId: access.tokenTenantId, ...access.app }).credential });
    if (options.remove) {
      const steps = await removeSetup({ graph, dryRun: options.dryRun === true, targetUrl: options.targetUrl, removeExtension: options.removeExtension === true });
      print(options, steps, undefined);
      return ExitCode.OK;
    }
    const problems = [];
    if (!options.certificate) problems.push({ setting: '--certificate', problem: 'is required: the certificate Entra encrypts passwords to (keys generate writes one)' });
    if (options.clientAppId.length === 0) problems.push({ setting: '--client-app-id', problem: 'is required at least once: the application whose sign-ins migrate users' });
    if (problems.length > 0) throw new ConfigError(problems);
    const result = await runSetup({
      graph,
      dryRun: options.dryRun === true,
      targetUrl: options.targetUrl,
      certificateDer: await readCertificate(options.certificate!),
      ...(options.extensionAppId && { extensionAppId: options.extensionAppId }),
      extensionAppName: options.extensionAppName,
      clientAppIds: options.clientAppId,
      flagName: options.flagName,
      timeoutInMs: options.timeoutMs,
      maximumRetries: options.retries,
    });
    const settings = serveSettings({
      tenantId: access.tenantId,
      result,
      keyFiles: options.keyFile,
      // The emulator serves its OpenID metadata on its own address; real tenants use serve's default.
      ...(isLoopbackUrl(access.authorityHost) && { openIdConfigurationUrl: `${access.authorityHost.replace(/\/+$/, '')}/${access.tenantId}/v2.0/.well-known/openid-configuration` }),
    });
    if (options.writeEnv && !options.dryRun) await writeFile(options.writeEnv, settings, { mode: 0o600 });
    print(options, result.steps, options.writeEnv && !options.dryRun ? undefined : settings);
    const changes = result.steps.some((step) => step.status.startsWith('would'));
    return options.dryRun && changes ? ExitCode.CHANGES_PENDING : ExitCode.OK;
  } catch (error) {
    return reportError('setup', error);
  }
}

function print(options: SetupCommandOptions, steps: SetupStep[], settings: string | undefined): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ steps, settings: settings ?? null, settingsFile: options.writeEnv ?? null }, null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  for (const step of steps) {
    lines.push(`${step.status.padEnd(12)} ${step.name}: ${step.detail}`);
    if (options.dryRun) for (const request of step.requests) lines.push(`             ${request.method} ${request.path}${request.body === undefined ? '' : `\n             ${JSON.stringify(request.body)}`}`);
  }
  if (settings) lines.push('', options.dryRun ? 'Settings serve would need:' : 'Settings for serve:', settings.trimEnd());
  else if (options.writeEnv) lines.push('', `Settings for serve written to ${options.writeEnv}.`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The certificate's DER from a .cer (DER), a PEM certificate, or a PEM file holding a key and its certificate. */
async function readCertificate(path: string): Promise<Uint8Array> {
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (error) {
    throw new ConfigError([{ setting: '--certificate', problem: `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(content.toString('latin1'))?.[0];
  try {
    return new Uint8Array(new X509Certificate(pem ?? content).raw);
  } catch {
    throw new ConfigError([{ setting: '--certificate', problem: `${path} holds no X.509 certificate (PEM or DER)` }]);
  }
}
