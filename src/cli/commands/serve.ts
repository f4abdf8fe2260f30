import type { Command } from 'commander';
import type { ServeCommandOptions } from '../actions/serve.js';

const SETTINGS_HELP = `
Settings: environment variables. Files may hold the same keys: --env-file a dotenv file (KEY=value lines, what
setup --write-env writes), --config a JSON object ({"PORT": 7071, …}). The environment wins over --env-file,
which wins over --config.

  ENTRA_TENANT_ID                 directory (tenant) id of the External ID tenant            (required)
  ENTRA_EXTENSION_APP_ID          app id of the extension's app registration                 (required)
  ENTRA_EXTENSION_RESOURCE_ID     the extension's identifier URI, api://{hostname}/{appId} (setup writes it)
  JIT_DECRYPTION_KEY_FILE         PEM private key file(s), comma-separated, PKCS#8 or PKCS#1; a certificate in
                                  the same file gives the key its x5t for selection during rotation
  JIT_DECRYPTION_KEY              the PEM text itself, instead of JIT_DECRYPTION_KEY_FILE
  JIT_DECRYPTION_KEY_VAULT_KEY_ID a Key Vault key (https://<vault>.vault.azure.net/keys/<name>[/<version>]) that
                                  unwraps the content key in the vault; the private key never leaves it
  JIT_DECRYPTION_KEY_VAULT_CERTIFICATE_FILE  that key's certificate (PEM), for its x5t
  The legacy store: exactly one of these four (docs/legacy-stores.md has each kind's own settings)
  LEGACY_DATABASE_URL             a SQL table of hashes: sqlite://path | postgres://… | mysql://… | mariadb://…
  LEGACY_USER_QUERY               with it: SQL with :username, :email, :objectId returning password_hash
                                  and optionally id, status, scheme, salt
  LEGACY_VERIFY_URL               a web service that checks passwords (POST JSON, answers {"valid": …})
  LEGACY_LDAP_URL                 a directory: ldaps://… or ldap://… with LEGACY_LDAP_STARTTLS=true
  LEGACY_ROPC_TOKEN_URL           an OpenID provider's token endpoint (password grant): B2C, Entra, Keycloak, …
  LEGACY_ALLOW_INSECURE_TRANSPORT true to allow http:// or ldap:// without StartTLS beyond this machine
  LEDGER_DATABASE_URL             where decisions are recorded (default sqlite://./data/ledger.db)
  ENTRA_OPENID_CONFIGURATION_URL  override Entra's OpenID metadata URL (http: only for loopback)
  RESPONSE_DEADLINE_MS            answer within this many ms of arrival (default 1500, 100–2000)
  MAX_CONNECTIONS                 connections held open at once (default 512); more are refused until some close
  PORT                            the port to listen on (default 7071)
  HOST                            the interface to listen on (default 0.0.0.0)
  LOG_LEVEL                       fatal|error|warn|info|debug|trace|silent (default info)
  JIT_MESSAGES_FILE               JSON catalogue of titles/messages by locale
  LEGACY_HASH_SCHEME              hash scheme for rows whose scheme column is empty (e.g. digest, hmac)
  LEGACY_HASH_PARAMS              JSON params for that scheme, e.g. {"algorithm":"sha256","saltPosition":"prefix"}
  LEGACY_HASH_LIMITS              JSON ceilings over the defaults, e.g. {"bcryptCost":15,"pbkdf2Iterations":3000000}

Routes: POST /events/password-submit (OnPasswordSubmit), GET /events/password-submit (probe),
        GET /healthz (liveness), GET /readyz (keys, Entra metadata, legacy store, ledger).

Exit codes: 0 stopped cleanly, 1 failed at run time (e.g. "port 7071 is in use; choose another with PORT"),
2 invalid settings (each printed on its own line).`;

export function registerServe(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('serve')
    .description('run the OnPasswordSubmit extension: answers Entra with MigratePassword, UpdatePassword, Retry or Block')
    .option('--env-file <file>', 'dotenv file of settings: KEY=value lines, as setup --write-env writes them')
    .option('-c, --config <file>', 'JSON file of settings: {"KEY": value, …}, keys as the environment variables')
    .addHelpText('after', SETTINGS_HELP)
    .action(async (options: ServeCommandOptions) => setExitCode(await (await import('../actions/serve.js')).serve(options)));
}
