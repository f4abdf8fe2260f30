import { isLoopbackHost } from '../common/loopback.js';
import { ConfigError } from './errors.js';
import { readGraphAccess, type GraphAccessSettings } from './graph-access.js';
import { LOG_LEVELS, type LogLevel } from './log-levels.js';
import { readLegacyStore, readSqlStoreSettings, type LegacyStoreReaders, type SqlStoreSettings } from './legacy-store-settings.js';
import { readLdapSettings, type LdapSettings } from './legacy-ldap-settings.js';
import { readRopcSettings, type RopcSettings } from './legacy-ropc-settings.js';
import { readWebServiceSettings, type WebServiceSettings } from './legacy-web-service-settings.js';
import { readOtpSettings, type OtpSettings } from './otp-settings.js';
import { SettingsReader, type RawSettings } from './settings.js';
import { readTokenClaimsSettings, type TokenClaimsSettings } from './token-claims-settings.js';

/** Where the private key(s) that decrypt `encryptedPasswordContext` come from. */
export type DecryptionKeySource =
  | { kind: 'files'; paths: readonly string[] }
  | { kind: 'inline'; pem: string };

/** Everything `entra-migrate serve` needs, validated and frozen. */
export interface ServeConfig {
  readonly port: number;
  readonly host: string;
  /**
   * `GET /metrics` (Prometheus): METRICS_TOKEN, a bearer token a scrape must send; METRICS_PORT, a port of its own
   * for it (same HOST). With neither, there is no /metrics: the figures are never public by accident.
   */
  readonly metrics: { readonly token: string | undefined; readonly port: number | undefined };
  readonly tenantId: string;
  readonly extensionAppId: string;
  /**
   * The extension's identifier URI, `api://{host}/{appId}` (ENTRA_EXTENSION_RESOURCE_ID; `setup --write-env` writes
   * it). When set, it is the only URI accepted as a token's or a password context's `aud` besides the app id; unset,
   * an `api://` URI is accepted only for the host the request was sent to.
   */
  readonly extensionResourceId: string | undefined;
  /** Overrides Entra's OpenID metadata URLs (for the emulator); undefined = the tenant's real ones. */
  readonly openIdConfigurationUrl: string | undefined;
  readonly decryptionKeys: DecryptionKeySource;
  /** A key that never leaves Key Vault (`JIT_DECRYPTION_KEY_VAULT_KEY_ID`), with its certificate for the `x5t`. */
  readonly decryptionKeyVault: { readonly keyId: string; readonly certificateFile: string | undefined } | null;
  /** The legacy system that checks passwords: exactly one of the four kinds (see legacy-store-settings.ts). */
  readonly legacy: LegacyStoreSettings;
  readonly ledgerDatabaseUrl: string;
  /** OnPasswordSubmit's deadline (RESPONSE_DEADLINE_MS), and every other event's unless its own is set. */
  readonly responseDeadlineInMs: number;
  /** Each other event's deadline, in ms from arrival to answer: its `*_DEADLINE_MS`, else RESPONSE_DEADLINE_MS. */
  readonly eventDeadlinesInMs: EventDeadlines;
  /**
   * Connections held at once (MAX_CONNECTIONS): at the cap a new connection closes the oldest one with no request in
   * progress (server/connection-cap.ts); only when every one is mid-request is the new one refused.
   */
  readonly maxConnections: number;
  readonly logLevel: LogLevel;
  /** A JSON file of titles and messages by locale, replacing the built-in catalogue's entries. */
  readonly messagesFile: string | undefined;
  /** The scheme and params for hashes whose row names none (LEGACY_HASH_SCHEME, LEGACY_HASH_PARAMS). */
  readonly hashDefaults: { scheme: string | undefined; params: Readonly<Record<string, unknown>> };
  /** Ceilings on hash cost parameters, over the built-in ones (LEGACY_HASH_LIMITS, a JSON object of numbers). */
  readonly hashLimits: Readonly<Record<string, number>>;
  /** The sign-up events' policies (docs/sign-up.md). */
  readonly signUp: SignUpSettings;
  /**
   * How SIGNUP_COLLISION=block creates a colliding legacy account not yet in Entra, as premigrate would:
   * ENTRA_TENANT_DOMAIN and MIGRATION_FLAG_ATTRIBUTE with the Graph access settings premigrate reads. Null when
   * neither of the two is set: the block page is then shown without creating anything.
   */
  readonly signUpGraph: SignUpGraphSettings | null;
  /** OnTokenIssuanceStart's claims from the legacy system (TOKEN_CLAIMS_*); null: the token gets only `legacyId`. */
  readonly tokenClaims: TokenClaimsSettings | null;
  /** One-time codes through our own e-mail provider (OTP_*); null: the otp-send route is not served. */
  readonly otp: OtpSettings | null;
  /** Wrong passwords allowed per account, and where they are counted (docs/attempt-limits.md). */
  readonly attemptLimits: AttemptLimitSettings;
}

