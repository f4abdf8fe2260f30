import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readLegacyStore, readSqlStoreSettings, type LegacyStoreReaders } from '../../src/config/legacy-store-settings.js';
import { SettingsReader, type RawSettings } from '../../src/config/index.js';
import { legacyUrl } from '../../src/config/transport.js';

const SELECTORS = ['LEGACY_DATABASE_URL', 'LEGACY_VERIFY_URL', 'LEGACY_LDAP_URL', 'LEGACY_ROPC_TOKEN_URL'];

/** Readers that only say which kind was chosen, so the selection is tested apart from each kind's own settings. */
const tagging: LegacyStoreReaders<string> = {
  LEGACY_DATABASE_URL: () => 'sql',
  LEGACY_VERIFY_URL: () => 'web-service',
  LEGACY_LDAP_URL: () => 'ldap',
  LEGACY_ROPC_TOKEN_URL: (_read, allowInsecure) => `ropc${allowInsecure ? ' (insecure allowed)' : ''}`,
};

function select(raw: RawSettings) {
  const read = new SettingsReader(raw);
  const chosen = readLegacyStore(read, tagging);
  return { chosen, problems: read.problems };
}

test('legacy store: exactly one selecting setting chooses the kind', () => {
  assert.deepEqual(select({ LEGACY_DATABASE_URL: 'sqlite://./l.db' }), { chosen: 'sql', problems: [] });
  assert.deepEqual(select({ LEGACY_VERIFY_URL: 'https://legacy.example/verify' }), { chosen: 'web-service', problems: [] });
  assert.deepEqual(select({ LEGACY_LDAP_URL: 'ldaps://dir.example' }), { chosen: 'ldap', problems: [] });
  assert.deepEqual(select({ LEGACY_ROPC_TOKEN_URL: 'https://idp.example/token', LEGACY_ALLOW_INSECURE_TRANSPORT: 'true' }), { chosen: 'ropc (insecure allowed)', problems: [] });
  // A blank value is unset, as everywhere else in the settings.
  assert.deepEqual(select({ LEGACY_LDAP_URL: 'ldaps://dir.example', LEGACY_VERIFY_URL: '  ' }), { chosen: 'ldap', problems: [] });
});

test('legacy store: none set is one problem that names all four', () => {
  const { chosen, problems } = select({});
  assert.equal(chosen, undefined);
  assert.equal(problems.length, 1);
  const line = `${problems[0]!.setting} ${problems[0]!.problem}`;
  for (const selector of SELECTORS) assert.ok(line.includes(selector), `${selector} named in: ${line}`);
});

test('legacy store: several set is one problem that names exactly the ones set', () => {
  const { chosen, problems } = select({ LEGACY_VERIFY_URL: 'https://a.example/v', LEGACY_ROPC_TOKEN_URL: 'https://b.example/t' });
  assert.equal(chosen, undefined);
  assert.equal(problems.length, 1);
  const line = `${problems[0]!.setting} ${problems[0]!.problem}`;
  assert.match(line, /LEGACY_VERIFY_URL/);
  assert.match(line, /LEGACY_ROPC_TOKEN_URL/);
  assert.doesNotMatch(line, /LEGACY_DATABASE_URL|LEGACY_LDAP_URL/);
  assert.doesNotMatch(line, /a\.example|b\.example/, 'values are not repeated');

  const all = select(Object.fromEntries(SELECTORS.map((selector) => [selector, 'x'])));
  assert.equal(all.problems.length, 1);
  for (const selector of SELECTORS) assert.ok(all.problems[0]!.problem.includes(selector) || all.problems[0]!.setting === selector);
});

test('legacy store: LEGACY_ALLOW_INSECURE_TRANSPORT is true or false, nothing else', () => {
  const { problems } = select({ LEGACY_ROPC_TOKEN_URL: 'https://idp.example/token', LEGACY_ALLOW_INSECURE_TRANSPORT: 'yes' });
  assert.deepEqual(problems.map(({ setting }) => setting), ['LEGACY_ALLOW_INSECURE_TRANSPORT']);
});

test('sql store: URL scheme and query parameters are checked', () => {
  const read = new SettingsReader({ LEGACY_DATABASE_URL: 'mongodb://x/y', LEGACY_USER_QUERY: 'SELECT 1' });
  readSqlStoreSettings(read);
  assert.deepEqual(read.problems.map(({ setting }) => setting), ['LEGACY_DATABASE_URL', 'LEGACY_USER_QUERY']);
});

function urlOf(value: string, allowInsecure = false, clearMadeSecure = false) {
  const read = new SettingsReader({ URL_SETTING: value });
  const url = legacyUrl(read, 'URL_SETTING', { secure: ['ldaps:'], clear: ['ldap:'], clearMadeSecure }, allowInsecure);
  return { url: url?.href, problems: read.problems.map(({ problem }) => problem) };
}

test('transport: clear text only on loopback, unless allowed out loud or made secure (StartTLS)', () => {
  assert.equal(urlOf('ldaps://dir.example').url, 'ldaps://dir.example');
  assert.equal(urlOf('ldap://127.0.0.1:3890').url, 'ldap://127.0.0.1:3890');
  assert.equal(urlOf('ldap://localhost').url, 'ldap://localhost');
  const remote = urlOf('ldap://dir.example');
  assert.equal(remote.url, undefined);
  assert.match(remote.problems[0]!, /clear text.*ldaps:\/\/.*LEGACY_ALLOW_INSECURE_TRANSPORT=true/);
  assert.equal(urlOf('ldap://dir.example', true).url, 'ldap://dir.example');
  assert.equal(urlOf('ldap://dir.example', false, true).url, 'ldap://dir.example');
  // A host that only looks like loopback is not.
  assert.equal(urlOf('ldap://127.0.0.1.evil.example').url, undefined);
});

test('transport: hostile and malformed URLs are refused without echoing credentials', () => {
  const withPassword = urlOf('ldaps://admin:S3cret-Service-Pw@dir.example');
  assert.equal(withPassword.url, undefined);
  assert.doesNotMatch(withPassword.problems.join(' '), /S3cret-Service-Pw/);
  assert.match(urlOf('not a url').problems[0]!, /not a URL/);
  assert.match(urlOf('https://dir.example').problems[0]!, /must start with ldaps:\/\/ or ldap:\/\//);
  assert.match(urlOf('javascript:alert(1)').problems[0]!, /must start with/);
  assert.equal(urlOf(`ldaps://${'a'.repeat(70)}.example`).url, undefined, 'a DNS label over 63 characters is not a host');
});
