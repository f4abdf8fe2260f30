import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readWebServiceSettings } from '../../src/config/legacy-web-service-settings.js';
import type { LegacyStoreSettings } from '../../src/config/serve-config.js';
import { SettingsReader, type RawSettings } from '../../src/config/settings.js';
import { DEFAULT_TOKEN_CLAIMS_CACHE_SECONDS, readTokenClaimsSettings } from '../../src/config/token-claims-settings.js';

const SQL: LegacyStoreSettings = { kind: 'sql', url: 'postgres://reader@db/legacy', userQuery: 'SELECT password_hash FROM users WHERE login = :username' };
const QUERY = 'SELECT roles FROM users WHERE id = :legacyId';
const SECRET = 'svc-token-claims-1d2e';

function webService(): LegacyStoreSettings {
  const read = new SettingsReader({ LEGACY_VERIFY_URL: 'https://legacy.example.com/verify', LEGACY_VERIFY_AUTH: `bearer:${SECRET}` });
  return { kind: 'web-service', webService: readWebServiceSettings(read, false)! };
}

function readWith(raw: RawSettings, legacy: LegacyStoreSettings | undefined = SQL) {
  const read = new SettingsReader(raw);
  const settings = readTokenClaimsSettings(read, legacy);
  return { settings, problems: read.problems };
}

/** Asserts exactly one problem, on `setting`, matching `pattern`. */
function oneProblem(raw: RawSettings, setting: string, pattern: RegExp, legacy?: LegacyStoreSettings): void {
  const { settings, problems } = readWith(raw, legacy);
  assert.equal(settings, null);
  assert.equal(problems.length, 1, JSON.stringify(problems));
  assert.equal(problems[0]!.setting, setting);
  assert.match(problems[0]!.problem, pattern);
}

