import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readWebServiceSettings } from '../../../src/config/legacy-web-service-settings.js';
import { SettingsReader, type RawSettings } from '../../../src/config/settings.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';

// The LEGACY_VERIFY_* settings: what is accepted, and one problem naming the setting for each thing that is not —
// with no problem ever quoting LEGACY_VERIFY_AUTH.

const dir = mkdtempSync(join(tmpdir(), 'web-service-settings-'));
const pem = join(dir, 'file.pem');
writeFileSync(pem, 'not checked here');
after(() => rmSync(dir, { recursive: true, force: true }));

const URL_OK = 'https://legacy.example.com/api/verify';

function readWith(raw: RawSettings, allowInsecure = false) {
  const read = new SettingsReader({ LEGACY_VERIFY_URL: URL_OK, ...raw });
  const settings = readWebServiceSettings(read, allowInsecure);
  return { settings, problems: read.problems };
}

/** The one problem reported, on `setting`. */
function problemOf(raw: RawSettings, setting: string, allowInsecure = false): string {
  const { settings, problems } = readWith(raw, allowInsecure);
  assert.equal(settings, undefined, 'no settings when there is a problem');
  assert.equal(problems.length, 1, problems.map((p) => p.setting).join(', '));
  assert.equal(problems[0]!.setting, setting);
  return problems[0]!.problem;
}

