import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { LegacyStoreSettings } from '../../../src/config/serve-config.js';
import { SettingsReader, type RawSettings } from '../../../src/config/settings.js';
import { readTokenClaimsSettings } from '../../../src/config/token-claims-settings.js';
import { openWebServiceClaimsSource, TokenClaimsErrorCode, type TokenClaimsSource } from '../../../src/legacy/claims/index.js';
import { LegacyStoreErrorCode } from '../../../src/legacy/index.js';
import { makeTestPki, type TestPki } from '../web-service/pki.js';
import { answerWith, startService, type TestService } from '../web-service/service.js';
import { settingsFrom } from '../web-service/support.js';

const ADA = { objectId: 'ada-object-id', email: 'ada@contoso.example', legacyId: '42' };
const inTime = (ms = 1000) => ({ abortSignal: new AbortController().signal, deadlineAt: Date.now() + ms });
const SERVICE_TOKEN = 'svc-token-claims-7f3a';

/** The claims source as `serve` opens it: the legacy web service's settings, TOKEN_CLAIMS_URL read by the config. */
async function sourceFor(legacyRaw: RawSettings, claimsUrl: string): Promise<TokenClaimsSource> {
  const legacy: LegacyStoreSettings = { kind: 'web-service', webService: settingsFrom(legacyRaw) };
  const read = new SettingsReader({ TOKEN_CLAIMS_URL: claimsUrl });
  const settings = readTokenClaimsSettings(read, legacy);
  assert.deepEqual(read.problems, []);
  assert.ok(settings?.source.kind === 'web-service');
  return openWebServiceClaimsSource(settings.source.webService);
}