describe('readTokenClaimsSettings', () => {
  test('nothing set → null, no problems', () => {
    assert.deepEqual(readWith({}), { settings: null, problems: [] });
  });

  test('TOKEN_CLAIMS_QUERY on the SQL store, defaults: 300 s cache, empty on failure', () => {
    const { settings, problems } = readWith({ TOKEN_CLAIMS_QUERY: QUERY });
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, { source: { kind: 'sql', url: SQL.kind === 'sql' ? SQL.url : '', query: QUERY }, cacheSeconds: DEFAULT_TOKEN_CLAIMS_CACHE_SECONDS, onLegacyFailure: 'empty' });
    assert.equal(DEFAULT_TOKEN_CLAIMS_CACHE_SECONDS, 300);
    assert.ok(Object.isFrozen(settings));
  });

  test('TOKEN_CLAIMS_CACHE_SECONDS=0 and TOKEN_CLAIMS_ON_LEGACY_FAILURE=fail', () => {
    const { settings } = readWith({ TOKEN_CLAIMS_QUERY: QUERY, TOKEN_CLAIMS_CACHE_SECONDS: '0', TOKEN_CLAIMS_ON_LEGACY_FAILURE: 'fail' });
    assert.equal(settings?.cacheSeconds, 0);
    assert.equal(settings?.onLegacyFailure, 'fail');
  });

  test('TOKEN_CLAIMS_URL on the web-service store: its auth and TLS, the claims URL, no health URL', () => {
    const { settings, problems } = readWith({ TOKEN_CLAIMS_URL: 'https://legacy.example.com/claims' }, webService());
    assert.deepEqual(problems, []);
    assert.ok(settings?.source.kind === 'web-service');
    assert.equal(settings.source.webService.url.href, 'https://legacy.example.com/claims');
    assert.deepEqual(settings.source.webService.auth, { kind: 'bearer', token: SECRET });
    assert.equal(settings.source.webService.healthUrl, undefined);
  });

  test('both set → one problem naming both', () => {
    oneProblem({ TOKEN_CLAIMS_QUERY: QUERY, TOKEN_CLAIMS_URL: 'https://legacy.example.com/claims' }, 'TOKEN_CLAIMS_QUERY', /TOKEN_CLAIMS_URL are both set/);
  });

  test('TOKEN_CLAIMS_QUERY without a SQL store, TOKEN_CLAIMS_URL without the web service', () => {
    oneProblem({ TOKEN_CLAIMS_QUERY: QUERY }, 'TOKEN_CLAIMS_QUERY', /needs the SQL legacy store \(LEGACY_DATABASE_URL\).*use TOKEN_CLAIMS_URL/, webService());
    oneProblem({ TOKEN_CLAIMS_URL: 'https://legacy.example.com/claims' }, 'TOKEN_CLAIMS_URL', /needs the legacy web service \(LEGACY_VERIFY_URL\).*use TOKEN_CLAIMS_QUERY/);
    const ldap = { kind: 'ldap', ldap: {} } as unknown as LegacyStoreSettings;
    oneProblem({ TOKEN_CLAIMS_QUERY: QUERY }, 'TOKEN_CLAIMS_QUERY', /this legacy store is ldap$/, ldap);
  });

  test('a legacy store with problems of its own (undefined): no second problem', () => {
    const read = new SettingsReader({ TOKEN_CLAIMS_QUERY: QUERY });
    assert.equal(readTokenClaimsSettings(read, undefined), null);
    assert.deepEqual(read.problems, []);
  });

  test('malformed, oversized and hostile values each name their setting', () => {
    oneProblem({ TOKEN_CLAIMS_QUERY: 'SELECT roles FROM users' }, 'TOKEN_CLAIMS_QUERY', /:objectId, :email, :legacyId/);
    oneProblem({ TOKEN_CLAIMS_QUERY: `SELECT roles FROM users WHERE id = :legacyId -- ${'x'.repeat(17 * 1024)}` }, 'TOKEN_CLAIMS_QUERY', /longer than 16 KiB/);
    for (const value of ['-1', '86401', '1.5', '5m', '1e3', ' ']) {
      const { problems } = readWith({ TOKEN_CLAIMS_QUERY: QUERY, TOKEN_CLAIMS_CACHE_SECONDS: value });
      if (value.trim() === '') assert.deepEqual(problems, []);
      else assert.equal(problems[0]?.setting, 'TOKEN_CLAIMS_CACHE_SECONDS', value);
    }
    oneProblem({ TOKEN_CLAIMS_QUERY: QUERY, TOKEN_CLAIMS_ON_LEGACY_FAILURE: 'Empty' }, 'TOKEN_CLAIMS_ON_LEGACY_FAILURE', /empty, fail/);
    const web = webService();
    oneProblem({ TOKEN_CLAIMS_URL: 'not a url' }, 'TOKEN_CLAIMS_URL', /not a URL/, web);
    oneProblem({ TOKEN_CLAIMS_URL: 'http://legacy.example.com/claims' }, 'TOKEN_CLAIMS_URL', /clear text/, web);
    oneProblem({ TOKEN_CLAIMS_URL: 'ftp://legacy.example.com/claims' }, 'TOKEN_CLAIMS_URL', /https:\/\//, web);
    oneProblem({ TOKEN_CLAIMS_URL: `https://user:${SECRET}@legacy.example.com/claims` }, 'TOKEN_CLAIMS_URL', /user name or password/, web);
  });

  test('http on loopback is accepted (a local service); with LEGACY_ALLOW_INSECURE_TRANSPORT=true anywhere', () => {
    assert.deepEqual(readWith({ TOKEN_CLAIMS_URL: 'http://127.0.0.1:8080/claims' }, webService()).problems, []);
    assert.deepEqual(readWith({ TOKEN_CLAIMS_URL: 'http://legacy.internal/claims', LEGACY_ALLOW_INSECURE_TRANSPORT: 'true' }, webService()).problems, []);
  });

  test('no problem quotes the web service\'s secret', () => {
    const { problems } = readWith({ TOKEN_CLAIMS_URL: `https://user:${SECRET}@legacy.example.com/claims`, TOKEN_CLAIMS_QUERY: QUERY }, webService());
    assert.ok(!JSON.stringify(problems).includes(SECRET));
  });
});