/** The per-account attempt limit (issue 15): ATTEMPT_LIMIT_PER_ACCOUNT, ATTEMPT_WINDOW_SECONDS, RATE_LIMIT_*. */
export interface AttemptLimitSettings {
  /** ATTEMPT_LIMIT_PER_ACCOUNT: wrong passwords answered Retry in a window; 0 switches the limit off. */
  readonly perAccount: number;
  /** ATTEMPT_WINDOW_SECONDS, in ms: from the first wrong password counted until the count ends. */
  readonly windowInMs: number;
  /** Counts shared by every replica through Redis; null: each replica counts in its own memory. */
  readonly redis: {
    /** RATE_LIMIT_REDIS_URL (may hold a password: never logged). */
    readonly url: string;
    /** RATE_LIMIT_KEY_SECRET: the key of the HMAC that names accounts in Redis, the same on every replica. */
    readonly keySecret: string;
    /** RATE_LIMIT_REDIS_TIMEOUT_MS: longest wait for one Redis call before counting in memory instead. */
    readonly timeoutInMs: number;
  } | null;
  /**
   * The tenant-wide credential-stuffing signal, per replica: STUFFING_SIGNAL_WRONG_PERCENT ÷ 100 and
   * STUFFING_SIGNAL_MIN_ATTEMPTS; null when the percentage is 0 (off).
   */
  readonly stuffingSignal: {
    readonly wrongShare: number;
    readonly minAttempts: number;
    /** STUFFING_SIGNAL_MODE: `observe` (a line and a count) or `block` (also every attempt answered unavailable while it holds). */
    readonly mode: 'observe' | 'block';
  } | null;
}

/** The deadlines of the events other than OnPasswordSubmit (each extension has its own timeoutInMilliseconds). */
export interface EventDeadlines {
  /** ATTRIBUTE_COLLECTION_DEADLINE_MS: both sign-up events, start and submit. */
  readonly attributeCollection: number;
  /** TOKEN_ISSUANCE_DEADLINE_MS */
  readonly tokenIssuanceStart: number;
  /** OTP_SEND_DEADLINE_MS */
  readonly otpSend: number;
}

/** What `serve` does when someone signs up with an e-mail a legacy account owns (issue 11, docs/sign-up.md). */
export interface SignUpSettings {
  /** SIGNUP_COLLISION: `block` (default where the store can look an address up), `link` or `off`. */
  readonly collision: 'block' | 'link' | 'off';
  /** SIGNUP_PREFILL: prefill the attribute page from the legacy profile. */
  readonly prefill: boolean;
  /** LEGACY_ID_ATTRIBUTE: the attribute that receives the legacy id under `link` (`extension_{appId}_legacyId`). */
  readonly legacyIdAttribute: string | undefined;
}

