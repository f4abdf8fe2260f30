import type { Command } from 'commander';
import { LOG_LEVELS, type LogLevel } from '../../config/log-levels.js';
import { InvalidArgumentError } from 'commander';
import type { EmulateCommandOptions, SignUpAttributeOption } from '../actions/emulate.js';
import { parseGuid, parseLogLevel, parsePort, parseShare, parseTimeoutMs, wholeNumberIn } from '../parse-options.js';

/** The client id `emulate` registers for Graph unless told otherwise; its secret is kept with the directory file. */
const DEFAULT_GRAPH_CLIENT_ID = '00000000-0000-4000-8000-00000000c11e';

/**
 * `--signup-attribute NAME[:TYPE][:hidden]`, repeatable: a custom attribute the sign-up flow collects, e.g.
 * `extension_<appId without hyphens>_legacyId:string:hidden`. TYPE is string (default), boolean or int64.
 */
function collectSignUpAttribute(value: string, previous: SignUpAttributeOption[] = []): SignUpAttributeOption[] {
  const [name = '', ...rest] = value.split(':');
  const hidden = rest.at(-1) === 'hidden';
  const types = hidden ? rest.slice(0, -1) : rest;
  const dataType = types[0] ?? 'string';
  if (types.length > 1 || !['string', 'boolean', 'int64'].includes(dataType)) {
    throw new InvalidArgumentError('write NAME[:TYPE][:hidden], TYPE one of string, boolean, int64');
  }
  return [...previous, { name, dataType: dataType as SignUpAttributeOption['dataType'], hidden }];
}

/** `--graph-503-retry-after`: whole seconds, or `none` for 503s without the header (commander keeps no null). */
const parseRetryAfter = (value: string): number | 'none' => (value === 'none' ? 'none' : wholeNumberIn(0, 3600)(value));

export function registerEmulate(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('emulate')
    .description('run the local Entra External ID emulator: OpenID metadata, JWKS, sign-in, sign-up and "Forgot password" pages, their callouts, and Graph')
    .option('--port <port>', 'port to listen on (0 = any free port)', parsePort, 7080)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--tenant-id <guid>', "the emulated tenant id (default: the directory file's, or a new one)", parseGuid)
    .option('--directory <file>', "SQLite file keeping the emulated tenant: users, ids, keys, secrets, app registrations, extensions, listeners (':memory:' keeps nothing)", ':memory:')
    .option('--extension-url <url>', 'the OnPasswordSubmit extension to call, e.g. http://127.0.0.1:7071/events/password-submit')
    .option('--extension-app-id <guid>', "the extension's app id: the callout token's aud and the flag attribute's app", parseGuid)
    .option('--extension-certificate <file>', 'PEM certificate whose public key encrypts the password context')
    .option('--extension-timeout-ms <ms>', "the extension's timeoutInMilliseconds (200–2000)", parseTimeoutMs, 2000)
    .option('--attribute-collection-start-url <url>', 'the OnAttributeCollectionStart extension the sign-up flow calls, e.g. http://127.0.0.1:7071/events/attribute-collection-start (with the --extension-* options)')
    .option('--attribute-collection-submit-url <url>', 'the OnAttributeCollectionSubmit extension the sign-up flow calls (with the --extension-* options)')
    .option('--signup-attribute <name[:type][:hidden]>', 'a custom attribute the sign-up page collects, e.g. extension_<appId>_legacyId:string:hidden (repeatable)', collectSignUpAttribute)
    .option('--forget-extension', 'drop the extension an earlier start on this --directory kept (setup\'s listener applies instead)')
    .option('--graph-client-id <guid>', 'the app registration allowed to call the emulated Graph (its secret is printed at start)', parseGuid, DEFAULT_GRAPH_CLIENT_ID)
    .option('--new-graph-secret', 'print a new AZURE_CLIENT_SECRET instead of the one kept in the --directory file')
    .option('--graph-writes-per-app <n>', "Graph writes one app may make per window (Graph: ~3,000 per 150 s)", wholeNumberIn(1, 100_000_000), 3000)
    .option('--graph-writes-per-tenant <n>', 'Graph writes all apps together may make per window', wholeNumberIn(1, 100_000_000), 18000)
    .option('--graph-window-seconds <s>', 'the throttling window', wholeNumberIn(1, 3600), 150)
    .option('--graph-resource-units-per-app <n>', "Graph resource units one app may spend per 10 s, reads and writes (Graph: 3,500 under 50 users, 5,000 up to 500, 8,000 above; the default follows the tenant's size)", wholeNumberIn(1, 100_000_000))
    .option('--graph-quota <objects>', 'the directory object quota: users beyond it are refused (Directory_QuotaExceeded), GET /beta/organization reports it', wholeNumberIn(1, 100_000_000), 300_000)
    .option('--graph-503-rate <share>', 'share of Graph writes answered 503 before they run: nothing is written (fault injection)', parseShare, 0)
    .option('--graph-503-after-write-rate <share>', 'share of Graph writes that run and are then answered 503: the object exists though the answer says it failed', parseShare, 0)
    .option('--graph-503-retry-after <seconds>', "Retry-After of the injected 503s, in seconds, or 'none' (a transient failure rather than throttling)", parseRetryAfter, 1)
    .option('--graph-latency-ms <ms>', 'latency added to every Graph request', wholeNumberIn(0, 60_000), 0)
    .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, parseLogLevel, 'info' as LogLevel)
    .addHelpText(
      'after',
      `
The emulator prints its OpenID configuration URL: give it to the extension as ENTRA_OPENID_CONFIGURATION_URL and
ENTRA_TENANT_ID. The three --extension-* options together register the extension for OnPasswordSubmit; without
them the emulator calls the extension setup configured through its Graph (listener, custom extension), if any.
With them, --attribute-collection-start-url, --attribute-collection-submit-url and --signup-attribute give the
sign-up page (/signup) its attribute collection extensions and custom attributes.

Graph (for premigrate, setup, doctor): the emulator prints GRAPH_BASE_URL, AZURE_AUTHORITY_HOST, AZURE_CLIENT_ID and
AZURE_CLIENT_SECRET to use. Writes beyond --graph-writes-per-app or --graph-writes-per-tenant per window, and requests
beyond --graph-resource-units-per-app per 10 s (a GET of a user costs 1, a list 2), are answered 429 with Retry-After,
as Graph throttles. Like Graph, it refuses users carrying an extension attribute no extension
property defines (run setup first) and users beyond --graph-quota.

With --directory <file>, a restart is the same tenant: the same tenant id, signing keys, AZURE_CLIENT_SECRET,
app registrations, extension property, custom extension, listener and users. The file holds private keys and
secrets and is created readable by its owner only (0600).

Exit codes: 0 stopped by SIGINT/SIGTERM; 1 could not start (the port is in use: choose another with --port);
2 a bad option (nothing was started).`,
    )
    .action(async (options: EmulateCommandOptions) => setExitCode(await (await import('../actions/emulate.js')).emulate(options)));
}