describe('web-service claims source (TOKEN_CLAIMS_URL)', () => {
  let service: TestService;
  let source: TokenClaimsSource;
  before(async () => {
    service = await startService();
    source = await sourceFor({ LEGACY_VERIFY_URL: `${service.origin}/verify`, LEGACY_VERIFY_AUTH: `bearer:${SERVICE_TOKEN}` }, `${service.origin}/claims`);
  });
  after(async () => {
    await source.close();
    await service.close();
  });

  test('POSTs {objectId, email, legacyId} with the legacy web service\'s credentials; the JSON object is the claims', async () => {
    service.answer = answerWith(200, { roles: ['Writer', 'Editor'], tier: 2, nickname: null });
    assert.deepEqual(await source.claimsFor(ADA, inTime()), { roles: ['Writer', 'Editor'], tier: '2' });
    const seen = service.requests.at(-1)!;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/claims');
    assert.deepEqual(JSON.parse(seen.body), ADA);
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.ok(seen.headers.authorization === `Bearer ${SERVICE_TOKEN}`, 'the legacy web service\'s bearer token');
  });

  test('unknown user: {}, 204 or 404 → no claims', async () => {
    for (const answer of [answerWith(200, {}), answerWith(204), answerWith(404, 'not found')]) {
      service.answer = answer;
      assert.deepEqual(await source.claimsFor({ ...ADA, legacyId: null }, inTime()), {});
    }
  });

  test('statuses: 401/403 → MISCONFIGURED, 5xx and 429 → UNAVAILABLE, 3xx and others → ANSWER_INVALID; no token in the error', async () => {
    const cases: Array<[number, string]> = [
      [401, LegacyStoreErrorCode.MISCONFIGURED],
      [403, LegacyStoreErrorCode.MISCONFIGURED],
      [500, LegacyStoreErrorCode.UNAVAILABLE],
      [503, LegacyStoreErrorCode.UNAVAILABLE],
      [429, LegacyStoreErrorCode.UNAVAILABLE],
      [302, LegacyStoreErrorCode.ANSWER_INVALID],
      [307, LegacyStoreErrorCode.ANSWER_INVALID],
      [400, LegacyStoreErrorCode.ANSWER_INVALID],
      [201, LegacyStoreErrorCode.ANSWER_INVALID],
    ];
    for (const [status, code] of cases) {
      service.answer = answerWith(status, { roles: ['x'] }, status === 302 ? { location: 'https://elsewhere.example/' } : {});
      await assert.rejects(source.claimsFor(ADA, inTime()), (error: Error & { code: string }) => {
        assert.equal(error.code, code, `status ${status}`);
        assert.ok(!inspect(error).includes(SERVICE_TOKEN));
        return true;
      });
    }
  });

  test('malformed and hostile answers: not JSON, not an object, a nested object, over 64 KiB, over 3 KB, a __proto__ key', async () => {
    const cases: Array<[string | object, string]> = [
      ['not json', LegacyStoreErrorCode.ANSWER_INVALID],
      [[1, 2], LegacyStoreErrorCode.ANSWER_INVALID],
      ['null', LegacyStoreErrorCode.ANSWER_INVALID],
      [{ roles: { admin: true } }, TokenClaimsErrorCode.VALUE_INVALID],
      [{ roles: 'x'.repeat(70 * 1024) }, LegacyStoreErrorCode.ANSWER_INVALID],
      [{ roles: 'x'.repeat(3100) }, TokenClaimsErrorCode.TOO_LARGE],
      ['{"__proto__": {"admin": "yes"}}', TokenClaimsErrorCode.NAME_INVALID],
      [{ 'bad name': 'x' }, TokenClaimsErrorCode.NAME_INVALID],
    ];
    for (const [body, code] of cases) {
      service.answer = (_request, response) => void response.writeHead(200, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
      await assert.rejects(source.claimsFor(ADA, inTime()), { code });
    }
  });

  test('a service slower than the deadline: LEGACY_STORE_TIMEOUT; an aborted call: the abort reason', async () => {
    service.answer = () => undefined; // never answers
    await assert.rejects(source.claimsFor(ADA, inTime(150)), { code: LegacyStoreErrorCode.TIMEOUT });
    const controller = new AbortController();
    const reason = new Error('handler gave up');
    const pending = source.claimsFor(ADA, { abortSignal: controller.signal, deadlineAt: Date.now() + 5000 });
    setTimeout(() => controller.abort(reason), 20);
    await assert.rejects(pending, (error) => error === reason);
  });

  test('nothing listening: LEGACY_STORE_UNAVAILABLE', async () => {
    const gone = await sourceFor({ LEGACY_VERIFY_URL: 'http://127.0.0.1:1/verify' }, 'http://127.0.0.1:1/claims');
    try {
      await assert.rejects(gone.claimsFor(ADA, inTime()), { code: LegacyStoreErrorCode.UNAVAILABLE });
    } finally {
      await gone.close();
    }
    await assert.rejects(gone.claimsFor(ADA, inTime()), { code: LegacyStoreErrorCode.UNAVAILABLE }, 'closed');
  });
});

describe('web-service claims source over mutual TLS', () => {
  const pki: TestPki = makeTestPki();
  let service: TestService;
  before(async () => {
    service = await startService({ tls: { cert: pki.read(pki.serverCertFile), key: pki.read(pki.serverKeyFile), ca: pki.read(pki.caFile), requestCert: true, rejectUnauthorized: true } });
    service.answer = answerWith(200, { roles: ['Reader'] });
  });
  after(async () => {
    await service.close();
    pki.remove();
  });

  test('the LEGACY_VERIFY_* CA and client certificate are used for TOKEN_CLAIMS_URL', async () => {
    const source = await sourceFor(
      { LEGACY_VERIFY_URL: `${service.origin}/verify`, LEGACY_VERIFY_CA_FILE: pki.caFile, LEGACY_VERIFY_CLIENT_CERT_FILE: pki.clientCertFile, LEGACY_VERIFY_CLIENT_KEY_FILE: pki.clientKeyFile },
      `${service.origin}/claims`,
    );
    try {
      assert.deepEqual(await source.claimsFor(ADA, inTime(3000)), { roles: ['Reader'] });
      assert.ok(service.requests.at(-1)!.peerCommonName, 'the client certificate was presented');
    } finally {
      await source.close();
    }
  });

  test('without the client certificate the service refuses us: MISCONFIGURED', async () => {
    const source = await sourceFor({ LEGACY_VERIFY_URL: `${service.origin}/verify`, LEGACY_VERIFY_CA_FILE: pki.caFile }, `${service.origin}/claims`);
    try {
      await assert.rejects(source.claimsFor(ADA, inTime(3000)), { code: LegacyStoreErrorCode.MISCONFIGURED });
    } finally {
      await source.close();
    }
  });
});