/** The Graph settings and premigrate's user body settings, for the accounts sign-up creates. */
export interface SignUpGraphSettings extends GraphAccessSettings {
  /** ENTRA_TENANT_DOMAIN: the issuer of e-mail identities, e.g. contoso.onmicrosoft.com. */
  readonly tenantDomain: string;
  /** MIGRATION_FLAG_ATTRIBUTE: extension_<appIdNoHyphens>_toBeMigrated, set true on each account created. */
  readonly flagAttribute: string;
}

/** An Entra attribute name: a built-in one or a directory extension `extension_{appId without dashes}_{name}`. */
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,255}$/;

/** The ceilings LEGACY_HASH_LIMITS may set (see legacy/hashes/limits.ts for their meaning and defaults). */
const HASH_LIMIT_NAMES = [
  'bcryptCost', 'pbkdf2Iterations', 'argon2MemoryKiB', 'argon2TimeCost', 'argon2Parallelism', 'scryptN', 'scryptR', 'scryptP', 'cryptRounds', 'passwordBytes',
] as const;

/** Default port: the one Azure Functions uses locally, so a listener set up for either works with the other. */
const DEFAULT_PORT = 7071;
/**
 * Default deadline, in ms from arrival to answer. Entra waits `timeoutInMilliseconds` (at most 2000 ms) and a late
 * answer fails the sign-in; 1500 ms leaves 500 ms for the network when the extension is set to 2000 ms.
 */
const DEFAULT_RESPONSE_DEADLINE_IN_MS = 1500;
/**
 * Default connection cap. Entra makes at most 50 calls a second per tenant, each answered within 2 s: about 100
 * requests in flight, plus a retry each. 512 is five times that, leaves room for keep-alive connections and probes,
 * and stays well under the usual limit of 1,024 open files, so a flood of idle sockets runs into the cap before it
 * runs the process out of file descriptors (and the ledger and legacy database out of connections).
 */
const DEFAULT_MAX_CONNECTIONS = 512;
/**
 * Default wrong passwords per account and window: the contract (10 in 900 s). Ten covers a user trying the
 * few passwords they have used for years, each twice; an attacker gets 10 guesses per 15 minutes per name, about
 * 1,000 a day, against the millions a stuffing list holds.
 */
const DEFAULT_ATTEMPT_LIMIT_PER_ACCOUNT = 10;
/** Default window, in seconds: 15 minutes, as the issue sets; long enough to slow guessing, short enough to forgive. */
const DEFAULT_ATTEMPT_WINDOW_IN_SECONDS = 900;
/**
 * Default time limit of one Redis call, in ms: a Redis on the same network answers in 1 or 2 ms, but the wait is wall
 * time inside a busy process (or a container held by its CPU quota), where 50 ms was seen taking a healthy Redis for
 * down under saturation (npm run bench:scale). 100 ms costs at most 7% of the default 1.5 s deadline before the count
 * falls back to memory, and only while Redis hangs.
 */
const DEFAULT_RATE_LIMIT_REDIS_TIMEOUT_IN_MS = 100;
/**
 * Default share of wrong passwords over a minute that raises the credential-stuffing signal, in percent. The users of
 * a migration mostly type their own password (Entra calls only when it differs from the random one); a replayed list
 * is almost all wrong passwords and unknown names. 80% sits far above the first and below the second.
 */
const DEFAULT_STUFFING_SIGNAL_WRONG_PERCENT = 80;
/** Default attempts a minute must hold before its share counts: one a second, so a few typos at night never do. */
const DEFAULT_STUFFING_SIGNAL_MIN_ATTEMPTS = 60;
/** Shortest RATE_LIMIT_KEY_SECRET: 128 bits as a random base64 string, as METRICS_TOKEN. */
const MIN_RATE_LIMIT_KEY_SECRET_LENGTH = 22;
/** The embedded ledger: a SQLite file in ./data, created on first start. */
export const DEFAULT_LEDGER_DATABASE_URL = 'sqlite://./data/ledger.db';

