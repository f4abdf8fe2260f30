import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LegacyAuthority } from '../../../src/legacy/authority.js';
import { LegacyStoreErrorCode } from '../../../src/legacy/errors.js';
import { openWebServiceAuthority } from '../../../src/legacy/stores/web-service/index.js';
import { answerWith, startService, type TestService } from './service.js';
import { attempt, inTime, rejectsWith, settingsFrom, within } from './support.js';

// LEGACY_VERIFY_MODE=status: an existing login endpoint whose status code is the verdict and whose body is ignored.

const { ANSWER_INVALID, MISCONFIGURED, UNAVAILABLE } = LegacyStoreErrorCode;

describe('web-service store, status mode: the status is the verdict', () => {
  let service: TestService;
  let authority: LegacyAuthority;
  const check = () => authority.checkPassword(attempt(), inTime());

  before(async () => {
    service = await startService();
    authority = await openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_URL: `${service.origin}/login`, LEGACY_VERIFY_MODE: 'status' }));
  });
  after(async () => {
    await authority.close();
    await service.close();
  });

  const verdicts: Array<[string, number, unknown, unknown]> = [
    ['200 → correct', 200, '<html>Welcome back</html>', { outcome: 'correct', legacyId: null, mustChangePassword: false }],
    ['204 → correct', 204, undefined, { outcome: 'correct', legacyId: null, mustChangePassword: false }],
    ['200 with a JSON body saying valid:false → still correct (the body is not read)', 200, { valid: false }, { outcome: 'correct', legacyId: null, mustChangePassword: false }],
    ['401 → wrong', 401, 'Bad credentials', { outcome: 'wrong', legacyId: null }],
    ['403 → wrong', 403, undefined, { outcome: 'wrong', legacyId: null }],
    ['423 → blocked locked', 423, undefined, { outcome: 'blocked', legacyId: null, status: 'locked' }],
  ];
  for (const [name, status, body, expected] of verdicts) {
    test(name, async () => {
      service.answer = answerWith(status, body);
      assert.deepEqual(await check(), expected);
    });
  }

  const failures: Array<[string, number, string, RegExp]> = [
    ['404 → MISCONFIGURED naming LEGACY_VERIFY_URL', 404, MISCONFIGURED, /404.*LEGACY_VERIFY_URL/],
    ['302 (a form login redirecting) → ANSWER_INVALID naming LEGACY_VERIFY_URL', 302, ANSWER_INVALID, /redirect.*LEGACY_VERIFY_URL/],
    ['429 → UNAVAILABLE', 429, UNAVAILABLE, /429/],
    ['500 → UNAVAILABLE', 500, UNAVAILABLE, /500/],
    ['502 → UNAVAILABLE', 502, UNAVAILABLE, /502/],
    ['400 → ANSWER_INVALID naming LEGACY_VERIFY_MODE', 400, ANSWER_INVALID, /400.*LEGACY_VERIFY_MODE/],
    ['405 → ANSWER_INVALID', 405, ANSWER_INVALID, /405/],
  ];
  for (const [name, status, code, message] of failures) {
    test(name, async () => {
      service.answer = answerWith(status, 'page', status === 302 ? { location: '/home' } : {});
      await rejectsWith(check(), code, message);
    });
  }

  test('the same JSON request is sent, asking for any content type', async () => {
    service.answer = answerWith(204);
    const before = service.requests.length;
    await check();
    const seen = service.requests[before]!;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.headers.accept, '*/*');
    assert.deepEqual(Object.keys(JSON.parse(seen.body) as object), ['username', 'password', 'email', 'objectId']);
  });

  test('small bodies are drained, so one connection carries every check', async () => {
    service.answer = answerWith(200, 'x'.repeat(20_000));
    await check(); // a connection is open and idle after this one
    const connections = service.connections();
    for (let i = 0; i < 5; i += 1) assert.equal((await check()).outcome, 'correct');
    assert.equal(service.connections(), connections, 'no new connection');
  });

  test('a 1 MB page is not read: the verdict comes at once and the connection is dropped', async () => {
    service.answer = answerWith(200, 'x'.repeat(1024 * 1024));
    const before = service.requests.length;
    const started = Date.now();
    assert.equal((await check()).outcome, 'correct');
    assert.ok(Date.now() - started < 500);
    await within(service.requests[before]!.connectionClosed, 1000, 'dropping the connection');
  });
});
