import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadPremigrateConfig, type RawSettings } from '../../src/config/index.js';
import { isAttributeName } from '../../src/config/ldap-setting-checks.js';

const SERVICE_PASSWORD = 'service-password-never-shown';

const BASE = {
  ENTRA_TENANT_ID: '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21',
  ENTRA_TENANT_DOMAIN: 'contoso.onmicrosoft.com',
  MIGRATION_FLAG_ATTRIBUTE: 'extension_0f5a8e2c4b7d4e619c3a7d2b1e8f6a90_toBeMigrated',
  AZURE_CLIENT_ID: '0f5a8e2c-4b7d-4e61-9c3a-7d2b1e8f6a90',
  AZURE_CLIENT_SECRET: 'not-a-real-secret',
};

const DIRECTORY = {
  LEGACY_LDAP_URL: 'ldap://127.0.0.1:3389',
  LEGACY_LDAP_BIND_DN: 'cn=migration,dc=example,dc=org',
  LEGACY_LDAP_BIND_PASSWORD: SERVICE_PASSWORD,
  LEGACY_LDAP_SEARCH_BASE: 'ou=people,dc=example,dc=org',
  LEGACY_LDAP_EXPORT_FILTER: '(objectClass=inetOrgPerson)',
};

/** The problems, one `SETTING problem` line each; none when the settings load. Asserts the password is never in them. */
function problemsOf(raw: RawSettings): string[] {
  try {
    loadPremigrateConfig({ ...BASE, ...raw });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const lines = error.problems.map(({ setting, problem }) => `${setting} ${problem}`);
    assert.doesNotMatch(lines.join('\n'), /service-password-never-shown/);
    return lines;
  }
  return [];
}