/** Every kind of legacy store `serve` can ask, tagged by kind. */
export type LegacyStoreSettings =
  | SqlStoreSettings
  | { readonly kind: 'web-service'; readonly webService: WebServiceSettings }
  | { readonly kind: 'ldap'; readonly ldap: LdapSettings }
  | { readonly kind: 'ropc'; readonly ropc: RopcSettings };

const LEGACY_STORE_READERS: LegacyStoreReaders<LegacyStoreSettings> = {
  LEGACY_DATABASE_URL: readSqlStoreSettings,
  // A kind's reader returns undefined only after reporting its problems, and then loadServeConfig throws.
  LEGACY_VERIFY_URL: (read, allowInsecure) => ({ kind: 'web-service', webService: readWebServiceSettings(read, allowInsecure)! }),
  LEGACY_LDAP_URL: (read, allowInsecure) => ({ kind: 'ldap', ldap: readLdapSettings(read, allowInsecure)! }),
  LEGACY_ROPC_TOKEN_URL: (read, allowInsecure) => ({ kind: 'ropc', ropc: readRopcSettings(read, allowInsecure)! }),
};


/**
 * Reads the `serve` configuration from environment variables (names are the public contract). Every problem is
 * reported at once in a {@link ConfigError}, one line per setting.
 *
 * @example
 *   const config = loadServeConfig(process.env);
 */
export function loadServeConfig(raw: RawSettings): ServeConfig {
  const read = new SettingsReader(raw);

  const port = read.integer('PORT', { default: DEFAULT_PORT, min: 0, max: 65535 });
  const host = read.optional('HOST') ?? '0.0.0.0';
  const tenantId = read.guid('ENTRA_TENANT_ID', 'the directory (tenant) id of your External ID tenant');
  const extensionAppId = read.guid('ENTRA_EXTENSION_APP_ID', "the application (client) id of the extension's app registration");
  // Read in this order so problems are reported in it; the legacy store is needed again by the sign-up settings.
  const extensionResourceId = readResourceId(read, extensionAppId);
  const openIdConfigurationUrl = read.url('ENTRA_OPENID_CONFIGURATION_URL');
  const decryptionKeys = readDecryptionKeys(read);
  const decryptionKeyVault = readKeyVaultKey(read);
  const problemsBeforeLegacy = read.problems.length;
  const legacy = readLegacyStore<LegacyStoreSettings>(read, LEGACY_STORE_READERS) as LegacyStoreSettings;
  // The claims settings check the legacy store they need only when it was read without problems.
  const legacyRead = read.problems.length === problemsBeforeLegacy ? legacy : undefined;
  const responseDeadlineInMs = readDeadline(read, 'RESPONSE_DEADLINE_MS', DEFAULT_RESPONSE_DEADLINE_IN_MS);
  const config: ServeConfig = {
    port,
    host,
    metrics: readMetrics(read, port),
    tenantId,
    extensionAppId,
    extensionResourceId,
    openIdConfigurationUrl,
    decryptionKeys,
    decryptionKeyVault,
    legacy,
    ledgerDatabaseUrl: read.optional('LEDGER_DATABASE_URL') ?? DEFAULT_LEDGER_DATABASE_URL,
    responseDeadlineInMs,
    eventDeadlinesInMs: Object.freeze({
      attributeCollection: readDeadline(read, 'ATTRIBUTE_COLLECTION_DEADLINE_MS', responseDeadlineInMs),
      tokenIssuanceStart: readDeadline(read, 'TOKEN_ISSUANCE_DEADLINE_MS', responseDeadlineInMs),
      otpSend: readDeadline(read, 'OTP_SEND_DEADLINE_MS', responseDeadlineInMs),
    }),
    maxConnections: read.integer('MAX_CONNECTIONS', { default: DEFAULT_MAX_CONNECTIONS, min: 1, max: 65535 }),
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    messagesFile: read.optional('JIT_MESSAGES_FILE'),
    hashDefaults: { scheme: read.optional('LEGACY_HASH_SCHEME'), params: read.jsonObject('LEGACY_HASH_PARAMS') ?? {} },
    hashLimits: readHashLimits(read),
    signUp: readSignUp(read, legacy),
    signUpGraph: readSignUpGraph(read, raw),
    tokenClaims: readTokenClaimsSettings(read, legacyRead),
    otp: readOtpSettings(read),
    attemptLimits: readAttemptLimits(read),
  };

  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return Object.freeze(config);
}

