import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadServeConfig, settingsFromFile, type RawSettings } from '../../src/config/index.js';

const valid: RawSettings = {
  ENTRA_TENANT_ID: 'AAAABBBB-0000-CCCC-1111-DDDD2222EEEE',
  ENTRA_EXTENSION_APP_ID: '00001111-aaaa-2222-bbbb-3333cccc4444',
  JIT_DECRYPTION_KEY_FILE: './keys/a.pem, ./keys/b.pem',
  LEGACY_DATABASE_URL: 'postgres://legacy@db/users',
  LEGACY_USER_QUERY: 'SELECT password_hash FROM users WHERE email = :username',
};

function problemsOf(raw: RawSettings): Array<[string, string]> {
  try {
    loadServeConfig(raw);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map(({ setting, problem }) => [setting, problem]);
  }
  return [];
}

test('config: a minimal valid environment gives defaults with their units', () => {
  const config = loadServeConfig(valid);
  assert.equal(config.port, 7071);
  assert.equal(config.tenantId, 'aaaabbbb-0000-cccc-1111-dddd2222eeee');
  assert.deepEqual(config.decryptionKeys, { kind: 'files', paths: ['./keys/a.pem', './keys/b.pem'] });
  assert.equal(config.ledgerDatabaseUrl, 'sqlite://./data/ledger.db');
  assert.equal(config.responseDeadlineInMs, 1500);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.openIdConfigurationUrl, undefined);
  assert.deepEqual(config.legacy, { kind: 'sql', url: 'postgres://legacy@db/users', userQuery: valid.LEGACY_USER_QUERY });
  assert.ok(Object.isFrozen(config));
});

test('config: each event takes RESPONSE_DEADLINE_MS as its deadline unless its own *_DEADLINE_MS is set', () => {
  assert.deepEqual(loadServeConfig({ ...valid, RESPONSE_DEADLINE_MS: '1200' }).eventDeadlinesInMs, { attributeCollection: 1200, tokenIssuanceStart: 1200, otpSend: 1200 });
  const config = loadServeConfig({ ...valid, ATTRIBUTE_COLLECTION_DEADLINE_MS: '900', TOKEN_ISSUANCE_DEADLINE_MS: '600', OTP_SEND_DEADLINE_MS: '1900' });
  assert.equal(config.responseDeadlineInMs, 1500);
  assert.deepEqual(config.eventDeadlinesInMs, { attributeCollection: 900, tokenIssuanceStart: 600, otpSend: 1900 });
});

test('config: an empty environment reports every required setting at once', () => {
  const settings = problemsOf({}).map(([setting]) => setting);
  // No legacy store at all is one problem naming the four settings that select one (legacy-store-settings.test.ts).
  assert.deepEqual(settings, ['ENTRA_TENANT_ID', 'ENTRA_EXTENSION_APP_ID', 'JIT_DECRYPTION_KEY_FILE', 'LEGACY_DATABASE_URL']);
});

