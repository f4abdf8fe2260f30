import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import type { MigratedAccount } from '../../src/bulk/steps/legacy-marker.js';
import { idempotencyKeyOf, markOutcomeOf, openWebMarker } from '../../src/bulk/steps/web-marker.js';
import { ConfigError } from '../../src/config/errors.js';
import { loadReconcileConfig, type ReconcileConfig } from '../../src/config/reconcile-config.js';
import { LegacyStoreErrorCode } from '../../src/legacy/errors.js';
import { makeTestPki, type TestPki } from '../legacy/web-service/pki.js';
import { answerWith, startService, type TestService } from '../legacy/web-service/service.js';
import { RECONCILE_SETTINGS } from './reconcile-settings.js';

// The web-service mark (LEGACY_MARK_MIGRATED_URL) against real node:http(s) servers on loopback, its settings
// through loadReconcileConfig as the command reads them.

const BASE = RECONCILE_SETTINGS;
const TOKEN = 'mark-token-5e1b';
const OBJECT_ID = '6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const ACCOUNT: MigratedAccount = { legacyId: '42', objectId: OBJECT_ID, migratedAt: new Date('2026-11-24T12:00:00Z') };
const { ANSWER_INVALID, MISCONFIGURED, OPTIONS_INVALID, TIMEOUT, UNAVAILABLE } = LegacyStoreErrorCode;

/** The mark's settings from `raw` over BASE; fails the test on any problem. */
function markSettingsFrom(raw: Record<string, string>) {
  const mark = loadReconcileConfig({ ...BASE, ...raw }).markMigrated;
  assert.equal(mark?.kind, 'url');
  return mark.service;
}

/** The problems loadReconcileConfig reports for `raw` over BASE, as `SETTING problem` lines. */
function problemsOf(raw: Record<string, string>): string[] {
  try {
    loadReconcileConfig({ ...BASE, ...raw });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.ok(!inspect(error).includes(TOKEN), 'a problem quotes the token');
    return error.problems.map(({ setting, problem }) => `${setting} ${problem}`);
  }
  return [];
}

/** One mark through a marker opened on `raw`'s settings, closed afterwards; resolves with the rejection, or undefined. */
async function markWith(raw: Record<string, string>, account: MigratedAccount = ACCOUNT, timeoutInMs?: number): Promise<(Error & { code: string }) | undefined> {
  const marker = await openWebMarker(markSettingsFrom(raw), { timeoutInMs });
  try {
    await marker.mark(account);
    return undefined;
  } catch (error) {
    return error as Error & { code: string };
  } finally {
    await marker.close();
  }
}