/**
 * ATTEMPT_LIMIT_PER_ACCOUNT, ATTEMPT_WINDOW_SECONDS and the Redis that shares the counts. RATE_LIMIT_KEY_SECRET is
 * required with RATE_LIMIT_REDIS_URL: without a key shared by the replicas, each would name an account differently
 * (and a plain hash would let anyone who reads Redis find the addresses again from a list). `redis://` in clear is
 * accepted for loopback only, as the other URLs: the Redis password and the counts would cross the network readable.
 */
function readAttemptLimits(read: SettingsReader): AttemptLimitSettings {
  const perAccount = read.integer('ATTEMPT_LIMIT_PER_ACCOUNT', { default: DEFAULT_ATTEMPT_LIMIT_PER_ACCOUNT, min: 0, max: 1000 });
  const windowInMs = read.integer('ATTEMPT_WINDOW_SECONDS', { default: DEFAULT_ATTEMPT_WINDOW_IN_SECONDS, min: 1, max: 86_400, unit: 's' }) * 1000;
  const url = read.optional('RATE_LIMIT_REDIS_URL');
  const keySecret = read.optional('RATE_LIMIT_KEY_SECRET');
  const timeoutInMs = read.integer('RATE_LIMIT_REDIS_TIMEOUT_MS', { default: DEFAULT_RATE_LIMIT_REDIS_TIMEOUT_IN_MS, min: 1, max: 1000, unit: 'ms' });
  const wrongPercent = read.integer('STUFFING_SIGNAL_WRONG_PERCENT', { default: DEFAULT_STUFFING_SIGNAL_WRONG_PERCENT, min: 0, max: 100, unit: '%' });
  const minAttempts = read.integer('STUFFING_SIGNAL_MIN_ATTEMPTS', { default: DEFAULT_STUFFING_SIGNAL_MIN_ATTEMPTS, min: 1, max: 1_000_000 });
  const mode = read.oneOf('STUFFING_SIGNAL_MODE', ['observe', 'block'] as const, 'observe');
  if (wrongPercent === 0 && mode === 'block') read.report('STUFFING_SIGNAL_MODE', 'cannot be block with STUFFING_SIGNAL_WRONG_PERCENT=0 (the signal off)');
  const stuffingSignal = wrongPercent === 0 ? null : Object.freeze({ wrongShare: wrongPercent / 100, minAttempts, mode });
  if (url === undefined) {
    if (keySecret !== undefined) read.report('RATE_LIMIT_KEY_SECRET', 'goes with RATE_LIMIT_REDIS_URL (in memory, each process draws its own key)');
    return Object.freeze({ perAccount, windowInMs, redis: null, stuffingSignal });
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    read.report('RATE_LIMIT_REDIS_URL', 'is not a URL: expected rediss://[user:password@]host:port[/db]');
  }
  if (parsed && parsed.protocol !== 'rediss:' && !(parsed.protocol === 'redis:' && isLoopbackHost(parsed.hostname))) {
    read.report('RATE_LIMIT_REDIS_URL', 'must be a rediss: URL (TLS); redis: is accepted only for localhost, 127.0.0.1 or [::1]');
  }
  if (keySecret === undefined) {
    read.report('RATE_LIMIT_KEY_SECRET', `is required with RATE_LIMIT_REDIS_URL, the same on every replica: at least ${MIN_RATE_LIMIT_KEY_SECRET_LENGTH} characters (e.g. openssl rand -base64 24)`);
  } else if (keySecret.length < MIN_RATE_LIMIT_KEY_SECRET_LENGTH) {
    read.report('RATE_LIMIT_KEY_SECRET', `must be at least ${MIN_RATE_LIMIT_KEY_SECRET_LENGTH} characters (e.g. openssl rand -base64 24)`);
  }
  if (perAccount === 0) read.report('RATE_LIMIT_REDIS_URL', 'has nothing to count with ATTEMPT_LIMIT_PER_ACCOUNT=0 (the limit off): unset one of them');
  return Object.freeze({ perAccount, windowInMs, redis: Object.freeze({ url, keySecret: keySecret ?? '', timeoutInMs }), stuffingSignal });
}

