import { createPublicKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isLoopbackUrl } from '../../common/loopback.js';
import { ConfigError, loadGraphAccessConfig, loadSettings } from '../../config/index.js';
import { appCredential, createGraphClient } from '../../graph/index.js';
import { loadKeyRing } from '../../security/index.js';
import { removeSetup, runSetup, serveSettings, type SetupStep } from '../../setup/index.js';
import { serveSettingEntries } from '../../setup/index.js';
import type { SetupEvent } from '../../setup/events.js';
import { ExitCode } from '../exit-codes.js';
import { reportError } from '../report-error.js';
import { readServeSettingsFile, writeServeSettingsFile } from '../serve-settings-file.js';
import { fileProblem } from '../../common/file-problem.js';

export interface SetupCommandOptions {
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
  envFile?: string;
  dryRun?: boolean;
  json?: boolean;
  remove?: boolean;
  removeExtension?: boolean;
  retireOldKeys?: boolean;
  signupAttributes?: boolean;
  flow?: string;
  legacyIdName: string;
  /** `--events`: default password-submit. */
  events?: SetupEvent[];
  /** `--claims`, with token-issuance-start. */
  claims?: string[];
  /** `--no-otp-fallback` sets it false. */
  otpFallback?: boolean;
}

/** `entra-migrate setup`: provisions (or, with --remove, takes away) JIT migration in the tenant. */
export async function setup(options: SetupCommandOptions): Promise<number> {
  try {
    const access = loadGraphAccessConfig(loadSettings({ env: process.env, envFile: options.envFile }));
    const graph = createGraphClient({ baseUrl: access.graphBaseUrl, credential: appCredential({ authorityHost: access.authorityHost, tenantId: access.tokenTenantId, ...access.app }).credential });
    if (options.remove) {
      const steps = await removeSetup({ graph, dryRun: options.dryRun === true, targetUrl: options.targetUrl, removeExtension: options.removeExtension === true, ...(options.events && { events: options.events }), extensionAppName: options.extensionAppName });
      print(options, steps, undefined);
      return ExitCode.OK;
    }
    const problems = [];
    if (!options.certificate) problems.push({ setting: '--certificate', problem: 'is required: the certificate Entra encrypts passwords to (keys generate writes one)' });
    if (options.clientAppId.length === 0) problems.push({ setting: '--client-app-id', problem: 'is required at least once: the application whose sign-ins migrate users' });
    const events = options.events ?? ['password-submit'];
    if (options.flow && !options.signupAttributes && !events.includes('attribute-collection')) problems.push({ setting: '--flow', problem: 'chooses the sign-up flow for --signup-attributes or --events attribute-collection; add one of them' });
    if (events.includes('token-issuance-start') && !options.claims?.length) problems.push({ setting: '--claims', problem: 'is required with --events token-issuance-start: the claims the extension returns, e.g. --claims legacyId,roles' });
    if (options.claims?.length && !events.includes('token-issuance-start')) problems.push({ setting: '--claims', problem: 'names the claims of token-issuance-start; add it to --events' });
    if (options.otpFallback === false && !events.includes('otp-send')) problems.push({ setting: '--no-otp-fallback', problem: 'applies to otp-send; add it to --events' });
    if (problems.length > 0) throw new ConfigError(problems);
    if (options.writeEnv) readServeSettingsFile(options.writeEnv); // a file setup could not update stops it before the tenant changes
    const certificateDer = await readCertificate(options.certificate!);
    await checkKeysMatch(options.keyFile, certificateDer);
    const result = await runSetup({
      graph,
      dryRun: options.dryRun === true,
      targetUrl: options.targetUrl,
      certificateDer,
      ...(options.extensionAppId && { extensionAppId: options.extensionAppId }),
      extensionAppName: options.extensionAppName,
      clientAppIds: options.clientAppId,
      flagName: options.flagName,
      timeoutInMs: options.timeoutMs,
      maximumRetries: options.retries,
      retireOldKeys: options.retireOldKeys === true,
      ...(options.signupAttributes && { signUpAttributes: { legacyIdName: options.legacyIdName, ...(options.flow && { flowId: options.flow }) } }),
      events,
      ...(options.claims && { claims: options.claims }),
      otpFallback: options.otpFallback !== false,
      ...(options.flow && events.includes('attribute-collection') && { flowId: options.flow }),
    });
    const settingsInput = {
      tenantId: access.tenantId,
      result,
      keyFiles: options.keyFile,
      // The emulator serves its OpenID metadata on its own address; real tenants use serve's default.
      ...(isLoopbackUrl(access.authorityHost) && { openIdConfigurationUrl: `${access.authorityHost.replace(/\/+$/, '')}/${access.tenantId}/v2.0/.well-known/openid-configuration` }),
    };
    const settings = serveSettings(settingsInput);
    if (options.writeEnv && !options.dryRun) {
      try {
        await writeServeSettingsFile(options.writeEnv, serveSettingEntries(settingsInput));
      } catch (error) {
        print({ ...options, writeEnv: undefined }, result.steps, settings); // the tenant is set up: keep the settings on screen
        return reportError('setup', error);
      }
    }
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
    throw new ConfigError([{ setting: '--certificate', problem: `${path}: ${fileProblem(error)}` }]);
  }
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(content.toString('latin1'))?.[0];
  try {
    return new Uint8Array(new X509Certificate(pem ?? content).raw);
  } catch {
    throw new ConfigError([{ setting: '--certificate', problem: `${path} holds no X.509 certificate (PEM or DER)` }]);
  }
}

/**
 * With --key-file, one of the keys must be the certificate's: otherwise Entra would encrypt to a key serve does not
 * hold, and every sign-in would fail — caught here rather than at the first migration.
 */
async function checkKeysMatch(keyFiles: readonly string[], certificateDer: Uint8Array): Promise<void> {
  if (keyFiles.length === 0) return;
  const wanted = new X509Certificate(certificateDer).publicKey.export({ type: 'spki', format: 'der' });
  const sources = await Promise.all(
    keyFiles.map(async (path) => {
      try {
        return { pem: await readFile(path, 'utf8'), source: path };
      } catch (error) {
        throw new ConfigError([{ setting: '--key-file', problem: `${path}: ${fileProblem(error)}` }]);
      }
    }),
  );
  const ring = loadKeyRing(sources);
  const matches = ring.keys.some((key) => key.privateKey && createPublicKey(key.privateKey).export({ type: 'spki', format: 'der' }).equals(wanted));
  if (!matches) throw new ConfigError([{ setting: '--key-file', problem: `none of ${keyFiles.join(', ')} holds the private key of --certificate; serve could not decrypt what Entra encrypts to it` }]);
}
