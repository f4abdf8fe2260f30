import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LegacyStoreErrorCode } from '../../../src/legacy/errors.js';
import { openWebServiceAuthority } from '../../../src/legacy/stores/web-service/index.js';
import { answerWith, startService, type TestService } from './service.js';
import { rejectsWith, settingsFrom } from './support.js';

// ping() (for /readyz) never checks a password: a GET of LEGACY_VERIFY_HEALTH_URL, or an OPTIONS request to
// LEGACY_VERIFY_URL without credentials.

const { ANSWER_INVALID, MISCONFIGURED, TIMEOUT, UNAVAILABLE } = LegacyStoreErrorCode;

describe('web-service store: ping', () => {
  let service: TestService;
  let elsewhere: TestService;
  before(async () => {
    service = await startService();
    elsewhere = await startService();
  });
  after(async () => {
    await service.close();
    await elsewhere.close();
  });

  /** Pings once with these settings; returns what the services saw. */
  const ping = async (raw: Record<string, string>, options: { pingTimeoutInMs?: number } = {}) => {
    const authority = await openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_AUTH: 'bearer:svc-token-7f3a', ...raw }), options);
    try {
      await authority.ping();
    } finally {
      await authority.close();
    }
  };
  const lastRequest = (on: TestService) => on.requests.at(-1)!;

  test('with LEGACY_VERIFY_HEALTH_URL on the same origin: GET it with our credentials, 2xx = ready', async () => {
    service.answer = answerWith(204);
    await ping({ LEGACY_VERIFY_URL: `${service.origin}/verify`, LEGACY_VERIFY_HEALTH_URL: `${service.origin}/health` });
    const seen = lastRequest(service);
    assert.equal(seen.method, 'GET');
    assert.equal(seen.url, '/health');
    assert.equal(seen.body, '');
    assert.ok(seen.headers.authorization === 'Bearer svc-token-7f3a', 'our credentials, on the origin that already has them');
  });

  test('with LEGACY_VERIFY_HEALTH_URL on another origin: our credentials are not sent there', async () => {
    elsewhere.answer = answerWith(200, 'ok');
    await ping({ LEGACY_VERIFY_URL: `${service.origin}/verify`, LEGACY_VERIFY_HEALTH_URL: `${elsewhere.origin}/health` });
    assert.equal(lastRequest(elsewhere).headers.authorization, undefined);
  });

  const healthFailures: Array<[number, string, RegExp]> = [
    [503, UNAVAILABLE, /health check answered 503/],
    [500, UNAVAILABLE, /500/],
    [401, MISCONFIGURED, /401.*LEGACY_VERIFY_AUTH and LEGACY_VERIFY_HEALTH_URL/],
    [403, MISCONFIGURED, /LEGACY_VERIFY_AUTH/],
    [404, MISCONFIGURED, /404.*LEGACY_VERIFY_HEALTH_URL/],
    [302, ANSWER_INVALID, /redirect \(302\).*LEGACY_VERIFY_HEALTH_URL/],
  ];
  for (const [status, code, message] of healthFailures) {
    test(`the health URL answering ${status} → ${code}`, async () => {
      service.answer = answerWith(status, 'no', status === 302 ? { location: '/elsewhere' } : {});
      await rejectsWith(ping({ LEGACY_VERIFY_URL: `${service.origin}/verify`, LEGACY_VERIFY_HEALTH_URL: `${service.origin}/health` }), code, message);
    });
  }

  test('without a health URL: one OPTIONS request to LEGACY_VERIFY_URL, no credentials, no body, never a POST', async () => {
    service.answer = answerWith(405, 'Method Not Allowed');
    const before = service.requests.length;
    await ping({ LEGACY_VERIFY_URL: `${service.origin}/verify?code=svc-key-4c1d` });
    const seen = service.requests.slice(before);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.method, 'OPTIONS');
    assert.equal(seen[0]!.url, '/verify?code=svc-key-4c1d');
    assert.equal(seen[0]!.headers.authorization, undefined);
    assert.equal(seen[0]!.body, '');
  });

  for (const status of [200, 204, 401, 404, 405, 500, 501]) {
    test(`without a health URL, an answer of ${status} means reachable`, async () => {
      service.answer = answerWith(status);
      await ping({ LEGACY_VERIFY_URL: `${service.origin}/verify` });
    });
  }

  for (const status of [502, 503, 504]) {
    test(`without a health URL, ${status} (a gateway or the service saying it cannot serve) → UNAVAILABLE`, async () => {
      service.answer = answerWith(status);
      await rejectsWith(ping({ LEGACY_VERIFY_URL: `${service.origin}/verify` }), UNAVAILABLE, new RegExp(`${status}`));
    });
  }

  test('a service that does not answer → TIMEOUT after pingTimeoutInMs', async () => {
    service.answer = () => undefined;
    const started = Date.now();
    await rejectsWith(ping({ LEGACY_VERIFY_URL: `${service.origin}/verify` }, { pingTimeoutInMs: 200 }), TIMEOUT);
    assert.ok(Date.now() - started < 400);
  });

  test('an abort signal ends a ping with its reason', async () => {
    service.answer = () => undefined;
    const authority = await openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_URL: `${service.origin}/verify` }));
    try {
      const reason = new Error('shutting down');
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 50);
      await assert.rejects(authority.ping({ abortSignal: controller.signal }), (error) => error === reason);
    } finally {
      await authority.close();
    }
  });

  test('nothing listening → UNAVAILABLE', async () => {
    const gone = await startService();
    await gone.close();
    await rejectsWith(ping({ LEGACY_VERIFY_URL: `${gone.origin}/verify` }), UNAVAILABLE, /ECONNREFUSED/);
  });
});