/** Shortest METRICS_TOKEN: 128 bits of a random base64 string. */
const MIN_METRICS_TOKEN_LENGTH = 22;

function readMetrics(read: SettingsReader, port: number): ServeConfig['metrics'] {
  const token = read.optional('METRICS_TOKEN');
  if (token !== undefined && token.length < MIN_METRICS_TOKEN_LENGTH) {
    read.report('METRICS_TOKEN', `must be at least ${MIN_METRICS_TOKEN_LENGTH} characters (e.g. openssl rand -base64 24)`);
  }
  const metricsPort = read.optional('METRICS_PORT') === undefined ? undefined : read.integer('METRICS_PORT', { default: 0, min: 0, max: 65535 });
  if (metricsPort !== undefined && metricsPort === port && port !== 0) read.report('METRICS_PORT', 'must differ from PORT (the callouts\' port); or leave it unset and set METRICS_TOKEN');
  return Object.freeze({ token, port: metricsPort });
}

/** What checking a password against the legacy store needs: the store, its deadline and the hash settings. */
export type LegacyStoreConfig = Pick<ServeConfig, 'legacy' | 'responseDeadlineInMs' | 'hashDefaults' | 'hashLimits'>;

/**
 * Reads only the settings of the legacy store `serve` checks passwords against — the store, RESPONSE_DEADLINE_MS,
 * LEGACY_HASH_SCHEME, LEGACY_HASH_PARAMS, LEGACY_HASH_LIMITS — read exactly as loadServeConfig reads them, for the
 * commands that ask the store without being the extension (`hash survey --check`).
 *
 * @example
 *   const authority = await openLegacyAuthority(loadLegacyStoreConfig(process.env), logger);
 */
