import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { parsePasswordSubmitResponse } from '../../src/events/index.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../src/legacy/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { APP_ID, startServer, type ServerUnderTest } from './harness.js';

const post = async (server: ServerUnderTest, body: unknown, headers: Record<string, string> = {}) =>
  server.app.inject({
    method: 'POST',
    url: '/events/password-submit',
    headers: { authorization: `Bearer ${await server.token()}`, 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

const answerOf = (response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) => {
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^application\/json/);
  const answer = parsePasswordSubmitResponse(response.json());
  assert.equal(answer.data.actions.length, 1);
  return { ...answer.data.actions[0]!, nonce: answer.data.nonce };
};

describe('POST /events/password-submit', () => {
  let server: ServerUnderTest;
  before(async () => {
    server = await startServer({ responseDeadlineInMs: 300 });
  });
  after(() => server.close());

  test('the right strong password migrates, and the nonce is echoed', async () => {
    const answer = answerOf(await post(server, await server.body('ada@contoso.example', CANARY_PASSWORDS.correct, { nonce: 'n-42' })));
    assert.deepEqual(answer, { '@odata.type': 'microsoft.graph.passwordSubmit.MigratePassword', nonce: 'n-42' });
    assert.equal(server.outcomes.at(-1)?.legacyId, '1');
  });

  test('the right password that fails the policy asks for a new one', async () => {
    const answer = answerOf(await post(server, await server.body('tim@contoso.example', CANARY_PASSWORDS.weak)));
    assert.equal(answer['@odata.type'], 'microsoft.graph.passwordSubmit.UpdatePassword');
    assert.equal(server.outcomes.at(-1)?.reason, 'password-correct-policy-too-few-character-classes');
  });

  test('a wrong password and an unknown user get the same Retry', async () => {
    const wrong = answerOf(await post(server, await server.body('ada@contoso.example', CANARY_PASSWORDS.wrong)));
    const unknown = answerOf(await post(server, await server.body('nobody@contoso.example', CANARY_PASSWORDS.wrong)));
    assert.deepEqual(wrong, unknown);
    assert.equal(wrong['@odata.type'], 'microsoft.graph.passwordSubmit.Retry');
  });

  test('a locked account is blocked only with the right password, in the caller\'s language', async () => {
    assert.equal(answerOf(await post(server, await server.body('mallory@contoso.example', CANARY_PASSWORDS.wrong)))['@odata.type'], 'microsoft.graph.passwordSubmit.Retry');
    const blocked = answerOf(await post(server, await server.body('mallory@contoso.example', CANARY_PASSWORDS.correct, { locale: 'es-ES' })));
    assert.equal(blocked['@odata.type'], 'microsoft.graph.passwordSubmit.Block');
    assert.equal(blocked.title, 'Inicio de sesión bloqueado');
  });

  test('a locale naming an inherited property ("constructor") is answered in English, never a 500 or a Block without text', async () => {
    for (const locale of ['constructor', 'constructor-us', '__proto__', 'toString']) {
      const retry = answerOf(await post(server, await server.body('ada@contoso.example', CANARY_PASSWORDS.wrong, { locale })));
      assert.deepEqual(retry, { '@odata.type': 'microsoft.graph.passwordSubmit.Retry', message: 'Your password is incorrect.', nonce: 'nonce-1' }, locale);
      const blocked = answerOf(await post(server, await server.body('mallory@contoso.example', CANARY_PASSWORDS.correct, { locale })));
      assert.equal(blocked.title, 'Sign-in blocked', locale);
      assert.equal(blocked.message, 'Your account is locked. Please contact support.', locale);
    }
  });

  test('a hash that cannot be verified blocks as unavailable, naming the reason in the ledger outcome', async () => {
    const answer = answerOf(await post(server, await server.body('odd@contoso.example', CANARY_PASSWORDS.correct)));
    assert.equal(answer['@odata.type'], 'microsoft.graph.passwordSubmit.Block');
    assert.equal(answer.title, 'Temporarily unavailable');
    assert.equal(server.outcomes.at(-1)?.reason, 'legacy-hash-unverifiable');
    assert.equal(server.outcomes.at(-1)?.errorCode, 'HASH_FORMAT_UNSUPPORTED');
  });

  test('a failing legacy store blocks as unavailable', async () => {
    server.store.failWith = new Error('connection reset');
    try {
      const answer = answerOf(await post(server, await server.body('ada@contoso.example', CANARY_PASSWORDS.correct)));
      assert.equal(answer['@odata.type'], 'microsoft.graph.passwordSubmit.Block');
      assert.equal(server.outcomes.at(-1)?.reason, 'legacy-store-unavailable');
    } finally {
      delete server.store.failWith;
    }
  });

  test('the request log line names what to fix from the store error, never the driver detail that may quote the sign-in name', async () => {
    server.store.failWith = new LegacyStoreError(LegacyStoreErrorCode.MISCONFIGURED, 'The legacy web service answered 401 without a verdict: check LEGACY_VERIFY_AUTH.', {
      detail: 'Driver said: invalid input syntax for type uuid: "ada@contoso.example"',
    });
    try {
      await post(server, await server.body('ada@contoso.example', CANARY_PASSWORDS.correct));
      assert.equal(server.outcomes.at(-1)?.errorCode, 'LEGACY_STORE_MISCONFIGURED');
      const line = server.logs().split('\n').filter((text) => text.includes('"errorDetail"')).at(-1)!;
      assert.match(line, /check LEGACY_VERIFY_AUTH/);
      assert.doesNotMatch(line, /ada@contoso\.example|Driver said/);
    } finally {
      delete server.store.failWith;
    }
  });

  test('a legacy store slower than the deadline is abandoned and answered as unavailable within the deadline', async () => {
    server.store.delayInMs = 5000;
    try {
      const answer = answerOf(await post(server, await server.body('ada@contoso.example', CANARY_PASSWORDS.correct)));
      assert.equal(answer['@odata.type'], 'microsoft.graph.passwordSubmit.Block');
      const outcome = server.outcomes.at(-1)!;
      assert.equal(outcome.reason, 'deadline-exceeded');
      assert.ok(outcome.latencyInMs < 1000, `answered after ${outcome.latencyInMs} ms, not after the store's 5000 ms`);
    } finally {
      delete server.store.delayInMs;
    }
  });
});

describe('POST /events/password-submit with a store-wide hash scheme', () => {
  test('rows without a scheme and without a known shape use LEGACY_HASH_SCHEME/PARAMS, with the salt column merged in', async () => {
    const server = await startServer({ hashDefaults: { scheme: 'digest', params: { algorithm: 'sha256', saltPosition: 'prefix' } } });
    try {
      const right = answerOf(await post(server, await server.body('plain@contoso.example', CANARY_PASSWORDS.correct)));
      assert.equal(right['@odata.type'], 'microsoft.graph.passwordSubmit.MigratePassword');
      const wrong = answerOf(await post(server, await server.body('plain@contoso.example', CANARY_PASSWORDS.wrong)));
      assert.equal(wrong['@odata.type'], 'microsoft.graph.passwordSubmit.Retry');
      // A bcrypt row in the same table still verifies by its own shape.
      const bcrypt = answerOf(await post(server, await server.body('ada@contoso.example', CANARY_PASSWORDS.correct)));
      assert.equal(bcrypt['@odata.type'], 'microsoft.graph.passwordSubmit.MigratePassword');
    } finally {
      await server.close();
    }
  });
});

describe('POST /events/password-submit refusals', () => {
  let server: ServerUnderTest;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  const unauthorised = (response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, code: string) => {
    assert.equal(response.statusCode, 401);
    assert.match(String(response.headers['www-authenticate']), /^Bearer/);
    assert.equal((response.json() as { error: { code: string } }).error.code, code);
  };

  test('without a valid caller token: 401 with WWW-Authenticate, before the body is read or the store asked', async () => {
    const body = await server.body('ada@contoso.example', CANARY_PASSWORDS.correct);
    const lookups = server.lookups();
    unauthorised(await post(server, body, { authorization: '' }), 'TOKEN_MISSING');
    unauthorised(await post(server, body, { authorization: `Bearer ${await server.token({ audience: '00000000-0000-4000-8000-000000000000' })}` }), 'TOKEN_AUDIENCE_INVALID');
    const [header, payload] = (await server.token()).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    unauthorised(await post(server, body, { authorization: `Bearer ${none}` }), 'TOKEN_ALGORITHM_REFUSED');
    unauthorised(await post(server, body, { authorization: `Bearer ${header}.${payload}.AAAA` }), 'TOKEN_SIGNATURE_INVALID');
    const hs256 = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: server.tenant.signingKey().kid }).sign(new Uint8Array(32));
    unauthorised(await post(server, body, { authorization: `Bearer ${hs256}` }), 'TOKEN_ALGORITHM_REFUSED');
    assert.equal(server.lookups(), lookups, 'the legacy store was never asked');
  });

  test("the caller token's aud is exact: an identifier URI passes only for the request's own Host", async () => {
    const body = await server.body('ada@contoso.example', CANARY_PASSWORDS.correct);
    const withAudience = async (audience: string, host: string) => post(server, body, { authorization: `Bearer ${await server.token({ audience })}`, host });
    unauthorised(await withAudience(`api://evil.example/${APP_ID}`, 'auth.contoso.example'), 'TOKEN_AUDIENCE_INVALID');
    unauthorised(await withAudience(`https://evil.example/${APP_ID}`, 'evil.example'), 'TOKEN_AUDIENCE_INVALID');
    assert.equal((await withAudience(`api://auth.contoso.example/${APP_ID}`, 'auth.contoso.example')).statusCode, 200);
  });

  test('a nonce longer than an answer may echo is refused with 400, never echoed or answered 500', async () => {
    const response = await post(server, await server.body('ada@contoso.example', CANARY_PASSWORDS.correct, { nonce: 'n'.repeat(257) }));
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error.code, 'CONTEXT_MALFORMED');
    assert.ok(!response.body.includes('n'.repeat(257)));
  });

  test('bodies: oversized → 413, wrong content type → 415, not JSON → 400, each with a JSON error', async () => {
    const big = await post(server, JSON.stringify({ padding: 'x'.repeat(70 * 1024) }));
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().error.code, 'BODY_TOO_LARGE');
    const text = await post(server, 'type=x', { 'content-type': 'text/plain' });
    assert.equal(text.statusCode, 415);
    assert.equal(text.json().error.code, 'UNSUPPORTED_MEDIA_TYPE');
    const broken = await post(server, '{"data": ');
    assert.equal(broken.statusCode, 400);
    assert.equal(broken.json().error.code, 'BODY_INVALID');
    const poisoned = await post(server, '{"__proto__": {"admin": true}}');
    assert.equal(poisoned.statusCode, 400);
  });

  test('a body of the wrong shape, another tenant or a bad context is 400 with a code, never 500', async () => {
    const good = await server.body('ada@contoso.example', CANARY_PASSWORDS.correct);
    const variants: Array<[unknown, string]> = [
      [{}, 'EVENT_REQUEST_INVALID'],
      [[], 'EVENT_REQUEST_INVALID'],
      [{ ...good, type: 'microsoft.graph.authenticationEvent.tokenIssuanceStart' }, 'EVENT_REQUEST_INVALID'],
      [{ ...good, data: { ...good.data, tenantId: '00000000-0000-4000-8000-000000000000' } }, 'EVENT_TENANT_MISMATCH'],
      [{ ...good, data: { ...good.data, encryptedPasswordContext: 'not.a.jwe.at.all' } }, 'CONTEXT_MALFORMED'],
      [{ ...good, data: { ...good.data, encryptedPasswordContext: 42 } }, 'EVENT_REQUEST_INVALID'],
      [await server.body('ada@contoso.example', CANARY_PASSWORDS.correct, { now: Date.now() - 3_600_000 }), 'CONTEXT_EXPIRED'],
    ];
    for (const [body, code] of variants) {
      const response = await post(server, body);
      assert.equal(response.statusCode, 400, code);
      assert.equal(response.json().error.code, code);
    }
  });

  test('GET is the probe; health and readiness answer; unknown paths are a JSON 404', async () => {
    assert.equal((await server.app.inject({ method: 'GET', url: '/events/password-submit' })).statusCode, 200);
    assert.deepEqual((await server.app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
    assert.equal((await server.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    const missing = await server.app.inject({ method: 'GET', url: '/wp-admin' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'NOT_FOUND');
  });

  test('readiness is 503 naming the failing check', async () => {
    const down = await startServer({ ready: false });
    try {
      const response = await down.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(response.statusCode, 503);
      assert.deepEqual(response.json(), { status: 'not-ready', checks: { legacyStore: 'LEGACY_STORE_UNAVAILABLE' } });
    } finally {
      await down.close();
    }
  });

  test('the log has one line per request and never a password, a token or a context', async () => {
    const body = await server.body('ada@contoso.example', CANARY_PASSWORDS.correct);
    const token = await server.token();
    await post(server, body, { authorization: `Bearer ${token}` });
    const logs = server.logs();
    for (const password of Object.values(CANARY_PASSWORDS)) assert.ok(!logs.includes(password), 'no password in the log');
    assert.ok(!logs.includes(token.split('.')[2]!), 'no token signature in the log');
    assert.ok(!logs.includes(String(body.data.encryptedPasswordContext).slice(-40)), 'no JWE in the log');
    const requests = logs.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; action?: string }).filter((line) => line.msg === 'request');
    assert.ok(requests.some((line) => line.action === 'MigratePassword'));
  });
});

describe('POST /events/password-submit when the caller hangs up first', () => {
  test('one warning line and a 499 in the metrics, without the body or a password; the answer decided later reaches no one', async () => {
    const { request } = await import('node:http');
    const { parsePrometheusText, sampleValue } = await import('../support/prometheus-text.js');
    const server = await startServer({ responseDeadlineInMs: 1500, metrics: {} });
    try {
      await server.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = server.app.server.address() as { port: number };
      server.store.delayInMs = 400;
      const payload = JSON.stringify(await server.body('ada@contoso.example', CANARY_PASSWORDS.correct));
      const token = await server.token();
      await new Promise<void>((resolve) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/events/password-submit', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
        req.on('error', () => resolve());
        req.end(payload);
        setTimeout(() => {
          req.destroy(); // Entra giving up while the legacy check is still on its way
          resolve();
        }, 150);
      });
      let lines: Array<Record<string, unknown>> = [];
      for (let waited = 0; waited < 2000 && !lines.some((line) => line.code === 'CLIENT_CLOSED_REQUEST'); waited += 25) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        lines = server.logs().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
      }
      const closed = lines.filter((line) => line.code === 'CLIENT_CLOSED_REQUEST');
      assert.equal(closed.length, 1, server.logs());
      assert.equal(closed[0]!.status, 499);
      assert.equal(closed[0]!.path, '/events/password-submit');
      assert.ok(Number(closed[0]!.latencyInMs) >= 100 && Number(closed[0]!.latencyInMs) < 400, `closed after ${String(closed[0]!.latencyInMs)} ms`);
      assert.ok(!server.logs().includes(CANARY_PASSWORDS.correct), 'no password in the log');
      await new Promise((resolve) => setTimeout(resolve, 400)); // the legacy check ends, the handler's answer goes nowhere
      const samples = parsePrometheusText(await server.metrics!.text());
      assert.equal(sampleValue(samples, 'entra_migrate_answers_total', { event: 'OnPasswordSubmit', action: 'error', status: '499' }), 1);
      assert.equal(lines.filter((line) => line.code === 'CLIENT_CLOSED_REQUEST').length, 1, 'one line, not one per hook');
    } finally {
      delete server.store.delayInMs;
      await server.close();
    }
  });
});
