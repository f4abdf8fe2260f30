import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LegacyAuthority } from '../../../src/legacy/authority.js';
import { LegacyStoreErrorCode } from '../../../src/legacy/errors.js';
import { openWebServiceAuthority } from '../../../src/legacy/stores/web-service/index.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';
import { answerWith, startService, type TestService } from './service.js';
import { assertNoSecret, attempt, inTime, OBJECT_ID, rejectsWith, settingsFrom, USERNAME } from './support.js';

// LEGACY_VERIFY_MODE=json (the default) against a real node:http server: every answer of the contract, and every
// answer outside it.

const { ANSWER_INVALID, MISCONFIGURED, UNAVAILABLE } = LegacyStoreErrorCode;

describe('web-service store, JSON mode: the request and every answer of the contract', () => {
  let service: TestService;
  let authority: LegacyAuthority;
  const check = (password: string = CANARY_PASSWORDS.correct) => authority.checkPassword(attempt(password), inTime());

  before(async () => {
    service = await startService();
    // A query string is kept (Azure Functions put their key there).
    authority = await openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_URL: `${service.origin}/api/verify?code=svc-key-4c1d` }));
  });
  after(async () => {
    await authority.close();
    await service.close();
  });

  test('POSTs exactly {username, password, email, objectId} as JSON to the URL, query included', async () => {
    service.answer = answerWith(200, { valid: true });
    const before = service.requests.length;
    await check();
    const seen = service.requests[before]!;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/api/verify?code=svc-key-4c1d');
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.equal(seen.headers.accept, 'application/json');
    assert.equal(seen.headers.authorization, undefined, 'no LEGACY_VERIFY_AUTH, no credentials');
    const body = JSON.parse(seen.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['username', 'password', 'email', 'objectId']);
    assert.ok(body.password === CANARY_PASSWORDS.correct, 'the password typed is sent as is');
    assert.equal(body.username, USERNAME);
    assert.equal(body.email, 'ada@example.org');
    assert.equal(body.objectId, OBJECT_ID);
  });

  test('a null email is sent as null', async () => {
    const before = service.requests.length;
    await authority.checkPassword(attempt(CANARY_PASSWORDS.unicode, null), inTime());
    const body = JSON.parse(service.requests[before]!.body) as Record<string, unknown>;
    assert.equal(body.email, null);
    assert.ok(body.password === CANARY_PASSWORDS.unicode, 'non-ASCII passwords arrive intact');
  });

  const verdicts: Array<[string, number, unknown, unknown]> = [
    ['200 valid:true → correct', 200, { valid: true }, { outcome: 'correct', legacyId: null, mustChangePassword: false }],
    ['200 valid:true with id → correct with the id', 200, { valid: true, id: 'u-42' }, { outcome: 'correct', legacyId: 'u-42', mustChangePassword: false }],
    ['200 mustChangePassword:true → correct, must change', 200, { valid: true, id: '7', mustChangePassword: true }, { outcome: 'correct', legacyId: '7', mustChangePassword: true }],
    ['200 status active → correct', 200, { valid: true, status: 'active' }, { outcome: 'correct', legacyId: null, mustChangePassword: false }],
    ['200 optional fields null → correct', 200, { valid: true, status: null, id: null, mustChangePassword: null }, { outcome: 'correct', legacyId: null, mustChangePassword: false }],
    ['200 fields the contract does not name are ignored', 200, { valid: true, id: '9', displayName: 'Ada', roles: ['x'] }, { outcome: 'correct', legacyId: '9', mustChangePassword: false }],
    ['200 status locked → blocked locked', 200, { valid: true, status: 'locked', id: '8' }, { outcome: 'blocked', legacyId: '8', status: 'locked' }],
    ['200 status disabled → blocked disabled', 200, { valid: true, status: 'disabled' }, { outcome: 'blocked', legacyId: null, status: 'disabled' }],
    ['200 status unknown to us → blocked (fails closed)', 200, { valid: true, status: 'suspended' }, { outcome: 'blocked', legacyId: null, status: 'blocked' }],
    ['200 status in another case → blocked (fails closed)', 200, { valid: true, status: 'ACTIVE' }, { outcome: 'blocked', legacyId: null, status: 'blocked' }],
    ['200 status locked and mustChangePassword → blocked', 200, { valid: true, status: 'locked', mustChangePassword: true }, { outcome: 'blocked', legacyId: null, status: 'locked' }],
    ['200 valid:false with id → wrong', 200, { valid: false, id: '42' }, { outcome: 'wrong', legacyId: '42' }],
    ['200 valid:false without id → unknown', 200, { valid: false }, { outcome: 'unknown' }],
    ['200 valid:false with status locked → wrong, never blocked', 200, { valid: false, id: '42', status: 'locked' }, { outcome: 'wrong', legacyId: '42' }],
    ['401 valid:false with id → wrong', 401, { valid: false, id: '42' }, { outcome: 'wrong', legacyId: '42' }],
    ['401 valid:false → unknown', 401, { valid: false }, { outcome: 'unknown' }],
    ['404 valid:false → unknown', 404, { valid: false }, { outcome: 'unknown' }],
    ['403 valid:false with id → wrong', 403, { valid: false, id: '42' }, { outcome: 'wrong', legacyId: '42' }],
    ['423 without a body → blocked locked', 423, undefined, { outcome: 'blocked', legacyId: null, status: 'locked' }],
    ['423 with a verdict → blocked locked, with the id', 423, { valid: true, id: '5' }, { outcome: 'blocked', legacyId: '5', status: 'locked' }],
    ['423 with HTML → blocked locked', 423, '<h1>Locked</h1>', { outcome: 'blocked', legacyId: null, status: 'locked' }],
  ];
  for (const [name, status, body, expected] of verdicts) {
    test(name, async () => {
      service.answer = answerWith(status, body);
      assert.deepEqual(await check(), expected);
    });
  }

  const refusals: Array<[string, number, unknown, string, RegExp]> = [
    ['401 without a body → MISCONFIGURED naming LEGACY_VERIFY_AUTH and LEGACY_VERIFY_URL', 401, undefined, MISCONFIGURED, /401.*LEGACY_VERIFY_AUTH and LEGACY_VERIFY_URL/],
    ['403 with an HTML page → MISCONFIGURED', 403, '<html>Forbidden</html>', MISCONFIGURED, /403.*LEGACY_VERIFY_AUTH and LEGACY_VERIFY_URL/],
    ['401 with JSON of another shape → MISCONFIGURED', 401, { error: 'invalid_token' }, MISCONFIGURED, /LEGACY_VERIFY_AUTH/],
    ['404 without a body → MISCONFIGURED naming LEGACY_VERIFY_URL', 404, undefined, MISCONFIGURED, /404.*LEGACY_VERIFY_URL/],
    ['401 with valid:true → ANSWER_INVALID (only 200 may say true)', 401, { valid: true }, ANSWER_INVALID, /only 200/],
    ['429 → UNAVAILABLE', 429, { valid: false }, UNAVAILABLE, /429/],
    ['500 → UNAVAILABLE', 500, 'Internal Server Error', UNAVAILABLE, /500/],
    ['503 with a verdict-shaped body → UNAVAILABLE', 503, { valid: true }, UNAVAILABLE, /503/],
    ['400 → ANSWER_INVALID', 400, { valid: false }, ANSWER_INVALID, /400.*LEGACY_VERIFY_URL/],
    ['201 → ANSWER_INVALID (only 200 carries a verdict)', 201, { valid: true }, ANSWER_INVALID, /201/],
    ['204 → ANSWER_INVALID', 204, undefined, ANSWER_INVALID, /204/],
    ['200 with HTML → ANSWER_INVALID', 200, '<html>Welcome</html>', ANSWER_INVALID, /not JSON/],
    ['200 empty → ANSWER_INVALID', 200, '', ANSWER_INVALID, /not JSON/],
    ['200 valid as a string → ANSWER_INVALID', 200, { valid: 'true' }, ANSWER_INVALID, /"valid" must be a boolean/],
    ['200 valid as a number → ANSWER_INVALID', 200, { valid: 1 }, ANSWER_INVALID, /"valid"/],
    ['200 valid missing → ANSWER_INVALID', 200, { ok: true }, ANSWER_INVALID, /"valid"/],
    ['200 a JSON array → ANSWER_INVALID', 200, [{ valid: true }], ANSWER_INVALID, /JSON object/],
    ['200 JSON null → ANSWER_INVALID', 200, 'null', ANSWER_INVALID, /JSON object/],
    ['200 id as a number → ANSWER_INVALID', 200, { valid: true, id: 42 }, ANSWER_INVALID, /"id" must be a string/],
    ['200 id empty → ANSWER_INVALID', 200, { valid: true, id: '' }, ANSWER_INVALID, /"id" is empty/],
    ['200 id of 257 characters → ANSWER_INVALID', 200, { valid: true, id: 'x'.repeat(257) }, ANSWER_INVALID, /"id" is longer than 256/],
    ['200 id with a line break → ANSWER_INVALID', 200, { valid: true, id: '42\nINFO forged log line' }, ANSWER_INVALID, /"id" holds control characters/],
    ['200 status as a number → ANSWER_INVALID', 200, { valid: true, status: 3 }, ANSWER_INVALID, /"status"/],
    ['200 mustChangePassword as a string → ANSWER_INVALID', 200, { valid: true, mustChangePassword: 'yes' }, ANSWER_INVALID, /"mustChangePassword"/],
    ['200 not UTF-8 → ANSWER_INVALID', 200, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), ANSWER_INVALID, /not UTF-8/],
    ['200 unterminated → ANSWER_INVALID', 200, '{"valid": tru', ANSWER_INVALID, /not JSON/],
    ['200 arrays nested 30,000 deep (60 KB) → ANSWER_INVALID, no crash', 200, `${'['.repeat(30_000)}${']'.repeat(30_000)}`, ANSWER_INVALID, /JSON object/],
    ['200 objects nested 5,000 deep (55 KB) → ANSWER_INVALID, no crash', 200, `${'{"valid":'.repeat(5_000)}true${'}'.repeat(5_000)}`, ANSWER_INVALID, /"valid" must be a boolean/],
  ];
  for (const [name, status, body, code, message] of refusals) {
    test(name, async () => {
      service.answer = answerWith(status, body);
      await rejectsWith(check(), code, message);
    });
  }

  test('id of exactly 256 characters is accepted', async () => {
    service.answer = answerWith(200, { valid: true, id: 'x'.repeat(256) });
    assert.equal(((await check()) as { legacyId: string }).legacyId.length, 256);
  });

  test('a service echoing the request back never gets the password or user name into the error', async () => {
    const echoes: Array<[number, (body: string) => string, string]> = [
      [200, (body) => JSON.stringify({ valid: JSON.parse(body) as unknown }), ANSWER_INVALID],
      [200, (body) => body, ANSWER_INVALID],
      [200, (body) => JSON.stringify({ valid: true, id: (JSON.parse(body) as { password: string }).password.repeat(20) }), ANSWER_INVALID],
      [200, (body) => JSON.stringify({ valid: true, status: (JSON.parse(body) as { password: string }).password }), 'blocked'],
      [500, (body) => body, UNAVAILABLE],
      [401, (body) => body, MISCONFIGURED],
    ];
    for (const [status, echo, code] of echoes) {
      service.answer = (request, response) => void response.writeHead(status, { 'content-type': 'application/json' }).end(echo(request.body));
      if (code === 'blocked') assert.deepEqual(await check(CANARY_PASSWORDS.wrong), { outcome: 'blocked', legacyId: null, status: 'blocked' });
      else await rejectsWith(check(CANARY_PASSWORDS.wrong), code);
    }
  });

  test('the secret check used by these tests does catch a leak', () => {
    assert.throws(() => assertNoSecret(new Error(`no account ${USERNAME}`)));
    assert.throws(() => assertNoSecret(new Error('x', { cause: new Error(CANARY_PASSWORDS.unicode) })));
  });
});
