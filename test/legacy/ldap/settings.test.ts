import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readLdapSettings } from '../../../src/config/legacy-ldap-settings.js';
import { SettingsReader, type RawSettings } from '../../../src/config/settings.js';

const SEARCH: RawSettings = {
  LEGACY_LDAP_URL: 'ldaps://ldap.example.org',
  LEGACY_LDAP_BIND_DN: 'cn=migration,ou=services,dc=example,dc=org',
  LEGACY_LDAP_BIND_PASSWORD: 'Service-Secret-1',
  LEGACY_LDAP_SEARCH_BASE: 'ou=people,dc=example,dc=org',
  LEGACY_LDAP_SEARCH_FILTER: '(|(mail={username})(uid={username}))',
};
const TEMPLATE: RawSettings = { LEGACY_LDAP_URL: 'ldaps://ldap.example.org', LEGACY_LDAP_USER_DN_TEMPLATE: 'uid={username},ou=people,dc=example,dc=org' };

function read(raw: RawSettings, allowInsecure = false) {
  const reader = new SettingsReader(raw);
  const settings = readLdapSettings(reader, allowInsecure);
  return { settings, problems: reader.problems };
}

/** The settings named by the problems of `raw`; each problem's text must not hold the service password. */
function problemsOf(raw: RawSettings, allowInsecure = false): string[] {
  const { settings, problems } = read(raw, allowInsecure);
  assert.equal(settings, undefined, 'settings with problems are not returned');
  for (const { problem } of problems) {
    assert.ok(!problem.includes('Service-Secret'), problem);
    if (raw.LEGACY_LDAP_BIND_PASSWORD) assert.ok(!problem.includes(raw.LEGACY_LDAP_BIND_PASSWORD), problem);
  }
  return problems.map(({ setting }) => setting);
}