const invalid: Array<[string, RawSettings, string, RegExp]> = [
  ['port not a number', { PORT: 'seventy' }, 'PORT', /whole number from 0 to 65535/],
  ['port out of range', { PORT: '70000' }, 'PORT', /whole number/],
  ['tenant not a GUID', { ENTRA_TENANT_ID: 'contoso.onmicrosoft.com' }, 'ENTRA_TENANT_ID', /GUID/],
  ['app id not a GUID', { ENTRA_EXTENSION_APP_ID: '1234' }, 'ENTRA_EXTENSION_APP_ID', /GUID/],
  ['metadata over plain http to a remote host', { ENTRA_OPENID_CONFIGURATION_URL: 'http://login.example.com/x' }, 'ENTRA_OPENID_CONFIGURATION_URL', /https/],
  ['metadata not a URL', { ENTRA_OPENID_CONFIGURATION_URL: 'not a url' }, 'ENTRA_OPENID_CONFIGURATION_URL', /not a URL/],
  ['deadline beyond what Entra waits', { RESPONSE_DEADLINE_MS: '5000' }, 'RESPONSE_DEADLINE_MS', /100 to 2000 ms/],
  ['deadline fractional', { RESPONSE_DEADLINE_MS: '1500.5' }, 'RESPONSE_DEADLINE_MS', /whole number/],
  ['token issuance deadline beyond what Entra waits', { TOKEN_ISSUANCE_DEADLINE_MS: '2001' }, 'TOKEN_ISSUANCE_DEADLINE_MS', /100 to 2000 ms/],
  ['OTP deadline below 100 ms', { OTP_SEND_DEADLINE_MS: '99' }, 'OTP_SEND_DEADLINE_MS', /100 to 2000 ms/],
  ['attribute collection deadline not a number', { ATTRIBUTE_COLLECTION_DEADLINE_MS: '1s' }, 'ATTRIBUTE_COLLECTION_DEADLINE_MS', /whole number/],
  ['unknown log level', { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', /one of fatal, error/],
  ['legacy URL scheme', { LEGACY_DATABASE_URL: 'mongodb://x/y' }, 'LEGACY_DATABASE_URL', /sqlite: postgres:/],
  ['query without parameters', { LEGACY_USER_QUERY: 'SELECT password_hash FROM users' }, 'LEGACY_USER_QUERY', /:username/],
  ['both key settings', { JIT_DECRYPTION_KEY: '-----BEGIN PRIVATE KEY-----\nx' }, 'JIT_DECRYPTION_KEY', /not both/],
];

for (const [name, override, setting, pattern] of invalid) {
  test(`config: ${name} → one problem naming ${setting}`, () => {
    const problems = problemsOf({ ...valid, ...override });
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.equal(problems[0]![0], setting);
    assert.match(problems[0]![1], pattern);
  });
}

test('config: http metadata is accepted for loopback hosts', () => {
  for (const host of ['127.0.0.1:7072', 'localhost:1', '[::1]:8080']) {
    const config = loadServeConfig({ ...valid, ENTRA_OPENID_CONFIGURATION_URL: `http://${host}/t/v2.0/.well-known/openid-configuration` });
    assert.ok(config.openIdConfigurationUrl?.startsWith('http://'));
  }
});

test('config: inline PEM with escaped newlines is restored; the PEM never appears in a problem', () => {
  const pem = '-----BEGIN PRIVATE KEY-----\\nMIIsecret\\n-----END PRIVATE KEY-----';
  const { JIT_DECRYPTION_KEY_FILE: _unused, ...rest } = valid;
  const config = loadServeConfig({ ...rest, JIT_DECRYPTION_KEY: pem });
  assert.deepEqual(config.decryptionKeys, { kind: 'inline', pem: pem.replace(/\\n/g, '\n') });
  const problems = problemsOf({ ...rest, JIT_DECRYPTION_KEY: 'MIIsecret-not-pem' });
  assert.equal(problems.length, 1);
  assert.ok(!problems[0]![1].includes('MIIsecret'));
});

test('config file: keys mirror the environment and the environment wins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'entra-migrate-config-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify({ ...valid, PORT: 8080, LOG_LEVEL: 'debug' }));
  const config = loadServeConfig(settingsFromFile(path, { LOG_LEVEL: 'warn' }));
  assert.equal(config.port, 8080);
  assert.equal(config.logLevel, 'warn');
});

test('config file: malformed, hostile and oversized files give a clear error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'entra-migrate-config-'));
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['broken.json', '{"PORT": ', /not valid JSON/],
    ['array.json', '[1,2]', /JSON object/],
    ['nested.json', '{"PORT": {"x": 1}}', /must be a string, number or boolean/],
    ['huge.json', Buffer.alloc(65 * 1024, 0x20), /larger than/],
  ];
  for (const [name, content, pattern] of cases) {
    const path = join(dir, name);
    writeFileSync(path, content);
    assert.throws(() => settingsFromFile(path, {}), (error: unknown) => error instanceof ConfigError && pattern.test(error.message));
  }
  assert.throws(() => settingsFromFile(join(dir, 'missing.json'), {}), /missing\.json: no such file/);
});

test('hash defaults and ceilings are read from JSON settings', () => {
  const config = loadServeConfig({
    ...valid,
    LEGACY_HASH_SCHEME: 'digest',
    LEGACY_HASH_PARAMS: '{"algorithm": "sha256", "saltPosition": "prefix"}',
    LEGACY_HASH_LIMITS: '{"bcryptCost": 15}',
  });
  assert.deepEqual(config.hashDefaults, { scheme: 'digest', params: { algorithm: 'sha256', saltPosition: 'prefix' } });
  assert.deepEqual(config.hashLimits, { bcryptCost: 15 });
  assert.deepEqual(loadServeConfig(valid).hashDefaults, { scheme: undefined, params: {} });
});