describe('readWebServiceSettings: what it accepts', () => {
  test('the URL alone: JSON mode, no credentials, no TLS files, no health URL', () => {
    const { settings, problems } = readWith({});
    assert.deepEqual(problems, []);
    assert.equal(settings!.url.href, URL_OK);
    assert.equal(settings!.auth, null);
    assert.equal(settings!.clientCertificate, null);
    assert.equal(settings!.caFile, undefined);
    assert.equal(settings!.mode, 'json');
    assert.equal(settings!.healthUrl, undefined);
    assert.ok(Object.isFrozen(settings));
  });

  test('LEGACY_VERIFY_URL unset: undefined and no problem (another store is selected)', () => {
    const read = new SettingsReader({});
    assert.equal(readWebServiceSettings(read, false), undefined);
    assert.deepEqual(read.problems, []);
  });

  test('every setting', () => {
    const { settings, problems } = readWith({
      LEGACY_VERIFY_AUTH: 'basic:jit:p:w:d',
      LEGACY_VERIFY_CLIENT_CERT_FILE: pem,
      LEGACY_VERIFY_CLIENT_KEY_FILE: pem,
      LEGACY_VERIFY_CA_FILE: pem,
      LEGACY_VERIFY_MODE: 'status',
      LEGACY_VERIFY_HEALTH_URL: 'https://legacy.example.com/health',
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(settings!.auth, { kind: 'basic', user: 'jit', password: 'p:w:d' });
    assert.deepEqual(settings!.clientCertificate, { certFile: pem, keyFile: pem });
    assert.equal(settings!.caFile, pem);
    assert.equal(settings!.mode, 'status');
    assert.equal(settings!.healthUrl!.href, 'https://legacy.example.com/health');
  });

  test('the three forms of LEGACY_VERIFY_AUTH', () => {
    assert.deepEqual(readWith({ LEGACY_VERIFY_AUTH: 'bearer:eyJhbGciOi.J9-_x==' }).settings!.auth, { kind: 'bearer', token: 'eyJhbGciOi.J9-_x==' });
    assert.deepEqual(readWith({ LEGACY_VERIFY_AUTH: 'header:X-Api-Key:k:1 2' }).settings!.auth, { kind: 'header', name: 'X-Api-Key', value: 'k:1 2' });
    assert.deepEqual(readWith({ LEGACY_VERIFY_AUTH: `basic:ada:${CANARY_PASSWORDS.unicode}` }).settings!.auth, { kind: 'basic', user: 'ada', password: CANARY_PASSWORDS.unicode });
  });

  test('http on loopback, and anywhere when LEGACY_ALLOW_INSECURE_TRANSPORT allows it', () => {
    assert.deepEqual(readWith({ LEGACY_VERIFY_URL: 'http://127.0.0.1:8080/verify' }).problems, []);
    assert.deepEqual(readWith({ LEGACY_VERIFY_URL: 'http://legacy.internal/verify', LEGACY_VERIFY_HEALTH_URL: 'http://legacy.internal/health' }, true).problems, []);
  });
});

describe('readWebServiceSettings: each problem names its setting', () => {
  test('LEGACY_VERIFY_URL: not a URL, another scheme, clear text beyond loopback, credentials inside', () => {
    assert.match(problemOf({ LEGACY_VERIFY_URL: 'legacy.example.com/verify' }, 'LEGACY_VERIFY_URL'), /not a URL/);
    assert.match(problemOf({ LEGACY_VERIFY_URL: 'ftp://legacy.example.com/verify' }, 'LEGACY_VERIFY_URL'), /https:\/\//);
    assert.match(problemOf({ LEGACY_VERIFY_URL: 'http://legacy.example.com/verify' }, 'LEGACY_VERIFY_URL'), /clear text.*LEGACY_ALLOW_INSECURE_TRANSPORT/);
    const problem = problemOf({ LEGACY_VERIFY_URL: `https://jit:${encodeURIComponent(CANARY_PASSWORDS.correct)}@legacy.example.com/` }, 'LEGACY_VERIFY_URL');
    assert.match(problem, /must not hold a user name or password/);
    assert.ok(!problem.includes('Canary'), 'the password in the URL is not quoted');
  });

  test('LEGACY_VERIFY_HEALTH_URL follows the same transport rule', () => {
    assert.match(problemOf({ LEGACY_VERIFY_HEALTH_URL: 'http://legacy.example.com/health' }, 'LEGACY_VERIFY_HEALTH_URL'), /clear text/);
    assert.match(problemOf({ LEGACY_VERIFY_HEALTH_URL: 'javascript:alert(1)' }, 'LEGACY_VERIFY_HEALTH_URL'), /https:\/\//);
  });

  test('LEGACY_VERIFY_MODE: json or status', () => {
    assert.match(problemOf({ LEGACY_VERIFY_MODE: 'xml' }, 'LEGACY_VERIFY_MODE'), /json, status/);
  });

  test('mutual TLS needs both files; each named file must exist', () => {
    assert.match(problemOf({ LEGACY_VERIFY_CLIENT_CERT_FILE: pem }, 'LEGACY_VERIFY_CLIENT_KEY_FILE'), /required with LEGACY_VERIFY_CLIENT_CERT_FILE/);
    assert.match(problemOf({ LEGACY_VERIFY_CLIENT_KEY_FILE: pem }, 'LEGACY_VERIFY_CLIENT_CERT_FILE'), /required with LEGACY_VERIFY_CLIENT_KEY_FILE/);
    assert.match(problemOf({ LEGACY_VERIFY_CA_FILE: join(dir, 'missing-ca.pem') }, 'LEGACY_VERIFY_CA_FILE'), /does not exist: .*missing-ca\.pem/);
    const { problems } = readWith({ LEGACY_VERIFY_CLIENT_CERT_FILE: join(dir, 'no.pem'), LEGACY_VERIFY_CLIENT_KEY_FILE: join(dir, 'no.key') });
    assert.deepEqual(problems.map((p) => p.setting), ['LEGACY_VERIFY_CLIENT_CERT_FILE', 'LEGACY_VERIFY_CLIENT_KEY_FILE']);
  });

  test('several problems are all reported at once', () => {
    const { problems } = readWith({ LEGACY_VERIFY_URL: 'http://legacy.example.com/', LEGACY_VERIFY_MODE: 'xml', LEGACY_VERIFY_AUTH: 'token:x' });
    assert.deepEqual(problems.map((p) => p.setting).sort(), ['LEGACY_VERIFY_AUTH', 'LEGACY_VERIFY_MODE', 'LEGACY_VERIFY_URL']);
  });
});

describe('readWebServiceSettings: a malformed or hostile LEGACY_VERIFY_AUTH is refused without quoting it', () => {
  const secret = CANARY_PASSWORDS.correct; // holds '!', so it is no bearer token
  const hostile: Array<[string, string, RegExp]> = [
    ['no kind at all (the secret pasted alone)', secret, /must be bearer:<token>, basic:<user>:<password> or header:<Name>:<value>/],
    ['an unknown kind', `token:${secret}`, /must be bearer/],
    ['a kind in capitals', `Bearer:abc`, /must be bearer/],
    ['bearer with characters RFC 6750 does not allow', `bearer:${secret}`, /RFC 6750/],
    ['bearer with a space', 'bearer:abc def', /RFC 6750/],
    ['bearer empty', 'bearer:', /RFC 6750/],
    ['bearer with = inside', 'bearer:ab=cd', /RFC 6750/],
    ['basic without a password part', `basic:${secret}`, /needs a user name, a colon/],
    ['basic with an empty user', `basic::${secret}`, /needs a user name, a colon/],
    ['basic with a control character', `basic:ada:${secret}\u0007`, /no control characters/],
    ['header without a value', 'header:X-Api-Key', /needs a value/],
    ['header with an empty value', 'header:X-Api-Key:  ', /needs a value/],
    ['header with a name that is not a token', `header:X Api Key:${secret}`, /header name/],
    ['header with an empty name', `header::${secret}`, /header name/],
    ['header with the secret where the name goes', `header:${secret}`, /needs a value/],
    ['header smuggling a second header', `header:X-Api-Key:${secret}\r\nHost: evil.example`, /line breaks or control characters/],
    ['header with NUL in the value', `header:X-Api-Key:${secret}\u0000`, /line breaks or control characters/],
    ['header Transfer-Encoding (framing)', 'header:Transfer-Encoding:chunked', /may not set transfer-encoding/],
    ['header Host', `header:Host:${secret}`, /may not set host/],
    ['header Content-Length', 'header:content-length:0', /may not set content-length/],
    ['header Connection (hop-by-hop)', 'header:Connection:close', /may not set connection/],
    ['header Proxy-Authorization', `header:Proxy-Authorization:${secret}`, /may not set proxy-authorization/],
    ['9 KiB', `bearer:${'a'.repeat(9 * 1024)}`, /longer than 8 KiB/],
  ];
  for (const [name, value, expected] of hostile) {
    test(name, () => {
      const problem = problemOf({ LEGACY_VERIFY_AUTH: value }, 'LEGACY_VERIFY_AUTH');
      assert.match(problem, expected);
      for (const part of [secret, 'Canary', 'evil', 'chunked', 'aaaaaaaa']) assert.ok(!problem.includes(part), `the problem quotes the value (${name})`);
    });
  }
});