export function loadLegacyStoreConfig(raw: RawSettings): LegacyStoreConfig {
  const read = new SettingsReader(raw);
  const legacy = readLegacyStore<LegacyStoreSettings>(read, LEGACY_STORE_READERS) as LegacyStoreSettings;
  const config: LegacyStoreConfig = {
    legacy,
    responseDeadlineInMs: readDeadline(read, 'RESPONSE_DEADLINE_MS', DEFAULT_RESPONSE_DEADLINE_IN_MS),
    hashDefaults: { scheme: read.optional('LEGACY_HASH_SCHEME'), params: read.jsonObject('LEGACY_HASH_PARAMS') ?? {} },
    hashLimits: readHashLimits(read),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return Object.freeze(config);
}

/** A deadline in ms from arrival to answer: Entra never waits longer than 2000 ms; a later answer is a failed sign-in. */
function readDeadline(read: SettingsReader, setting: string, fallback: number): number {
  return read.integer(setting, { default: fallback, min: 100, max: 2000, unit: 'ms' });
}

/** `api://{host}/{appId}`, as Entra requires of a custom extension's identifier URI (1003014). */
const RESOURCE_ID = /^api:\/\/((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?::\d{1,5})?)\/([0-9a-f-]{36})$/i;

function readResourceId(read: SettingsReader, appId: string): string | undefined {
  const resourceId = read.optional('ENTRA_EXTENSION_RESOURCE_ID');
  if (resourceId === undefined) return undefined;
  const match = RESOURCE_ID.exec(resourceId);
  if (!match) {
    read.report('ENTRA_EXTENSION_RESOURCE_ID', `must be the extension's identifier URI api://{host}/{appId}, e.g. api://auth.contoso.com/${appId || '<app id>'}`);
  } else if (appId && match[2]!.toLowerCase() !== appId) {
    read.report('ENTRA_EXTENSION_RESOURCE_ID', `must end in the app id ENTRA_EXTENSION_APP_ID (${appId}), not ${match[2]}`);
  }
  return resourceId;
}

const KEY_VAULT_KEY_ID = /^https:\/\/[a-z0-9-]{3,24}\.vault(?:core)?\.[a-z0-9.-]+\/keys\/[A-Za-z0-9-]{1,127}(?:\/[0-9a-f]{32})?$/;

function readKeyVaultKey(read: SettingsReader): ServeConfig['decryptionKeyVault'] {
  const keyId = read.optional('JIT_DECRYPTION_KEY_VAULT_KEY_ID');
  const certificateFile = read.optional('JIT_DECRYPTION_KEY_VAULT_CERTIFICATE_FILE');
  if (!keyId) {
    if (certificateFile) read.report('JIT_DECRYPTION_KEY_VAULT_CERTIFICATE_FILE', 'goes with JIT_DECRYPTION_KEY_VAULT_KEY_ID');
    return null;
  }
  if (!KEY_VAULT_KEY_ID.test(keyId)) read.report('JIT_DECRYPTION_KEY_VAULT_KEY_ID', 'must be a Key Vault key id, https://<vault>.vault.azure.net/keys/<name>[/<version>]');
  return Object.freeze({ keyId, certificateFile });
}

function readDecryptionKeys(read: SettingsReader): DecryptionKeySource {
  const files = read.optional('JIT_DECRYPTION_KEY_FILE');
  const pem = read.optional('JIT_DECRYPTION_KEY');
  if (files && pem) {
    read.report('JIT_DECRYPTION_KEY', 'set either JIT_DECRYPTION_KEY_FILE or JIT_DECRYPTION_KEY, not both');
  }
  if (files) {
    const paths = files.split(',').map((path) => path.trim()).filter(Boolean);
    return { kind: 'files', paths };
  }
  if (pem) {
    if (!pem.includes('-----BEGIN')) read.report('JIT_DECRYPTION_KEY', 'must be PEM text: a private key in a BEGIN PRIVATE KEY (or BEGIN RSA PRIVATE KEY) block');
    // Environments often flatten newlines to the two characters "\n"; PEM needs real ones.
    return { kind: 'inline', pem: pem.replace(/\\n/g, '\n') };
  }
  if (read.optional('JIT_DECRYPTION_KEY_VAULT_KEY_ID')) return { kind: 'files', paths: [] };
  read.report(
    'JIT_DECRYPTION_KEY_FILE',
    'is required (or JIT_DECRYPTION_KEY, or JIT_DECRYPTION_KEY_VAULT_KEY_ID): the private key whose certificate is on the extension app registration; `entra-migrate keys generate` makes one',
  );
  return { kind: 'files', paths: [] };
}

/**
 * SIGNUP_COLLISION, SIGNUP_PREFILL and LEGACY_ID_ATTRIBUTE. A web service, a password grant, or a directory bound
 * by DN template cannot look an account up by e-mail: there SIGNUP_COLLISION defaults to `off`, and `block`,
 * `link` or SIGNUP_PREFILL=true stop start-up naming the setting.
 */
function readSignUp(read: SettingsReader, legacy: LegacyStoreSettings | undefined): SignUpSettings {
  const canLookUp = legacy === undefined || legacy.kind === 'sql' || (legacy.kind === 'ldap' && legacy.ldap?.lookup?.kind === 'search');
  const collision = read.oneOf('SIGNUP_COLLISION', ['block', 'link', 'off'] as const, canLookUp ? 'block' : 'off');
  const prefill = read.oneOf('SIGNUP_PREFILL', ['true', 'false'] as const, 'false') === 'true';
  const legacyIdAttribute = read.optional('LEGACY_ID_ATTRIBUTE');
  if (!canLookUp) {
    const why = `the legacy store cannot look an account up by e-mail (only LEGACY_DATABASE_URL and LEGACY_LDAP_SEARCH_FILTER can)`;
    if (collision !== 'off') read.report('SIGNUP_COLLISION', `must be off: ${why}`);
    if (prefill) read.report('SIGNUP_PREFILL', `must be false: ${why}`);
  }
  if (legacyIdAttribute !== undefined && !ATTRIBUTE_NAME.test(legacyIdAttribute)) {
    read.report('LEGACY_ID_ATTRIBUTE', 'must be an attribute name such as extension_<app id without dashes>_legacyId');
  }
  if (collision === 'link' && legacyIdAttribute === undefined) {
    read.report('LEGACY_ID_ATTRIBUTE', 'is required with SIGNUP_COLLISION=link: the attribute that receives the legacy id, e.g. extension_<app id without dashes>_legacyId');
  }
  return Object.freeze({ collision, prefill, legacyIdAttribute });
}

const FLAG = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,100}$/;
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/**
 * ENTRA_TENANT_DOMAIN — the setting only account creation reads — switches it on; MIGRATION_FLAG_ATTRIBUTE is then
 * required too, and the Graph access settings are read as premigrate reads them. MIGRATION_FLAG_ATTRIBUTE alone does
 * not: `setup --write-env` writes it into serve's settings for `doctor`, and a serve started from them must not stop.
 * AZURE_CLIENT_ID and its secret alone do not either: `DefaultAzureCredential` reads them for
 * JIT_DECRYPTION_KEY_VAULT_KEY_ID too. The tenant must be ENTRA_TENANT_ID's: a token from another would write
 * elsewhere. The Graph settings are read by a reader of their own, so that a setting both read (ENTRA_TENANT_ID)
 * gets one problem line, not two.
 */