test('malformed hash params and ceilings are refused, naming the setting', () => {
  for (const [setting, value, problem] of [
    ['LEGACY_HASH_PARAMS', '{not json', /JSON object/],
    ['LEGACY_HASH_PARAMS', '[1, 2]', /JSON object/],
    ['LEGACY_HASH_PARAMS', `{"pad": "${'x'.repeat(20_000)}"}`, /16 KiB/],
    ['LEGACY_HASH_LIMITS', '{"bcryptCosts": 12}', /unknown ceiling "bcryptCosts"/],
    ['LEGACY_HASH_LIMITS', '{"bcryptCost": -1}', /positive whole number/],
    ['LEGACY_HASH_LIMITS', '{"bcryptCost": "12"}', /positive whole number/],
  ] as const) {
    const problems = problemsOf({ ...valid, [setting]: value });
    assert.ok(problems.some(([name, text]) => name === setting && problem.test(text)), `${setting}=${value.slice(0, 30)}: ${JSON.stringify(problems)}`);
  }
});

test('config: a Key Vault key replaces the key file; its id and certificate setting are checked', () => {
  const { JIT_DECRYPTION_KEY_FILE: _files, ...withoutFile } = valid;
  const keyId = 'https://contoso-jit.vault.azure.net/keys/jit-migration/0123456789abcdef0123456789abcdef';
  const config = loadServeConfig({ ...withoutFile, JIT_DECRYPTION_KEY_VAULT_KEY_ID: keyId, JIT_DECRYPTION_KEY_VAULT_CERTIFICATE_FILE: './jit.cert.pem' });
  assert.deepEqual(config.decryptionKeyVault, { keyId, certificateFile: './jit.cert.pem' });
  assert.deepEqual(config.decryptionKeys, { kind: 'files', paths: [] });
  assert.equal(loadServeConfig(valid).decryptionKeyVault, null);
  for (const bad of ['http://contoso.vault.azure.net/keys/jit', 'https://contoso.vault.azure.net/secrets/jit', 'https://evil.example/keys/jit', 'https://contoso.vault.azure.net/keys/jit/not-a-version']) {
    assert.deepEqual(problemsOf({ ...withoutFile, JIT_DECRYPTION_KEY_VAULT_KEY_ID: bad }).map(([setting]) => setting), ['JIT_DECRYPTION_KEY_VAULT_KEY_ID'], bad);
  }
  assert.deepEqual(problemsOf({ ...valid, JIT_DECRYPTION_KEY_VAULT_CERTIFICATE_FILE: './x.pem' }).map(([setting]) => setting), ['JIT_DECRYPTION_KEY_VAULT_CERTIFICATE_FILE']);
});

test('config: ENTRA_EXTENSION_RESOURCE_ID is the api://{host}/{appId} identifier URI of this app id', () => {
  const appId = valid.ENTRA_EXTENSION_APP_ID!;
  assert.equal(loadServeConfig(valid).extensionResourceId, undefined);
  for (const good of [`api://auth.contoso.com/${appId}`, `api://jit-fn.azurewebsites.net/${appId.toUpperCase()}`, `api://127.0.0.1:7071/${appId}`]) {
    assert.equal(loadServeConfig({ ...valid, ENTRA_EXTENSION_RESOURCE_ID: good }).extensionResourceId, good);
  }
  for (const bad of [
    `https://auth.contoso.com/${appId}`,
    `api://auth.contoso.com/00000000-0000-4000-8000-000000000000`,
    `api://auth.contoso.com/${appId}/extra`,
    `api://${appId}`,
    `api://user@auth.contoso.com/${appId}`,
    `api://auth contoso.com/${appId}`,
    appId,
  ]) {
    assert.deepEqual(problemsOf({ ...valid, ENTRA_EXTENSION_RESOURCE_ID: bad }).map(([setting]) => setting), ['ENTRA_EXTENSION_RESOURCE_ID'], bad);
  }
});