describe('readLdapSettings', () => {
  test('search then bind, with defaults', () => {
    const { settings, problems } = read(SEARCH);
    assert.deepEqual(problems, []);
    assert.equal(settings!.url.href, 'ldaps://ldap.example.org');
    assert.equal(settings!.startTls, false);
    assert.equal(settings!.caFile, undefined);
    assert.equal(settings!.idAttribute, 'entryUUID');
    assert.deepEqual(settings!.lookup, {
      kind: 'search',
      bindDn: SEARCH.LEGACY_LDAP_BIND_DN,
      bindPassword: SEARCH.LEGACY_LDAP_BIND_PASSWORD,
      searchBase: SEARCH.LEGACY_LDAP_SEARCH_BASE,
      searchFilter: SEARCH.LEGACY_LDAP_SEARCH_FILTER,
    });
    assert.ok(Object.isFrozen(settings) && Object.isFrozen(settings!.lookup));
  });

  test('direct bind; Active Directory style settings (UPN service account, AD filter with a matching rule, objectGUID)', () => {
    assert.deepEqual(read(TEMPLATE).settings!.lookup, { kind: 'template', userDnTemplate: TEMPLATE.LEGACY_LDAP_USER_DN_TEMPLATE });
    const ad = read({
      ...SEARCH,
      LEGACY_LDAP_BIND_DN: 'svc-migration@corp.example.org',
      LEGACY_LDAP_SEARCH_FILTER: '(&(objectCategory=person)(objectClass=user)(|(userPrincipalName={username})(sAMAccountName={username}))(!(userAccountControl:1.2.840.113556.1.4.803:=2)))',
      LEGACY_LDAP_ID_ATTRIBUTE: 'objectGUID',
    });
    assert.deepEqual(ad.problems, []);
    assert.equal(ad.settings!.idAttribute, 'objectGUID');
  });

  describe('transport: ldaps, or ldap with StartTLS, or clear ldap on loopback or when allowed out loud', () => {
    test('clear ldap:// to another host is refused, naming LEGACY_ALLOW_INSECURE_TRANSPORT', () => {
      const { problems } = read({ ...SEARCH, LEGACY_LDAP_URL: 'ldap://ldap.example.org' });
      assert.deepEqual(problems.map((p) => p.setting), ['LEGACY_LDAP_URL']);
      assert.match(problems[0]!.problem, /LEGACY_ALLOW_INSECURE_TRANSPORT=true/);
    });
    test('ldap:// with StartTLS, on loopback, or allowed: accepted', () => {
      assert.equal(read({ ...SEARCH, LEGACY_LDAP_URL: 'ldap://ldap.example.org:389', LEGACY_LDAP_STARTTLS: 'true' }).settings?.startTls, true);
      assert.deepEqual(read({ ...SEARCH, LEGACY_LDAP_URL: 'ldap://127.0.0.1:3890' }).problems, []);
      assert.deepEqual(read({ ...SEARCH, LEGACY_LDAP_URL: 'ldap://[::1]:3890' }).problems, []);
      assert.deepEqual(read({ ...SEARCH, LEGACY_LDAP_URL: 'ldap://ldap.example.org' }, true).problems, []);
    });
    test('StartTLS on ldaps://, or anything but true/false, is a problem', () => {
      assert.deepEqual(problemsOf({ ...SEARCH, LEGACY_LDAP_STARTTLS: 'true' }), ['LEGACY_LDAP_STARTTLS']);
      assert.deepEqual(problemsOf({ ...SEARCH, LEGACY_LDAP_STARTTLS: 'yes' }), ['LEGACY_LDAP_STARTTLS']);
    });
    test('malformed and hostile URLs', () => {
      for (const url of [
        'not a url', 'http://ldap.example.org', 'ldapi:///var/run/slapd', 'ldaps://user:pw@ldap.example.org',
        'ldaps://ldap.example.org/dc=example,dc=org', 'ldaps://ldap.example.org/??sub?(uid=*)', 'ldaps://ldap.example.org#x',
        'ldaps://', `ldaps://${'a'.repeat(70)}.example.org`,
      ]) {
        assert.deepEqual(problemsOf({ ...SEARCH, LEGACY_LDAP_URL: url }), ['LEGACY_LDAP_URL'], url);
      }
    });
  });

  test('the service account: both LEGACY_LDAP_BIND_DN and LEGACY_LDAP_BIND_PASSWORD, bounded, no control characters', () => {
    assert.deepEqual(problemsOf({ ...SEARCH, LEGACY_LDAP_BIND_PASSWORD: undefined }), ['LEGACY_LDAP_BIND_PASSWORD']);
    assert.deepEqual(problemsOf({ ...SEARCH, LEGACY_LDAP_BIND_DN: undefined }), ['LEGACY_LDAP_BIND_DN']);
    assert.deepEqual(problemsOf({ ...SEARCH, LEGACY_LDAP_BIND_PASSWORD: 'Service-Secret-\u0000' }), ['LEGACY_LDAP_BIND_PASSWORD']);
    assert.deepEqual(problemsOf({ ...SEARCH, LEGACY_LDAP_BIND_PASSWORD: `Service-Secret-${'x'.repeat(2000)}` }), ['LEGACY_LDAP_BIND_PASSWORD']);
    assert.deepEqual(problemsOf({ ...SEARCH, LEGACY_LDAP_BIND_DN: 'cn=a\nb' }), ['LEGACY_LDAP_BIND_DN']);
    assert.deepEqual(problemsOf({ ...SEARCH, LEGACY_LDAP_SEARCH_BASE: undefined }), ['LEGACY_LDAP_SEARCH_BASE']);
    assert.deepEqual(problemsOf({ ...SEARCH, LEGACY_LDAP_SEARCH_BASE: 'o'.repeat(5000) }), ['LEGACY_LDAP_SEARCH_BASE']);
  });

  test('the filter must hold {username}, be in parentheses, and parse once filled', () => {
    for (const filter of [
      '(uid=ada)', 'uid={username}', '(uid={username}', '(uid={username}))', '((uid={username})', '(|(uid={username})(mail=(x)))',
      '(uid=\\zz{username})', '(uid={username}\u0000)', `(uid={username})${' '.repeat(2000)}x`, '({username})',
    ]) {
      assert.deepEqual(problemsOf({ ...SEARCH, LEGACY_LDAP_SEARCH_FILTER: filter }), ['LEGACY_LDAP_SEARCH_FILTER'], filter);
    }
  });

  test('the template must hold {username} as one whole attribute value', () => {
    for (const template of [
      'uid=ada,ou=people,dc=example,dc=org', '{username},ou=people,dc=example,dc=org', 'uid=x{username},dc=org', 'uid={username}x,dc=org',
      'uid={username}\u0000,dc=org', `uid={username},${'ou=x,'.repeat(300)}dc=org`,
    ]) {
      assert.deepEqual(problemsOf({ ...TEMPLATE, LEGACY_LDAP_USER_DN_TEMPLATE: template }), ['LEGACY_LDAP_USER_DN_TEMPLATE'], template);
    }
    assert.deepEqual(read({ ...TEMPLATE, LEGACY_LDAP_USER_DN_TEMPLATE: 'uid={username}+cn={username},dc=org' }).problems, []);
    assert.deepEqual(read({ ...TEMPLATE, LEGACY_LDAP_USER_DN_TEMPLATE: 'uid={username}' }).problems, []);
  });

  test('exactly one of search and template; search settings with a template are a problem each', () => {
    assert.deepEqual(problemsOf({ ...SEARCH, LEGACY_LDAP_USER_DN_TEMPLATE: TEMPLATE.LEGACY_LDAP_USER_DN_TEMPLATE }), ['LEGACY_LDAP_SEARCH_FILTER']);
    const neither = read({ LEGACY_LDAP_URL: 'ldaps://ldap.example.org' });
    assert.deepEqual(neither.problems.map((p) => p.setting), ['LEGACY_LDAP_SEARCH_FILTER']);
    assert.match(neither.problems[0]!.problem, /LEGACY_LDAP_USER_DN_TEMPLATE/);
    assert.deepEqual(
      problemsOf({ ...TEMPLATE, LEGACY_LDAP_BIND_DN: 'cn=x', LEGACY_LDAP_BIND_PASSWORD: 'Service-Secret-2', LEGACY_LDAP_SEARCH_BASE: 'dc=x' }).sort(),
      ['LEGACY_LDAP_BIND_DN', 'LEGACY_LDAP_BIND_PASSWORD', 'LEGACY_LDAP_SEARCH_BASE'],
    );
  });

  test('LEGACY_LDAP_CA_FILE must exist; the path is shown', () => {
    const { problems } = read({ ...SEARCH, LEGACY_LDAP_CA_FILE: '/nonexistent/ca.pem' });
    assert.deepEqual(problems, [{ setting: 'LEGACY_LDAP_CA_FILE', problem: 'names a file that does not exist: /nonexistent/ca.pem' }]);
    assert.equal(read({ ...SEARCH, LEGACY_LDAP_CA_FILE: import.meta.filename }).settings?.caFile, import.meta.filename);
  });

  test('LEGACY_LDAP_ID_ATTRIBUTE is an attribute name or an OID, nothing else', () => {
    assert.equal(read({ ...SEARCH, LEGACY_LDAP_ID_ATTRIBUTE: 'employeeNumber' }).settings?.idAttribute, 'employeeNumber');
    assert.equal(read({ ...SEARCH, LEGACY_LDAP_ID_ATTRIBUTE: '1.3.6.1.1.16.4' }).settings?.idAttribute, '1.3.6.1.1.16.4');
    for (const attribute of ['entryUUID)(x', 'a b', '*', '+', '1.1', 'uid;binary', '-uid', 'x'.repeat(200), '1.', 'é']) {
      assert.deepEqual(problemsOf({ ...SEARCH, LEGACY_LDAP_ID_ATTRIBUTE: attribute }), ['LEGACY_LDAP_ID_ATTRIBUTE'], attribute);
    }
  });

  test('unset LEGACY_LDAP_URL: undefined, and the URL is not reported (the store selection does that)', () => {
    const { settings, problems } = read({ LEGACY_LDAP_SEARCH_FILTER: '(uid={username})', LEGACY_LDAP_SEARCH_BASE: 'dc=x', LEGACY_LDAP_BIND_DN: 'cn=x', LEGACY_LDAP_BIND_PASSWORD: 'Service-Secret-3' });
    assert.equal(settings, undefined);
    assert.deepEqual(problems, []);
  });
});
