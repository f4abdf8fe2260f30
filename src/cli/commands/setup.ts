import { InvalidArgumentError, type Command } from 'commander';
import { isLoopbackUrl } from '../../common/loopback.js';
import type { SetupCommandOptions } from '../actions/setup.js';
import { CLAIM_NAME_PATTERN } from '../../events/index.js';
import { parseSetupEvents, SETUP_EVENTS } from '../../setup/events.js';
import { collect, parseGuid, parseTimeoutMs } from '../parse-options.js';

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

const parseEvents = (value: string) => {
  const events = parseSetupEvents(value);
  if (typeof events === 'string') throw new InvalidArgumentError(`${events}.`);
  return events;
};

const parseClaims = (value: string) => {
  const claims = value.split(',').map((claim) => claim.trim()).filter(Boolean);
  if (value.length > 2000 || claims.length === 0 || claims.length > 50) throw new InvalidArgumentError('1 to 50 claim names, comma separated.');
  const bad = claims.find((claim) => !CLAIM_NAME_PATTERN.test(claim));
  if (bad !== undefined) throw new InvalidArgumentError(`${JSON.stringify(bad.slice(0, 40))} is not a claim name: a letter, then letters, digits, _ . or - (at most 128).`);
  return [...new Set(claims)];
};

export function registerSetup(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('setup')
    .description('provision JIT migration in the tenant through Graph, idempotently: flag property, app registration, custom extension, listener (and with --signup-attributes the sign-up flow\'s legacy id)')
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
    .option('--write-env <file>', "write the settings serve needs into this dotenv file instead of printing them: setup's keys are updated in place, every other line kept (mode 0600)")
    .option('--env-file <file>', 'read the Graph access settings from this dotenv file (KEY=value lines); the environment wins')
    .option('--dry-run', 'read the tenant and print each request that would be sent; change nothing')
    .option('--json', 'print the steps and settings as JSON')
    .option('--retire-old-keys', "remove the app registration's other encryption certificates (the last step of keys rotate)")
    .option('--signup-attributes', "for SIGNUP_COLLISION=link: put the legacy id (and the profile attributes the flow lacks) on the client applications' sign-up flow as hidden inputs")
    .option('--flow <id>', 'with --signup-attributes, the sign-up user flow to change when several are linked to the client applications', parseGuid)
    .option('--legacy-id-name <name>', 'with --signup-attributes, the legacy id\'s extension property on the b2c-extensions-app', parseFlagName, 'legacyId')
    .option('--events <list>', `the events to provision, comma separated: ${SETUP_EVENTS.join(', ')} (default password-submit); each extension targets /events/<event> on --target-url's origin`, parseEvents)
    .option('--claims <list>', 'with token-issuance-start (required there): the claims the extension returns, comma separated, e.g. legacyId,roles', parseClaims)
    .option('--no-otp-fallback', "with otp-send: leave the listener's behaviorOnError unset (Entra sends no code when the extension fails) instead of falling back to Microsoft's provider")
    .option('--remove', 'take the listener away (end of the migration; with --events, what setup added for those events); the users keep their flags')
    .option('--remove-extension', 'with --remove, delete the custom extension(s) too')
    .addHelpText(
      'after',
      `
Graph access (environment, or --env-file): the tenant in AZURE_TENANT_ID or ENTRA_TENANT_ID (both set must agree),
AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (or a managed identity), GRAPH_BASE_URL
and AZURE_AUTHORITY_HOST (the emulator's URL for tests). The app needs Application.ReadWrite.All,
AppRoleAssignment.ReadWrite.All, CustomAuthenticationExtension.ReadWrite.All and EventListener.ReadWrite.All
(with --signup-attributes or --events attribute-collection also IdentityUserFlow.ReadWrite.All; with
token-issuance-start also Policy.ReadWrite.ApplicationConfiguration); doctor needs only the .Read.All ones.

--events token-issuance-start --claims legacyId,roles: the OnTokenIssuanceStart extension (claimsForTokenConfiguration),
its listener for the client apps, a claims mapping policy (Source CustomClaimsProvider) assigned to each client app's
service principal, and acceptMappedClaims on each client app registration. otp-send: the OnOtpSend extension and an
onEmailOtpSendListener that falls back to Microsoft's e-mail provider on error (--no-otp-fallback: it does not).
attribute-collection: the start and submit extensions, set as the handlers of the client apps' sign-up flows
(--flow chooses one).

--write-env FILE sets ENTRA_TENANT_ID, ENTRA_EXTENSION_APP_ID, ENTRA_EXTENSION_RESOURCE_ID and
MIGRATION_FLAG_ATTRIBUTE (with --key-file JIT_DECRYPTION_KEY_FILE; with --signup-attributes
LEGACY_ID_ATTRIBUTE; against the emulator ENTRA_OPENID_CONFIGURATION_URL). Other lines, comments and their order stay as they are, new keys go at the end,
and the file is replaced atomically, so LEGACY_DATABASE_URL and the like survive a re-run after a key rotation.
The same file may be given to --env-file here and to serve --env-file.

Each step is skipped when already in place, so run it again after any change. Exit codes: 0 done (or, with
--dry-run, nothing to change), 1 a Graph call failed, 2 invalid options or settings, 3 a dry run found changes.`,
    )
    .action(async (options: SetupCommandOptions) => setExitCode(await (await import('../actions/setup.js')).setup(options)));
}