test('config: MAX_CONNECTIONS caps open connections, 512 by default', () => {
  assert.equal(loadServeConfig(valid).maxConnections, 512);
  assert.equal(loadServeConfig({ ...valid, MAX_CONNECTIONS: '64' }).maxConnections, 64);
  for (const bad of ['0', '-1', 'lots', '1.5']) assert.deepEqual(problemsOf({ ...valid, MAX_CONNECTIONS: bad }).map(([setting]) => setting), ['MAX_CONNECTIONS'], bad);
});

test('config: no /metrics unless METRICS_TOKEN or METRICS_PORT; a short token or the callouts\' port is refused, never quoted', () => {
  assert.deepEqual(loadServeConfig(valid).metrics, { token: undefined, port: undefined });
  const token = 'aB3-dE6-gH9-jK2-mN5-pQ8';
  assert.deepEqual(loadServeConfig({ ...valid, METRICS_TOKEN: token }).metrics, { token, port: undefined });
  assert.deepEqual(loadServeConfig({ ...valid, METRICS_PORT: '9464' }).metrics, { token: undefined, port: 9464 });
  const short = problemsOf({ ...valid, METRICS_TOKEN: 'short-secret-value' });
  assert.deepEqual(short.map(([setting]) => setting), ['METRICS_TOKEN']);
  assert.ok(!short[0]![1].includes('short-secret-value'), 'the problem never quotes the token');
  assert.deepEqual(problemsOf({ ...valid, PORT: '7071', METRICS_PORT: '7071' }).map(([setting]) => setting), ['METRICS_PORT']);
  for (const bad of ['-1', '65536', 'nine', '80.5']) assert.deepEqual(problemsOf({ ...valid, METRICS_PORT: bad }).map(([setting]) => setting), ['METRICS_PORT'], bad);
});

const FLAG_ATTRIBUTE = 'extension_0000111122223333444455556666aaaa_toBeMigrated';

test('config: sign-up account creation is off without ENTRA_TENANT_DOMAIN, even with AZURE_CLIENT_ID and a secret (Key Vault reads them) or the flag (setup --write-env writes it for doctor)', () => {
  assert.equal(loadServeConfig(valid).signUpGraph, null);
  assert.equal(loadServeConfig({ ...valid, AZURE_CLIENT_ID: '00001111-aaaa-2222-bbbb-3333cccc5555', AZURE_CLIENT_SECRET: 's3cret-value' }).signUpGraph, null);
  assert.equal(loadServeConfig({ ...valid, MIGRATION_FLAG_ATTRIBUTE: FLAG_ATTRIBUTE }).signUpGraph, null);
  assert.deepEqual(problemsOf({ ...valid, MIGRATION_FLAG_ATTRIBUTE: 'toBeMigrated' }).map(([setting]) => setting), ['MIGRATION_FLAG_ATTRIBUTE'], 'a malformed flag is still a problem');
});

test('config: both creation settings read the Graph access settings as premigrate does', () => {
  const { signUpGraph } = loadServeConfig({
    ...valid,
    ENTRA_TENANT_DOMAIN: 'contoso.onmicrosoft.com',
    MIGRATION_FLAG_ATTRIBUTE: FLAG_ATTRIBUTE,
    AZURE_CLIENT_ID: '00001111-aaaa-2222-bbbb-3333cccc5555',
    AZURE_CLIENT_SECRET: 's3cret-value',
    GRAPH_BASE_URL: 'http://127.0.0.1:7080',
    AZURE_AUTHORITY_HOST: 'http://127.0.0.1:7080',
  });
  assert.deepEqual(signUpGraph, {
    tenantId: 'aaaabbbb-0000-cccc-1111-dddd2222eeee',
    tokenTenantId: 'aaaabbbb-0000-cccc-1111-dddd2222eeee',
    graphBaseUrl: 'http://127.0.0.1:7080/',
    authorityHost: 'http://127.0.0.1:7080/',
    app: { clientId: '00001111-aaaa-2222-bbbb-3333cccc5555', clientSecret: 's3cret-value' },
    tenantDomain: 'contoso.onmicrosoft.com',
    flagAttribute: FLAG_ATTRIBUTE,
  });
  // Neither credential: a managed identity, with Graph's and the authority's real addresses.
  const managed = loadServeConfig({ ...valid, ENTRA_TENANT_DOMAIN: 'contoso.onmicrosoft.com', MIGRATION_FLAG_ATTRIBUTE: FLAG_ATTRIBUTE }).signUpGraph;
  assert.deepEqual([managed?.app, managed?.graphBaseUrl], [{}, 'https://graph.microsoft.com']);
});

