import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readRopcSettings } from '../../../src/config/legacy-ropc-settings.js';
import { SettingsReader, type RawSettings } from '../../../src/config/settings.js';

const B2C_URL = 'https://fabrikamb2c.b2clogin.com/fabrikamb2c.onmicrosoft.com/B2C_1_ROPC_Auth/oauth2/v2.0/token';
const CLIENT_ID = 'bef22d56-552f-4a5b-b90a-1988a7d634ce';
const SECRET = 'Xy8Q~not.a.real.secret_0123456789abcdef';

function read(raw: RawSettings, allowInsecure = false) {
  const reader = new SettingsReader(raw);
  const settings = readRopcSettings(reader, allowInsecure);
  return { settings, problems: reader.problems.map(({ setting, problem }) => `${setting}: ${problem}`) };
}

describe('readRopcSettings', () => {
  test('a B2C configuration: URL, client id; secret and scope unset', () => {
    const { settings, problems } = read({ LEGACY_ROPC_TOKEN_URL: B2C_URL, LEGACY_ROPC_CLIENT_ID: CLIENT_ID });
    assert.deepEqual(problems, []);
    assert.equal(settings!.tokenUrl.href, B2C_URL);
    assert.equal(settings!.clientId, CLIENT_ID);
    assert.equal(settings!.clientSecret, undefined);
    assert.equal(settings!.scope, undefined);
    assert.ok(Object.isFrozen(settings));
  });

  test('a confidential client with a scope: kept as given, extra spaces collapsed', () => {
    const { settings, problems } = read({
      LEGACY_ROPC_TOKEN_URL: 'https://id.example.com/realms/legacy/protocol/openid-connect/token',
      LEGACY_ROPC_CLIENT_ID: 'entra-migrate',
      LEGACY_ROPC_CLIENT_SECRET: SECRET,
      LEGACY_ROPC_SCOPE: '  openid   profile ',
    });
    assert.deepEqual(problems, []);
    assert.equal(settings!.clientSecret, SECRET);
    assert.equal(settings!.scope, 'openid profile');
  });

  test('nothing set: both required settings are reported, in one round', () => {
    const { settings, problems } = read({});
    assert.equal(settings, undefined);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /^LEGACY_ROPC_TOKEN_URL: is required/);
    assert.match(problems[1]!, /^LEGACY_ROPC_CLIENT_ID: is required/);
  });

  test('http is refused beyond loopback, accepted on loopback, and beyond it only with LEGACY_ALLOW_INSECURE_TRANSPORT', () => {
    const clear = { LEGACY_ROPC_TOKEN_URL: 'http://id.example.com/oauth/token', LEGACY_ROPC_CLIENT_ID: CLIENT_ID };
    assert.match(read(clear).problems[0]!, /^LEGACY_ROPC_TOKEN_URL: is http:\/\/ to id\.example\.com, which would send passwords in clear text.*LEGACY_ALLOW_INSECURE_TRANSPORT=true/);
    assert.deepEqual(read(clear, true).problems, []);
    assert.deepEqual(read({ ...clear, LEGACY_ROPC_TOKEN_URL: 'http://127.0.0.1:7080/fabrikamb2c.onmicrosoft.com/B2C_1_ROPC_Auth/oauth2/v2.0/token' }).problems, []);
    assert.deepEqual(read({ ...clear, LEGACY_ROPC_TOKEN_URL: 'http://[::1]:8080/oauth/token' }).problems, []);
  });

  for (const [what, url, pattern] of [
    ['not a URL', 'contoso.b2clogin.com/token', /is not a URL/],
    ['another scheme', 'ftp://id.example.com/token', /must start with https:\/\/ or http:\/\//],
    ['javascript:', 'javascript:alert(1)', /must start with/],
    ['credentials in the URL', 'https://admin:hunter2@id.example.com/oauth/token', /must not hold a user name or password/],
    ['a #fragment', `${B2C_URL}#frag`, /must not hold a #fragment/],
    ['10 KB', `https://id.example.com/${'a'.repeat(10_000)}`, /longer than 2048/],
  ] as const) {
    test(`LEGACY_ROPC_TOKEN_URL ${what} → reported`, () => {
      const { settings, problems } = read({ LEGACY_ROPC_TOKEN_URL: url, LEGACY_ROPC_CLIENT_ID: CLIENT_ID });
      assert.equal(settings, undefined);
      assert.equal(problems.length, 1);
      assert.match(problems[0]!, /^LEGACY_ROPC_TOKEN_URL: /);
      assert.match(problems[0]!, pattern);
      assert.ok(!problems[0]!.includes('hunter2'), 'a password in the URL is never echoed');
    });
  }

  for (const [what, clientId] of [['a space', 'my client'], ['a newline', 'abc\ndef'], ['NUL', 'abc\u0000'], ['non-ASCII', 'clïent'], ['300 characters', 'c'.repeat(300)]] as const) {
    test(`LEGACY_ROPC_CLIENT_ID with ${what} → reported`, () => {
      const { problems } = read({ LEGACY_ROPC_TOKEN_URL: B2C_URL, LEGACY_ROPC_CLIENT_ID: clientId });
      assert.equal(problems.length, 1);
      assert.match(problems[0]!, /^LEGACY_ROPC_CLIENT_ID: must be the application \(client\) id/);
    });
  }

  test('a secret with control characters or over 1 KiB is reported without echoing it', () => {
    for (const secret of [`${SECRET}\u0007`, `${SECRET}\nX-Injected: 1`, SECRET.repeat(40)]) {
      const { problems } = read({ LEGACY_ROPC_TOKEN_URL: B2C_URL, LEGACY_ROPC_CLIENT_ID: CLIENT_ID, LEGACY_ROPC_CLIENT_SECRET: secret });
      assert.equal(problems.length, 1);
      assert.match(problems[0]!, /^LEGACY_ROPC_CLIENT_SECRET: /);
      assert.ok(!problems[0]!.includes('not.a.real.secret'));
    }
  });

  test('a scope with quotes, backslashes, control characters or over 1 KiB is reported', () => {
    for (const scope of ['openid "profile"', 'openid\\profile', 'openid\tprofile', `openid ${'s'.repeat(1100)}`, 'openid é']) {
      const { problems } = read({ LEGACY_ROPC_TOKEN_URL: B2C_URL, LEGACY_ROPC_CLIENT_ID: CLIENT_ID, LEGACY_ROPC_SCOPE: scope });
      assert.equal(problems.length, 1, scope);
      assert.match(problems[0]!, /^LEGACY_ROPC_SCOPE: must be scopes separated by spaces/);
    }
  });

  test('every problem at once, each naming its setting', () => {
    const { problems } = read({ LEGACY_ROPC_TOKEN_URL: 'ftp://x', LEGACY_ROPC_CLIENT_ID: 'a b', LEGACY_ROPC_CLIENT_SECRET: 'x\u0000', LEGACY_ROPC_SCOPE: '"' });
    assert.deepEqual(problems.map((line) => line.split(':')[0]), ['LEGACY_ROPC_TOKEN_URL', 'LEGACY_ROPC_CLIENT_ID', 'LEGACY_ROPC_CLIENT_SECRET', 'LEGACY_ROPC_SCOPE']);
  });
});