describe('premigrate settings: the directory as the source (LEGACY_LDAP_EXPORT_FILTER)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'premigrate-ldap-settings-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('read and frozen, with entryUUID as the default id; serve’s search filter or DN template is not needed', async () => {
    const ca = join(dir, 'ca.pem');
    await writeFile(ca, 'not checked until the listing opens');
    const config = loadPremigrateConfig({ ...BASE, ...DIRECTORY, LEGACY_LDAP_CA_FILE: ca });
    assert.deepEqual({ ...config.legacyDirectory, url: config.legacyDirectory?.url.href }, {
      url: 'ldap://127.0.0.1:3389',
      startTls: false,
      caFile: ca,
      bindDn: 'cn=migration,dc=example,dc=org',
      bindPassword: SERVICE_PASSWORD,
      searchBase: 'ou=people,dc=example,dc=org',
      exportFilter: '(objectClass=inetOrgPerson)',
      idAttribute: 'entryUUID',
    });
    assert.ok(Object.isFrozen(config.legacyDirectory));
    assert.equal(config.legacyExport, null);
    assert.equal(loadPremigrateConfig({ ...BASE, ...DIRECTORY, LEGACY_LDAP_ID_ATTRIBUTE: 'objectGUID' }).legacyDirectory?.idAttribute, 'objectGUID');
  });

  test('without LEGACY_LDAP_EXPORT_FILTER the directory is not the source, and its settings are not read (serve’s may be anything)', () => {
    const config = loadPremigrateConfig({ ...BASE, LEGACY_LDAP_URL: 'ldap://ldap.example.org', LEGACY_LDAP_USER_DN_TEMPLATE: 'uid={username},dc=x' });
    assert.equal(config.legacyDirectory, null);
  });

  test('a filter with {username} is refused: it lists every account', () => {
    assert.deepEqual(problemsOf({ ...DIRECTORY, LEGACY_LDAP_EXPORT_FILTER: '(&(objectClass=person)(uid={username}))' }), [
      "LEGACY_LDAP_EXPORT_FILTER selects every account to create, so it takes no {username} (that is LEGACY_LDAP_SEARCH_FILTER's); e.g. (objectClass=inetOrgPerson)",
    ]);
  });

  test('a filter that is not RFC 4515, not in parentheses, over 1,024 characters or with control characters is refused', () => {
    assert.deepEqual(problemsOf({ ...DIRECTORY, LEGACY_LDAP_EXPORT_FILTER: '(&(objectClass=person)(mail=*)' }), [
      'LEGACY_LDAP_EXPORT_FILTER is not a valid LDAP filter (RFC 4515), e.g. (&(objectClass=inetOrgPerson)(mail=*))',
    ]);
    assert.deepEqual(problemsOf({ ...DIRECTORY, LEGACY_LDAP_EXPORT_FILTER: 'objectClass=person' }), ['LEGACY_LDAP_EXPORT_FILTER must be a filter in parentheses, e.g. (objectClass=inetOrgPerson)']);
    assert.deepEqual(problemsOf({ ...DIRECTORY, LEGACY_LDAP_EXPORT_FILTER: `(cn=${'x'.repeat(10_000)})` }), ['LEGACY_LDAP_EXPORT_FILTER is longer than 1024 characters']);
    assert.deepEqual(problemsOf({ ...DIRECTORY, LEGACY_LDAP_EXPORT_FILTER: '(cn=a\u0000b)' }), ['LEGACY_LDAP_EXPORT_FILTER must not contain control characters']);
    assert.deepEqual(problemsOf({ ...DIRECTORY, LEGACY_LDAP_EXPORT_FILTER: '(|(cn=a)(cn=b)))' }), ['LEGACY_LDAP_EXPORT_FILTER is not a valid LDAP filter (RFC 4515), e.g. (&(objectClass=inetOrgPerson)(mail=*))']);
  });

  test('the SQL export and the directory export set together is one problem naming both', () => {
    assert.deepEqual(problemsOf({ ...DIRECTORY, LEGACY_DATABASE_URL: 'sqlite://legacy.db', LEGACY_EXPORT_QUERY: 'SELECT id, email FROM users' }), [
      'LEGACY_LDAP_EXPORT_FILTER and LEGACY_EXPORT_QUERY are both set; premigrate reads one source: unset LEGACY_EXPORT_QUERY to list the directory, or LEGACY_LDAP_EXPORT_FILTER to read the SQL export',
    ]);
  });

  test('the filter alone names what is missing: the URL, the service account, its password, the base', () => {
    assert.deepEqual(problemsOf({ LEGACY_LDAP_EXPORT_FILTER: '(objectClass=person)' }), [
      'LEGACY_LDAP_URL is required with LEGACY_LDAP_EXPORT_FILTER: the directory to list accounts from, e.g. ldaps://ldap.example.org',
      'LEGACY_LDAP_BIND_DN is required with LEGACY_LDAP_EXPORT_FILTER: the service account that lists the accounts, e.g. cn=migration,ou=services,dc=example,dc=org',
      "LEGACY_LDAP_BIND_PASSWORD is required with LEGACY_LDAP_EXPORT_FILTER: the service account's password",
      'LEGACY_LDAP_SEARCH_BASE is required with LEGACY_LDAP_EXPORT_FILTER: the subtree whose accounts are listed, e.g. ou=people,dc=example,dc=org',
    ]);
  });

  test('serve’s transport rule: clear ldap:// to another host only with StartTLS or LEGACY_ALLOW_INSECURE_TRANSPORT=true', () => {
    const remote = { ...DIRECTORY, LEGACY_LDAP_URL: 'ldap://ldap.example.org' };
    const [problem] = problemsOf(remote);
    assert.match(problem!, /^LEGACY_LDAP_URL is ldap:\/\/ to ldap\.example\.org, which would send passwords in clear text/);
    assert.deepEqual(problemsOf({ ...remote, LEGACY_LDAP_STARTTLS: 'true' }), []);
    assert.deepEqual(problemsOf({ ...remote, LEGACY_ALLOW_INSECURE_TRANSPORT: 'true' }), []);
    assert.deepEqual(problemsOf({ ...DIRECTORY, LEGACY_LDAP_URL: 'ldaps://ldap.example.org', LEGACY_LDAP_STARTTLS: 'true' }), [
      'LEGACY_LDAP_STARTTLS is for ldap:// URLs; ldaps:// is encrypted from the first byte, so leave it unset',
    ]);
    assert.deepEqual(problemsOf({ ...DIRECTORY, LEGACY_LDAP_URL: 'ldaps://ldap.example.org/ou=people?mail' }), [
      'LEGACY_LDAP_URL must be only ldaps://host[:port]; the search base and filter have their own settings (LEGACY_LDAP_SEARCH_BASE, LEGACY_LDAP_EXPORT_FILTER)',
    ]);
    assert.deepEqual(problemsOf({ ...DIRECTORY, LEGACY_LDAP_URL: 'ldaps://svc:pw@ldap.example.org' }), [
      'LEGACY_LDAP_URL must not hold a user name or password; the store has its own settings for credentials',
    ]);
  });

  test('a CA file that does not exist, a bad id attribute, and a hostile password are named, the password never shown', () => {
    assert.deepEqual(problemsOf({ ...DIRECTORY, LEGACY_LDAP_CA_FILE: join(dir, 'absent.pem'), LEGACY_LDAP_ID_ATTRIBUTE: 'object guid' }), [
      `LEGACY_LDAP_CA_FILE names a file that does not exist: ${join(dir, 'absent.pem')}`,
      'LEGACY_LDAP_ID_ATTRIBUTE must be an attribute name such as entryUUID, objectGUID or uid (letters, digits and -), or a numeric OID',
    ]);
    assert.deepEqual(problemsOf({ ...DIRECTORY, LEGACY_LDAP_BIND_PASSWORD: `${SERVICE_PASSWORD}\u0007` }), ['LEGACY_LDAP_BIND_PASSWORD must not contain control characters']);
    assert.deepEqual(problemsOf({ ...DIRECTORY, LEGACY_LDAP_BIND_PASSWORD: SERVICE_PASSWORD.repeat(100) }), ['LEGACY_LDAP_BIND_PASSWORD is longer than 1024 characters']);
  });

  test('attribute names for --field and --attribute: names and numeric OIDs, not 1.1, spaces or options', () => {
    for (const name of ['mail', 'employeeNumber', 'msDS-cloudExtensionAttribute1', '2.5.4.3']) assert.equal(isAttributeName(name), true, name);
    for (const name of ['1.1', 'employee number', 'cn;lang-fr', '*', '+', 'display_name', '', 'x'.repeat(200)]) assert.equal(isAttributeName(name), false, name);
  });
});