test('config: ENTRA_TENANT_DOMAIN without the flag, or creation settings that are wrong, are problems naming the setting; never the secret', () => {
  const cases: Array<[RawSettings, string, RegExp]> = [
    [{ ENTRA_TENANT_DOMAIN: 'contoso.onmicrosoft.com' }, 'MIGRATION_FLAG_ATTRIBUTE', /is required with ENTRA_TENANT_DOMAIN: .*set it, or unset ENTRA_TENANT_DOMAIN/],
    [{ ENTRA_TENANT_DOMAIN: 'not a domain', MIGRATION_FLAG_ATTRIBUTE: FLAG_ATTRIBUTE }, 'ENTRA_TENANT_DOMAIN', /domain name/],
    [{ ENTRA_TENANT_DOMAIN: 'contoso.onmicrosoft.com', MIGRATION_FLAG_ATTRIBUTE: 'toBeMigrated' }, 'MIGRATION_FLAG_ATTRIBUTE', /extension_<32 hex digits>_toBeMigrated/],
    [{ ENTRA_TENANT_DOMAIN: 'contoso.onmicrosoft.com', MIGRATION_FLAG_ATTRIBUTE: FLAG_ATTRIBUTE, AZURE_CLIENT_SECRET: 's3cret-value' }, 'AZURE_CLIENT_ID', /is required with a secret/],
    [{ ENTRA_TENANT_DOMAIN: 'contoso.onmicrosoft.com', MIGRATION_FLAG_ATTRIBUTE: FLAG_ATTRIBUTE, AZURE_TENANT_ID: '00001111-aaaa-2222-bbbb-3333cccc4444' }, 'ENTRA_TENANT_ID', /name different tenants/],
    [{ ENTRA_TENANT_DOMAIN: 'contoso.onmicrosoft.com', MIGRATION_FLAG_ATTRIBUTE: FLAG_ATTRIBUTE, GRAPH_BASE_URL: 'http://graph.example.com' }, 'GRAPH_BASE_URL', /https/],
  ];
  for (const [override, setting, pattern] of cases) {
    const problems = problemsOf({ ...valid, ...override });
    assert.ok(problems.some(([name, text]) => name === setting && pattern.test(text)), `${JSON.stringify(override)}: ${JSON.stringify(problems)}`);
    assert.ok(!JSON.stringify(problems).includes('s3cret-value'));
  }
});

test('config: ENTRA_TENANT_ID missing is one problem, also when the Graph settings read it again', () => {
  const raw = { ...valid, ENTRA_TENANT_ID: undefined, ENTRA_TENANT_DOMAIN: 'contoso.onmicrosoft.com', MIGRATION_FLAG_ATTRIBUTE: FLAG_ATTRIBUTE };
  assert.equal(problemsOf(raw).filter(([setting]) => setting === 'ENTRA_TENANT_ID').length, 1);
});

test('config: attempt limits default to 10 wrong passwords in 900 s, counted in memory', () => {
  assert.deepEqual(loadServeConfig(valid).attemptLimits, { perAccount: 10, windowInMs: 900_000, redis: null, stuffingSignal: { wrongShare: 0.8, minAttempts: 60, mode: 'observe' } });
  assert.deepEqual(loadServeConfig({ ...valid, ATTEMPT_LIMIT_PER_ACCOUNT: '0', ATTEMPT_WINDOW_SECONDS: '60', STUFFING_SIGNAL_WRONG_PERCENT: '0' }).attemptLimits, { perAccount: 0, windowInMs: 60_000, redis: null, stuffingSignal: null });
});

