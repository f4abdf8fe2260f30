import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createClientSecretCredential } from '../../src/graph/index.js';

const CLIENT_ID = '11111111-2222-4333-8444-555555555555';
const SECRET = 'write-admission-secret';

describe('emulated Graph write admission: injected 503s and the throttle-limit header', () => {
  let emulator: RunningEmulator;
  let token: string;
  before(async () => {
    emulator = await startEmulator({ port: 0, graph: { writeBudget: { perApp: 10, windowInMs: 600_000 } } });
    emulator.registerClientApp(CLIENT_ID, SECRET);
    ({ token } = await createClientSecretCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: CLIENT_ID, clientSecret: SECRET }).getToken('https://graph.microsoft.com/.default'));
  });
  after(() => emulator.close());

  const userBody = (email: string) => ({
    displayName: email,
    identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: email }],
    passwordProfile: { forceChangePasswordNextSignIn: false, password: 'Random-Initial-Password-1!' },
  });
  const post = (path: string, body: unknown) =>
    fetch(`${emulator.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const exists = (email: string) => Boolean(emulator.directory.findUserBySignInName(email));

  test('a 503 after the write: the user exists though Graph said the write failed; sent again, it conflicts', async () => {
    emulator.setGraphFaults({ serviceUnavailableAfterWriteRate: 1, serviceUnavailableRetryAfterInSeconds: null });
    try {
      const answer = await post('/v1.0/users', userBody('after@contoso.example'));
      assert.equal(answer.status, 503);
      assert.equal(answer.headers.get('retry-after'), null, 'the shape of issue 9: no Retry-After');
      assert.equal(((await answer.json()) as { error: { code: string } }).error.code, 'serviceNotAvailable');
      assert.ok(exists('after@contoso.example'));
      emulator.setGraphFaults({});
      const again = await post('/v1.0/users', userBody('after@contoso.example'));
      assert.equal(again.status, 400);
      assert.match(((await again.json()) as { error: { message: string } }).error.message, /already exists/);
    } finally {
      emulator.setGraphFaults({});
    }
  });

  test('inside a $batch the same: the inner answer is 503, the user exists, the batch itself is answered 200', async () => {
    emulator.setGraphFaults({ serviceUnavailableAfterWriteRate: 1, serviceUnavailableRetryAfterInSeconds: 2 });
    try {
      const answer = await post('/v1.0/$batch', { requests: [{ id: '1', method: 'POST', url: '/users', body: userBody('batch-after@contoso.example'), headers: { 'content-type': 'application/json' } }] });
      assert.equal(answer.status, 200);
      const [inner] = ((await answer.json()) as { responses: Array<{ status: number; headers: Record<string, string> }> }).responses;
      assert.equal(inner!.status, 503);
      assert.equal(inner!.headers['retry-after'], '2');
      assert.ok(exists('batch-after@contoso.example'));
    } finally {
      emulator.setGraphFaults({});
    }
  });

  test('a 503 before the write writes nothing; by default it carries Retry-After: 1, with null none', async () => {
    try {
      emulator.setGraphFaults({ serviceUnavailableRate: 1 });
      const withRetryAfter = await post('/v1.0/users', userBody('before1@contoso.example'));
      assert.deepEqual([withRetryAfter.status, withRetryAfter.headers.get('retry-after')], [503, '1']);
      emulator.setGraphFaults({ serviceUnavailableRate: 1, serviceUnavailableRetryAfterInSeconds: null });
      const without = await post('/v1.0/users', userBody('before2@contoso.example'));
      assert.deepEqual([without.status, without.headers.get('retry-after')], [503, null]);
      assert.ok(!exists('before1@contoso.example') && !exists('before2@contoso.example'));
    } finally {
      emulator.setGraphFaults({});
    }
  });

  test('writes past 80 % of the budget carry x-ms-throttle-limit-percentage, inner answers of a $batch too; a 429 says why', async () => {
    // Three writes of the budget of 10 are spent above (a 503 before the write costs none), so 7 are left.
    const requests = Array.from({ length: 9 }, (_, i) => ({ id: String(i), method: 'POST', url: '/users', body: userBody(`share${i}@contoso.example`), headers: { 'content-type': 'application/json' } }));
    const answer = await post('/v1.0/$batch', { requests });
    const responses = ((await answer.json()) as { responses: Array<{ status: number; headers: Record<string, string> }> }).responses;
    assert.deepEqual(responses.map((inner) => inner.status), [...Array(7).fill(201), 429, 429]);
    assert.deepEqual(responses.map((inner) => inner.headers['x-ms-throttle-limit-percentage']), [undefined, undefined, undefined, undefined, undefined, '0.90', '1.00', '1.00', '1.00']);
    const direct = await post('/v1.0/users', userBody('direct@contoso.example'));
    assert.equal(direct.status, 429);
    assert.equal(direct.headers.get('x-ms-throttle-limit-percentage'), '1.00');
    assert.equal(direct.headers.get('x-ms-throttle-information'), 'WriteLimitExceeded');
  });
});