describe('web-service mark: the request and what each status means', () => {
  let service: TestService;
  let url: string;
  before(async () => {
    service = await startService();
    url = `${service.origin}/api/migrated?code=k`;
  });
  after(() => service.close());

  test('one POST of {legacyId, objectId, migratedAt} with the Idempotency-Key and our credentials; 2xx is done', async () => {
    service.answer = answerWith(204);
    service.requests.length = 0;
    assert.equal(await markWith({ LEGACY_MARK_MIGRATED_URL: url, LEGACY_VERIFY_AUTH: `bearer:${TOKEN}` }), undefined);
    assert.equal(service.requests.length, 1);
    const [seen] = service.requests;
    assert.equal(seen!.method, 'POST');
    assert.equal(seen!.url, '/api/migrated?code=k');
    assert.equal(seen!.body, `{"legacyId":"42","objectId":"${OBJECT_ID}","migratedAt":"2026-11-24T12:00:00.000Z"}`);
    assert.equal(seen!.headers['content-type'], 'application/json');
    assert.equal(seen!.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(seen!.headers['idempotency-key'], `"42:${OBJECT_ID}"`);
    assert.equal(seen!.headers['user-agent'], 'entra-migrate');
  });

  test('the Idempotency-Key is the same for every delivery of an account, different for any other, always a plain string', () => {
    assert.equal(idempotencyKeyOf(ACCOUNT), idempotencyKeyOf({ ...ACCOUNT }));
    assert.notEqual(idempotencyKeyOf(ACCOUNT), idempotencyKeyOf({ ...ACCOUNT, legacyId: '43' }));
    assert.notEqual(idempotencyKeyOf(ACCOUNT), idempotencyKeyOf({ ...ACCOUNT, objectId: OBJECT_ID.replace('6b', '7b') }));
    for (const legacyId of ['ada@example.com', 'a"b\\c:d', 'Grüße 😀', '\ud800lone', 'x\r\nInjected: 1']) {
      assert.match(idempotencyKeyOf({ legacyId, objectId: OBJECT_ID }), /^"[\x21\x23-\x5b\x5d-\x7e]+"$/, legacyId);
    }
    assert.equal(idempotencyKeyOf({ legacyId: 'ada@example.com', objectId: OBJECT_ID }), `"ada%40example.com:${OBJECT_ID}"`);
  });

  test('410 Gone is done (the account is no longer there); 404 is a failure naming the URL setting', async () => {
    service.answer = answerWith(410);
    assert.equal(await markWith({ LEGACY_MARK_MIGRATED_URL: url }), undefined);
    service.answer = answerWith(404, { error: 'no such route' });
    const error = await markWith({ LEGACY_MARK_MIGRATED_URL: url });
    assert.equal(error?.code, MISCONFIGURED);
    assert.match(error!.message, /^LEGACY_MARK_MIGRATED_URL failed: The legacy web service answered 404: the address was not found; check LEGACY_MARK_MIGRATED_URL/);
  });

  test('every other status is a failure with the status in one line, never the body (it could echo the account)', async () => {
    const cases: Array<[number, string, RegExp]> = [
      [503, UNAVAILABLE, /answered 503\.$/],
      [500, UNAVAILABLE, /answered 500\.$/],
      [429, UNAVAILABLE, /answered 429\.$/],
      [401, MISCONFIGURED, /answered 401: it refused our credentials; check LEGACY_VERIFY_AUTH/],
      [403, MISCONFIGURED, /answered 403: it refused our credentials/],
      [400, ANSWER_INVALID, /answered 400, which the mark's contract gives no meaning to/],
      [409, ANSWER_INVALID, /answered 409/],
    ];
    for (const [status, code, message] of cases) {
      service.answer = answerWith(status, { echo: `legacy id 42 ${OBJECT_ID} secret-echo` });
      const error = await markWith({ LEGACY_MARK_MIGRATED_URL: url, LEGACY_VERIFY_AUTH: `bearer:${TOKEN}` });
      assert.equal(error?.code, code, `${status}: ${error?.message}`);
      assert.ok(!inspect(error, { depth: 6 }).includes(TOKEN), 'the error holds our token');
      assert.match(error!.message, /^LEGACY_MARK_MIGRATED_URL failed: /);
      assert.match(error!.message, message);
      assert.ok(!error!.message.includes('secret-echo') && !error!.message.includes('?code=k'), error!.message);
    }
    assert.equal(markOutcomeOf(200), undefined);
    assert.equal(markOutcomeOf(299), undefined);
  });

  test('a redirect is refused, not followed: the address it names receives nothing', async () => {
    const elsewhere = await startService();
    try {
      service.answer = answerWith(307, undefined, { location: `${elsewhere.origin}/other` });
      const error = await markWith({ LEGACY_MARK_MIGRATED_URL: url });
      assert.equal(error?.code, ANSWER_INVALID);
      assert.match(error!.message, /answered 307, a redirect, which is not followed: set LEGACY_MARK_MIGRATED_URL to the address that answers/);
      assert.equal(elsewhere.requests.length, 0);
    } finally {
      await elsewhere.close();
    }
  });

  test('a service that never answers times out within the per-request timeout', async () => {
    service.answer = () => new Promise(() => undefined); // holds the request open
    const started = Date.now();
    const error = await markWith({ LEGACY_MARK_MIGRATED_URL: url }, ACCOUNT, 300);
    const took = Date.now() - started;
    assert.equal(error?.code, TIMEOUT);
    assert.match(error!.message, /^LEGACY_MARK_MIGRATED_URL failed: The legacy web service at http:\/\/127\.0\.0\.1:\d+\/api\/migrated did not answer within 300 ms\.$/);
    assert.ok(took >= 290 && took < 3000, `took ${took} ms`);
  });

  test('a service that is down is a failure naming the connection error', async () => {
    const down = await startService();
    const origin = down.origin;
    await down.close();
    const error = await markWith({ LEGACY_MARK_MIGRATED_URL: `${origin}/mark` });
    assert.equal(error?.code, UNAVAILABLE);
    assert.match(error!.message, /^LEGACY_MARK_MIGRATED_URL failed: The legacy web service at .* cannot be reached \(ECONNREFUSED\)/);
  });
});

describe('web-service mark over https with mutual TLS: the web-service store\'s client settings', () => {
  const pki: TestPki = makeTestPki();
  let service: TestService;
  before(async () => {
    service = await startService({
      tls: { cert: pki.read(pki.serverCertFile), key: pki.read(pki.serverKeyFile), ca: pki.read(pki.caFile), requestCert: true, rejectUnauthorized: true },
    });
    service.answer = answerWith(200, { ok: true });
  });
  after(async () => {
    await service.close();
    pki.remove();
  });

  test('LEGACY_VERIFY_CA_FILE and the client certificate are used: the service sees our certificate', async () => {
    const tls = { LEGACY_VERIFY_CA_FILE: pki.caFile, LEGACY_VERIFY_CLIENT_CERT_FILE: pki.clientCertFile, LEGACY_VERIFY_CLIENT_KEY_FILE: pki.clientKeyFile };
    assert.equal(await markWith({ LEGACY_MARK_MIGRATED_URL: `${service.origin}/mark`, ...tls }), undefined);
    assert.equal(service.requests.at(-1)!.peerCommonName, 'entra-migrate');
  });

  test('without the CA, the certificate is not trusted: the failure names LEGACY_VERIFY_CA_FILE and our URL setting', async () => {
    const error = await markWith({ LEGACY_MARK_MIGRATED_URL: `${service.origin}/mark` });
    assert.equal(error?.code, MISCONFIGURED);
    assert.match(error!.message, /certificate we do not trust \([A-Z_]+\): check LEGACY_VERIFY_CA_FILE and the host name in LEGACY_MARK_MIGRATED_URL/);
  });

  test('a key that is not the certificate\'s stops the opening (LEGACY_STORE_OPTIONS_INVALID), nothing sent', async () => {
    const before = service.requests.length;
    const settings = markSettingsFrom({ LEGACY_MARK_MIGRATED_URL: `${service.origin}/mark`, LEGACY_VERIFY_CLIENT_CERT_FILE: pki.clientCertFile, LEGACY_VERIFY_CLIENT_KEY_FILE: pki.otherClientKeyFile });
    await assert.rejects(openWebMarker(settings), (error: Error & { code: string }) => error.code === OPTIONS_INVALID && /LEGACY_VERIFY_CLIENT_KEY_FILE/.test(error.message));
    assert.equal(service.requests.length, before);
  });
});

describe('LEGACY_MARK_MIGRATED_URL settings', () => {
  test('read with the web-service store\'s auth and files, its URL under the transport rule', () => {
    const settings = markSettingsFrom({ LEGACY_MARK_MIGRATED_URL: 'https://legacy.example.com/api/migrated', LEGACY_VERIFY_AUTH: `header:X-Api-Key:${TOKEN}` });
    assert.equal(settings.url.href, 'https://legacy.example.com/api/migrated');
    assert.deepEqual(settings.auth, { kind: 'header', name: 'X-Api-Key', value: TOKEN });
    assert.equal(markSettingsFrom({ LEGACY_MARK_MIGRATED_URL: 'http://localhost:8080/mark' }).url.protocol, 'http:');
    assert.equal(markSettingsFrom({ LEGACY_MARK_MIGRATED_URL: 'http://legacy.internal/mark', LEGACY_ALLOW_INSECURE_TRANSPORT: 'true' }).url.hostname, 'legacy.internal');
    // LEGACY_VERIFY_URL and its health URL are not needed, and not read: a mark alone is fine.
    assert.equal(markSettingsFrom({ LEGACY_MARK_MIGRATED_URL: 'https://legacy.example.com/m', LEGACY_VERIFY_HEALTH_URL: 'not a url' }).url.pathname, '/m');
  });

  test('exactly one of the query and the URL', () => {
    assert.deepEqual(problemsOf({ LEGACY_MARK_MIGRATED_URL: 'https://legacy.example.com/m', LEGACY_MARK_MIGRATED_QUERY: 'UPDATE users SET m = 1 WHERE id = :legacyId', LEGACY_DATABASE_URL: 'sqlite://legacy.db' }), [
      'LEGACY_MARK_MIGRATED_URL cannot be set with LEGACY_MARK_MIGRATED_QUERY: the legacy side is told one way, by a query (SQL stores) or by a POST (web services); unset one',
    ]);
    const sql: ReconcileConfig['markMigrated'] = loadReconcileConfig({ ...BASE, LEGACY_MARK_MIGRATED_QUERY: 'UPDATE users SET m = 1 WHERE id = :legacyId', LEGACY_DATABASE_URL: 'sqlite://legacy.db' }).markMigrated;
    assert.equal(sql?.kind, 'query');
    assert.equal(loadReconcileConfig(BASE).markMigrated, null);
  });

  test('http beyond loopback, a malformed URL, another scheme, credentials in the URL, a bad auth: each named', () => {
    assert.deepEqual(problemsOf({ LEGACY_MARK_MIGRATED_URL: 'http://legacy.example.com/m' }), [
      'LEGACY_MARK_MIGRATED_URL is http:// to legacy.example.com, which would send passwords in clear text; use https:// (accepted in clear only for localhost, 127.0.0.1 or [::1]), or set LEGACY_ALLOW_INSECURE_TRANSPORT=true if you mean it',
    ]);
    assert.deepEqual(problemsOf({ LEGACY_MARK_MIGRATED_URL: 'legacy.example.com/m' }), ['LEGACY_MARK_MIGRATED_URL is not a URL']);
    assert.deepEqual(problemsOf({ LEGACY_MARK_MIGRATED_URL: 'ftp://legacy.example.com/m' }), ['LEGACY_MARK_MIGRATED_URL must start with https:// or http://, not ftp://']);
    assert.match(problemsOf({ LEGACY_MARK_MIGRATED_URL: `https://u:${TOKEN}@legacy.example.com/m` }).join('\n'), /^LEGACY_MARK_MIGRATED_URL must not hold a user name or password/);
    assert.match(problemsOf({ LEGACY_MARK_MIGRATED_URL: 'https://legacy.example.com/m', LEGACY_VERIFY_AUTH: `token:${TOKEN}` }).join('\n'), /^LEGACY_VERIFY_AUTH must be bearer:<token>/);
    assert.match(problemsOf({ LEGACY_MARK_MIGRATED_URL: 'https://legacy.example.com/m', LEGACY_VERIFY_CLIENT_CERT_FILE: '/no/such/cert.pem' }).join('\n'), /LEGACY_VERIFY_CLIENT_CERT_FILE/);
  });
});