function readSignUpGraph(read: SettingsReader, raw: RawSettings): SignUpGraphSettings | null {
  const tenantDomain = read.optional('ENTRA_TENANT_DOMAIN');
  const flagAttribute = read.optional('MIGRATION_FLAG_ATTRIBUTE');
  if (flagAttribute !== undefined && !FLAG.test(flagAttribute)) read.report('MIGRATION_FLAG_ATTRIBUTE', 'must look like extension_<32 hex digits>_toBeMigrated (the name `entra-migrate setup` prints)');
  if (tenantDomain === undefined) return null;
  if (!DOMAIN.test(tenantDomain)) read.report('ENTRA_TENANT_DOMAIN', 'must be a domain name such as contoso.onmicrosoft.com');
  if (flagAttribute === undefined) {
    read.report('MIGRATION_FLAG_ATTRIBUTE', 'is required with ENTRA_TENANT_DOMAIN: sign-up creates a colliding legacy account in Entra (SIGNUP_COLLISION=block) with the flag true, as premigrate does; set it, or unset ENTRA_TENANT_DOMAIN');
  }
  const graphRead = new SettingsReader(raw);
  const access = readGraphAccess(graphRead);
  for (const { setting, problem } of graphRead.problems) {
    if (!read.problems.some((known) => known.setting === setting)) read.report(setting, problem);
  }
  return Object.freeze({ ...access, tenantDomain: tenantDomain ?? '', flagAttribute: flagAttribute ?? '' });
}

function readHashLimits(read: SettingsReader): Record<string, number> {
  const limits = read.jsonObject('LEGACY_HASH_LIMITS') ?? {};
  for (const [name, value] of Object.entries(limits)) {
    if (!(HASH_LIMIT_NAMES as readonly string[]).includes(name)) {
      read.report('LEGACY_HASH_LIMITS', `has an unknown ceiling "${name.slice(0, 40)}"; known: ${HASH_LIMIT_NAMES.join(', ')}`);
    } else if (!Number.isSafeInteger(value) || (value as number) < 1) {
      read.report('LEGACY_HASH_LIMITS', `${name} must be a positive whole number`);
    }
  }
  return limits as Record<string, number>;
}
