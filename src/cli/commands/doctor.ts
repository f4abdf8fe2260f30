import { InvalidArgumentError, type Command } from 'commander';
import type { DoctorCommandOptions } from '../actions/doctor.js';
import { collect, parseGuid, wholeNumberIn } from '../parse-options.js';

const parseCode = (value: string) => {
  const code = Number(value.replace(/^AADSTS/i, ''));
  if (!Number.isInteger(code)) throw new InvalidArgumentError('an error code such as 1003015.');
  return code;
};

export function registerDoctor(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('doctor')
    .description('check a deployment as Entra will use it, and say what is wrong with the sign-in error code it would cause')
    .option('--target-url <url>', "the extension's public endpoint, as given to setup")
    .option('--key-file <file>', "a key file serve holds (repeatable; default JIT_DECRYPTION_KEY_FILE)", collect(String), [] as string[])
    .option('--deadline-ms <ms>', "serve's RESPONSE_DEADLINE_MS (default: the environment's, else 1500)", wholeNumberIn(100, 2000))
    .option('--flag-attribute <name>', 'the flag the users carry (default MIGRATION_FLAG_ATTRIBUTE)')
    .option('--client-app-id <guid>', "a client application whose token issuance, OTP send and sign-up flow extensions are checked (repeatable; default the OnPasswordSubmit listener's)", collect(parseGuid), [] as string[])
    .option('--explain [code]', 'print the cause and fix of a sign-in error code (1003001…1003021); all of them without a code', parseCode)
    .option('--json', 'print the findings as JSON')
    .option('--env-file <file>', "a dotenv file of settings (KEY=value lines, e.g. setup --write-env's); the environment wins")
    .addHelpText(
      'after',
      `
With a tenant (AZURE_TENANT_ID or ENTRA_TENANT_ID) and Graph access (AZURE_CLIENT_ID…, as for setup) it also
checks the tenant: the custom extension for the URL, resource id and identifier URI, the permission grant, the
encryption certificate against the server's keys and its expiry, the listener and its flag, the timeout
against the deadline and the round trip, and with SIGNUP_COLLISION=link the LEGACY_ID_ATTRIBUTE input (hidden) on
the sign-up flows. For the client apps' OnTokenIssuanceStart and OTP send listeners and sign-up flow attribute
collection handlers: the extension exists with the right type, its route answers GET for its event, its resource id
names its host; token issuance claims are mapped by the app's claims mapping policy and acceptMappedClaims is set;
an OTP listener without fallback is a warning. Settings come from the environment, over --env-file.
Exit codes: 0 no problem (warnings allowed), 1 a problem found, 2 invalid options or settings.`,
    )
    .action(async (options: DoctorCommandOptions) => setExitCode(await (await import('../actions/doctor.js')).doctor(options)));
}
