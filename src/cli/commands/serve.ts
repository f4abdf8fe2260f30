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
  The legacy store: exactly one of LEGACY_DATABASE_URL, LEGACY_VERIFY_URL, LEGACY_LDAP_URL, LEGACY_ROPC_TOKEN_URL
  A SQL table of hashes (docs/legacy-stores.md)
  LEGACY_DATABASE_URL             sqlite://path | postgres://… | mysql://… | mariadb://…
  LEGACY_USER_QUERY               SQL with :username, :email, :objectId returning password_hash
                                  and optionally id, status, scheme, salt
  LEGACY_HASH_SCHEME              hash scheme for rows whose scheme column is empty (e.g. digest, hmac)
  LEGACY_HASH_PARAMS              JSON params for that scheme, e.g. {"algorithm":"sha256","saltPosition":"prefix"}
  LEGACY_HASH_LIMITS              JSON ceilings over the defaults, e.g. {"bcryptCost":15,"pbkdf2Iterations":3000000}
  A web service that checks passwords (docs/legacy-web-service.md)
  LEGACY_VERIFY_URL               where each check is POSTed as JSON; it answers {"valid": true|false, …}
  LEGACY_VERIFY_AUTH              bearer:<token> | basic:<user>:<password> | header:<Name>:<value>
  LEGACY_VERIFY_CLIENT_CERT_FILE  PEM client certificate for mutual TLS, with LEGACY_VERIFY_CLIENT_KEY_FILE
  LEGACY_VERIFY_CLIENT_KEY_FILE   its private key (PEM, unencrypted)
  LEGACY_VERIFY_CA_FILE           PEM CA certificate(s) of the service (a private CA)
  LEGACY_VERIFY_MODE              json (default) | status (2xx right, 401/403 wrong, 423 locked)
  LEGACY_VERIFY_HEALTH_URL        what /readyz GETs (default: an OPTIONS request to LEGACY_VERIFY_URL)
  A directory: OpenLDAP, Active Directory (docs/legacy-ldap.md)
  LEGACY_LDAP_URL                 ldaps://host[:port], or ldap://host[:port] with LEGACY_LDAP_STARTTLS=true
  LEGACY_LDAP_STARTTLS            true to upgrade ldap:// with StartTLS
  LEGACY_LDAP_CA_FILE             PEM CA certificate(s) of the directory
  LEGACY_LDAP_BIND_DN             search then bind: the service account (a DN, or a UPN for AD)
  LEGACY_LDAP_BIND_PASSWORD       its password
  LEGACY_LDAP_SEARCH_BASE         search then bind: the subtree searched
  LEGACY_LDAP_SEARCH_FILTER       search then bind: e.g. (|(mail={username})(uid={username}))
  LEGACY_LDAP_USER_DN_TEMPLATE    or direct bind: e.g. uid={username},ou=people,dc=example,dc=org
  LEGACY_LDAP_ID_ATTRIBUTE        the legacy id (default entryUUID; objectGUID for AD)
  An OpenID provider's password grant: B2C, Entra ID, Keycloak, Auth0, Okta (docs/legacy-b2c-and-oidc.md)
  LEGACY_ROPC_TOKEN_URL           the token endpoint
  LEGACY_ROPC_CLIENT_ID           the client id registered for the password grant
  LEGACY_ROPC_CLIENT_SECRET       its secret, for a confidential client
  LEGACY_ROPC_SCOPE               default openid (B2C: openid {client id})
  LEGACY_ALLOW_INSECURE_TRANSPORT true to allow http:// or ldap:// without StartTLS beyond this machine

  LEDGER_DATABASE_URL             where decisions are recorded (default sqlite://./data/ledger.db)
  ENTRA_OPENID_CONFIGURATION_URL  override Entra's OpenID metadata URL (http: only for loopback)
  RESPONSE_DEADLINE_MS            answer within this many ms of arrival (default 1500, 100–2000)
  ATTRIBUTE_COLLECTION_DEADLINE_MS  the sign-up events' deadline (default RESPONSE_DEADLINE_MS)
  TOKEN_ISSUANCE_DEADLINE_MS      OnTokenIssuanceStart's deadline (default RESPONSE_DEADLINE_MS)
  OTP_SEND_DEADLINE_MS            the one-time code send's deadline (default RESPONSE_DEADLINE_MS)

  Token claims for OnTokenIssuanceStart (docs/token-claims.md); legacyId comes from the ledger either way
  TOKEN_CLAIMS_QUERY              SQL on LEGACY_DATABASE_URL with :objectId, :email, :legacyId; each column a claim
  TOKEN_CLAIMS_URL                or, with LEGACY_VERIFY_URL: where {objectId, email, legacyId} is POSTed for claims
  TOKEN_CLAIMS_CACHE_SECONDS      reuse a user's claims this long (default 300, 0 = off)
  TOKEN_CLAIMS_ON_LEGACY_FAILURE  empty (default: token gets legacyId only) | fail (503: the sign-in fails)

  One-time codes by e-mail (docs/otp-email.md): exactly one of OTP_SMTP_URL, OTP_ACS_CONNECTION_STRING, OTP_ACS_ENDPOINT
  OTP_SMTP_URL                    smtps://user:password@host:465, or smtp://…:587 (STARTTLS required beyond loopback)
  OTP_ACS_CONNECTION_STRING       endpoint=https://<resource>.communication.azure.com/;accesskey=<key>
  OTP_ACS_ENDPOINT                https://<resource>.communication.azure.com, with a managed identity
  OTP_FROM                        the sender, e.g. "Contoso <codes@contoso.com>" (required with a provider)
  OTP_TEMPLATES_DIR               templates replacing the shipped en/fr/de/es: <locale>/strings.json, body.txt, body.html

  Attempt limits (docs/attempt-limits.md)
  ATTEMPT_LIMIT_PER_ACCOUNT       wrong passwords per sign-in name before "too many attempts" (default 10, 0 = off)
  ATTEMPT_WINDOW_SECONDS          from the first wrong password until the count ends (default 900)
  RATE_LIMIT_REDIS_URL            share the counts between replicas: rediss://[user:password@]host:port[/db]
  RATE_LIMIT_KEY_SECRET           with it: the HMAC key naming accounts in Redis, the same on every replica
  RATE_LIMIT_REDIS_TIMEOUT_MS     longest wait for Redis before counting in memory (default 100)
  STUFFING_SIGNAL_WRONG_PERCENT   warn and count when this share of a minute's passwords is wrong (default 80, 0 = off)
  STUFFING_SIGNAL_MIN_ATTEMPTS    only over a minute of at least this many attempts (default 60)
  STUFFING_SIGNAL_MODE            observe (default) | block: every sign-in "temporarily unavailable" while it holds

  MAX_CONNECTIONS                 connections held open at once (default 512); more are refused until some close
  METRICS_TOKEN                   serve GET /metrics (Prometheus) on PORT to Authorization: Bearer <token>
  METRICS_PORT                    or serve GET /metrics on a port of its own (behind METRICS_TOKEN if set too)
  OTEL_EXPORTER_OTLP_ENDPOINT     send traces and metrics over OTLP, with the SDK's OTEL_* settings (environment only)
  APPLICATIONINSIGHTS_CONNECTION_STRING
                                  send them to Application Insights (Azure Monitor distro; environment only)
  PORT                            the port to listen on (default 7071)
  HOST                            the interface to listen on (default 0.0.0.0)
  LOG_LEVEL                       fatal|error|warn|info|debug|trace|silent (default info)
  JIT_MESSAGES_FILE               JSON catalogue of titles/messages by locale

  Sign-up with an e-mail a legacy account owns (docs/sign-up.md)
  SIGNUP_COLLISION                block (default; off for a web service, a password grant or a DN template) | link | off
  SIGNUP_PREFILL                  true to prefill the attribute page from the legacy profile (default false)
  LEGACY_ID_ATTRIBUTE             with link: the attribute given the legacy id, e.g. extension_<app id>_legacyId
                                  (with block, also written on the accounts created below)
  With block, a colliding legacy account not yet in Entra is first created there as premigrate would (random
  password, flag true, ledger row) when ENTRA_TENANT_DOMAIN is set, with premigrate's Graph access settings:
  ENTRA_TENANT_DOMAIN             the domain that issues e-mail identities, e.g. contoso.onmicrosoft.com
  MIGRATION_FLAG_ATTRIBUTE        required with it: the flag set true, extension_<appIdWithoutHyphens>_toBeMigrated
  AZURE_CLIENT_ID                 the app registration it signs in as (User.ReadWrite.All); with neither a secret
                                  nor a certificate, a managed identity
  AZURE_CLIENT_SECRET             its client secret (required against the emulator)
  AZURE_CLIENT_CERTIFICATE_PATH   or a PEM file with its certificate and private key
  AZURE_TENANT_ID                 accepted if it names the tenant ENTRA_TENANT_ID names
  GRAPH_BASE_URL                  Graph's address (default https://graph.microsoft.com; http: only for loopback)
  AZURE_AUTHORITY_HOST            where tokens are asked for (default https://login.microsoftonline.com)

Routes: POST /events/password-submit (OnPasswordSubmit), GET /events/password-submit (probe),
        POST|GET /events/attribute-collection-start, POST|GET /events/attribute-collection-submit (sign-up),
        POST|GET /events/token-issuance-start (token claims), POST|GET /events/otp-send (with an OTP provider),
        GET /healthz (liveness), GET /readyz (keys, Entra metadata, legacy store, ledger),
        GET /metrics (with METRICS_TOKEN; on METRICS_PORT when that is set).

Exit codes: 0 stopped cleanly, 1 failed at run time (e.g. "port 7071 is in use; choose another with PORT"),
2 invalid settings (each printed on its own line).`;

export function registerServe(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('serve')
    .description('run the custom authentication extension: OnPasswordSubmit (MigratePassword, UpdatePassword, Retry or Block), the sign-up\'s attribute collection events, token claims (OnTokenIssuanceStart) and one-time codes by e-mail')
    .option('--env-file <file>', 'dotenv file of settings: KEY=value lines, as setup --write-env writes them')
    .option('-c, --config <file>', 'JSON file of settings: {"KEY": value, …}, keys as the environment variables')
    .addHelpText('after', SETTINGS_HELP)
    .action(async (options: ServeCommandOptions) => setExitCode(await (await import('../actions/serve.js')).serve(options)));
}