test('config: RATE_LIMIT_REDIS_URL shares the counts, with RATE_LIMIT_KEY_SECRET required beside it', () => {
  const secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=';
  const config = loadServeConfig({ ...valid, RATE_LIMIT_REDIS_URL: 'rediss://:pw@cache.contoso.example:6380/0', RATE_LIMIT_KEY_SECRET: secret });
  assert.deepEqual(config.attemptLimits.redis, { url: 'rediss://:pw@cache.contoso.example:6380/0', keySecret: secret, timeoutInMs: 100 });
  assert.equal(loadServeConfig({ ...valid, RATE_LIMIT_REDIS_URL: 'redis://127.0.0.1:6379', RATE_LIMIT_KEY_SECRET: secret, RATE_LIMIT_REDIS_TIMEOUT_MS: '20' }).attemptLimits.redis?.timeoutInMs, 20);
  assert.deepEqual(problemsOf({ ...valid, RATE_LIMIT_REDIS_URL: 'redis://127.0.0.1:6379' }).map(([setting]) => setting), ['RATE_LIMIT_KEY_SECRET']);
  assert.deepEqual(problemsOf({ ...valid, RATE_LIMIT_REDIS_URL: 'redis://127.0.0.1:6379', RATE_LIMIT_KEY_SECRET: 'short' }).map(([setting]) => setting), ['RATE_LIMIT_KEY_SECRET']);
});

test('config: attempt-limit settings out of range, a Redis in clear off loopback and a secret without Redis are each one problem', () => {
  const secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=';
  const problems = problemsOf({
    ...valid,
    ATTEMPT_LIMIT_PER_ACCOUNT: '-1',
    ATTEMPT_WINDOW_SECONDS: '0',
    RATE_LIMIT_REDIS_URL: 'redis://cache.contoso.example:6379',
    RATE_LIMIT_KEY_SECRET: secret,
    RATE_LIMIT_REDIS_TIMEOUT_MS: '5000',
  });
  assert.deepEqual(problems.map(([setting]) => setting), ['ATTEMPT_LIMIT_PER_ACCOUNT', 'ATTEMPT_WINDOW_SECONDS', 'RATE_LIMIT_REDIS_TIMEOUT_MS', 'RATE_LIMIT_REDIS_URL']);
  assert.match(problems.find(([setting]) => setting === 'RATE_LIMIT_REDIS_URL')![1], /rediss:/);
  assert.deepEqual(problemsOf({ ...valid, RATE_LIMIT_KEY_SECRET: secret }).map(([setting]) => setting), ['RATE_LIMIT_KEY_SECRET']);
  assert.deepEqual(problemsOf({ ...valid, RATE_LIMIT_REDIS_URL: 'not a url', RATE_LIMIT_KEY_SECRET: secret }).map(([setting]) => setting), ['RATE_LIMIT_REDIS_URL']);
  for (const [, problem] of problemsOf({ ...valid, RATE_LIMIT_REDIS_URL: 'redis://user:Hunter2-Redis@cache.contoso.example:6379', RATE_LIMIT_KEY_SECRET: 'too-short-secret' })) {
    assert.ok(!problem.includes('Hunter2') && !problem.includes('too-short-secret'), problem);
  }
});

test('config: the credential-stuffing signal — STUFFING_SIGNAL_WRONG_PERCENT (0 = off), STUFFING_SIGNAL_MIN_ATTEMPTS, STUFFING_SIGNAL_MODE', () => {
  assert.deepEqual(loadServeConfig({ ...valid, STUFFING_SIGNAL_WRONG_PERCENT: '95', STUFFING_SIGNAL_MIN_ATTEMPTS: '300', STUFFING_SIGNAL_MODE: 'block' }).attemptLimits.stuffingSignal, { wrongShare: 0.95, minAttempts: 300, mode: 'block' });
  assert.deepEqual(problemsOf({ ...valid, STUFFING_SIGNAL_MODE: 'deny' }).map(([setting]) => setting), ['STUFFING_SIGNAL_MODE']);
  assert.deepEqual(problemsOf({ ...valid, STUFFING_SIGNAL_WRONG_PERCENT: '0', STUFFING_SIGNAL_MODE: 'block' }).map(([setting]) => setting), ['STUFFING_SIGNAL_MODE']);
  assert.deepEqual(problemsOf({ ...valid, STUFFING_SIGNAL_WRONG_PERCENT: '101', STUFFING_SIGNAL_MIN_ATTEMPTS: '0' }).map(([setting]) => setting), ['STUFFING_SIGNAL_WRONG_PERCENT', 'STUFFING_SIGNAL_MIN_ATTEMPTS']);
});
