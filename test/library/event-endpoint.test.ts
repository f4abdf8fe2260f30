import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { encryptPasswordContext } from '../../src/emulator/index.js';
import {
  callerTokenRefusal,
  createEventEndpoint,
  EventCallFailure,
  generateDecryptionKeyForTests,
  loadKeyRing,
  SecurityError,
  SecurityErrorCode,
  type EventOutcome,
  type EventRefusal,
} from './endpoint-imports.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { APP_ID, CORRELATION_ID, FIXTURE_USER_ID, libraryTenant, type LibraryTenant } from './harness.js';

/** Records what the endpoint reported: exactly one outcome or refusal per call. */
function recorder() {
  const outcomes: EventOutcome[] = [];
  const refusals: EventRefusal[] = [];
  return { outcomes, refusals, onOutcome: (outcome: EventOutcome) => outcomes.push(outcome), onRefusal: (refusal: EventRefusal) => refusals.push(refusal) };
}

/** A request stream that says whether anybody read it. */
function stream(text: string, chunkSize = 1024) {
  const state = { read: false };
  const iterable = {
    async *[Symbol.asyncIterator]() {
      state.read = true;
      for (let i = 0; i < text.length; i += chunkSize) yield Buffer.from(text.slice(i, i + chunkSize));
    },
  };
  return { iterable, state };
}

const json = (answer: { body: string }) => JSON.parse(answer.body);

let t: LibraryTenant;
before(async () => {
  t = await libraryTenant();
});

describe('createEventEndpoint: a custom claims provider answered end to end', () => {
  test('a real caller token and Microsoft\'s request: 200 with the claims, JSON headers, one outcome with the audit note', async () => {
    const seen = recorder();
    const endpoint = createEventEndpoint({
      event: 'OnTokenIssuanceStart',
      tenantId: t.tenantId,
      verifier: t.verifier,
      onOutcome: seen.onOutcome,
      onRefusal: seen.onRefusal,
      handle: (request, context) => {
        assert.equal(context.caller.callerAppId, '99045fe1-7639-4a75-9d4a-577b6ca3810f');
        assert.ok(context.answerBy > context.receivedAt);
        context.audit({ reason: 'claims-from-legacy', legacyId: '42' });
        return { action: 'provideClaimsForToken', claims: { legacyId: '42', roles: ['Writer', 'Editor'], userId: request.data.authenticationContext.user.id } };
      },
    });
    const { iterable } = stream(JSON.stringify(t.body('token-issuance-start')), 100);
    const answer = await endpoint({ body: iterable, authorization: await t.authorization(), host: 'extension.example' });
    assert.equal(answer.status, 200, answer.body);
    assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(json(answer), {
      data: {
        '@odata.type': 'microsoft.graph.onTokenIssuanceStartResponseData',
        actions: [{ '@odata.type': 'microsoft.graph.tokenIssuanceStart.provideClaimsForToken', claims: { legacyId: '42', roles: ['Writer', 'Editor'], userId: FIXTURE_USER_ID } }],
      },
    });
    assert.equal(seen.refusals.length, 0);
    assert.equal(seen.outcomes.length, 1);
    const { latencyInMs, ...outcome } = seen.outcomes[0]!;
    assert.ok(latencyInMs >= 0);
    assert.deepEqual(outcome, { event: 'OnTokenIssuanceStart', correlationId: CORRELATION_ID, objectId: FIXTURE_USER_ID, action: 'provideClaimsForToken', status: 200, reason: 'claims-from-legacy', legacyId: '42', errorCode: null, errorDetail: null });
    assert.ok(!JSON.stringify(seen.outcomes).includes('Editor'), 'no claim value in the outcome');
  });

  test('the body may be text, bytes or an already parsed value', async () => {
    const endpoint = createEventEndpoint({ event: 'OnTokenIssuanceStart', tenantId: t.tenantId, verifier: t.verifier, handle: () => ({ action: 'provideClaimsForToken', claims: {} }) });
    const body = t.body('token-issuance-start');
    for (const form of [JSON.stringify(body), Buffer.from(JSON.stringify(body)), new Uint8Array(Buffer.from(JSON.stringify(body))), body]) {
      const answer = await endpoint({ body: form, authorization: await t.authorization(), host: undefined });
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual(json(answer).data.actions[0].claims, {});
    }
  });

  test('the default verifier takes the tenant\'s keys from its OpenID metadata through the injected fetch', async () => {
    const endpoint = createEventEndpoint({ event: 'OnTokenIssuanceStart', tenantId: t.tenantId, extensionAppId: APP_ID, fetch: t.fetch, handle: () => ({ action: 'provideClaimsForToken', claims: {} }) });
    assert.equal((await endpoint({ body: t.body('token-issuance-start'), authorization: await t.authorization(), host: undefined })).status, 200);
    const other = await libraryTenant();
    const refused = await endpoint({ body: t.body('token-issuance-start'), authorization: await other.authorization(), host: undefined });
    assert.equal(refused.status, 401);
  });
});

describe('createEventEndpoint: the caller token, checked before the body is read', () => {
  const endpointWith = (seen: ReturnType<typeof recorder>) =>
    createEventEndpoint({ event: 'OnOtpSend', tenantId: t.tenantId, verifier: t.verifier, ...seen, handle: () => assert.fail('the handler ran') });

  test('no token: 401, WWW-Authenticate: Bearer, the body stream untouched, one refusal and no outcome', async () => {
    const seen = recorder();
    const { iterable, state } = stream(JSON.stringify(t.body('otp-send')));
    const answer = await endpointWith(seen)({ body: iterable, authorization: undefined, host: undefined });
    assert.equal(answer.status, 401);
    assert.equal(answer.headers['www-authenticate'], 'Bearer');
    assert.equal(json(answer).error.code, 'TOKEN_MISSING');
    assert.equal(state.read, false);
    assert.deepEqual(seen.refusals.map((refusal) => [refusal.status, refusal.code]), [[401, 'TOKEN_MISSING']]);
    assert.equal(seen.outcomes.length, 0);
  });

  test('a refused token: invalid_token with the public reason; the token is never echoed or reported', async () => {
    const seen = recorder();
    const token = (await t.authorization()).slice('Bearer '.length);
    const [header, payload] = token.split('.');
    const forged = `Bearer ${header}.${payload}.${'A'.repeat(342)}`;
    for (const authorization of [forged, 'Basic dXNlcjpwYXNz', `Bearer ${'x'.repeat(20_000)}`, 'Bearer a.b.c']) {
      const answer = await endpointWith(seen)({ body: '{}', authorization, host: undefined });
      assert.equal(answer.status, 401);
      assert.match(answer.headers['www-authenticate']!, /^Bearer error="invalid_token", error_description="[^"]+"$/);
      assert.match(json(answer).error.code, /^TOKEN_/);
      assert.ok(!answer.body.includes(payload!) && !JSON.stringify(seen.refusals).includes(payload!));
    }
  });

  test('callerTokenRefusal: the rule serve and the endpoint share', () => {
    assert.deepEqual(callerTokenRefusal(new SecurityError(SecurityErrorCode.TOKEN_EXPIRED, 'The bearer token has "expired".'), 'Bearer x'), {
      status: 401,
      headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="The bearer token has 'expired'."` },
      challenge: `Bearer error="invalid_token", error_description="The bearer token has 'expired'."`,
      body: { error: { code: 'TOKEN_EXPIRED', message: 'The bearer token has "expired".' } },
      code: 'TOKEN_EXPIRED',
      detail: 'The bearer token has "expired".',
    });
    const unknown = callerTokenRefusal(new Error('secret internals'), undefined);
    assert.equal(unknown.challenge, 'Bearer');
    assert.deepEqual(unknown.body, { error: { code: 'TOKEN_INVALID', message: 'The bearer token is not valid.' } });
    const unavailable = callerTokenRefusal(new SecurityError(SecurityErrorCode.SIGNING_KEYS_UNAVAILABLE, "Entra's signing keys could not be fetched."), 'Bearer x');
    assert.equal(unavailable.status, 503, 'a token that cannot be checked yet is not refused: the caller may come back');
    assert.deepEqual(unavailable.headers, { 'retry-after': '30' });
  });
});

describe('createEventEndpoint: bodies that are not the event', () => {
  let endpoint: ReturnType<typeof createEventEndpoint>;
  let seen: ReturnType<typeof recorder>;
  before(() => {
    seen = recorder();
    endpoint = createEventEndpoint({ event: 'OnTokenIssuanceStart', tenantId: t.tenantId, verifier: t.verifier, ...seen, handle: () => assert.fail('the handler ran') });
  });
  const call = async (body: unknown) => endpoint({ body, authorization: await t.authorization(), host: undefined });

  test('oversized (text, bytes, stream: the stream is not read past the limit) → 413 BODY_TOO_LARGE', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(70 * 1024) });
    let chunksRead = 0;
    const endless = { async *[Symbol.asyncIterator]() { for (;;) (chunksRead++, yield Buffer.alloc(16 * 1024, 0x20)); } };
    for (const body of [big, Buffer.from(big), endless]) {
      const answer = await call(body);
      assert.equal(answer.status, 413);
      assert.equal(json(answer).error.code, 'BODY_TOO_LARGE');
    }
    assert.ok(chunksRead <= 5, `${chunksRead} chunks read`);
  });

  test('not JSON, or not UTF-8 → 400 BODY_INVALID', async () => {
    for (const body of ['{', '', 'null x', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]) {
      const answer = await call(body);
      assert.equal(answer.status, 400);
      assert.equal(json(answer).error.code, 'BODY_INVALID');
    }
  });

  test('another event, another tenant, hostile JSON → 400 naming where, never a value, no outcome', async () => {
    const before = seen.outcomes.length;
    const otherTenant = { ...t.body('token-issuance-start'), data: { ...t.body('token-issuance-start').data, tenantId: '11111111-2222-4333-8444-555555555555' } };
    const cases: Array<[unknown, string]> = [
      [t.body('otp-send'), 'EVENT_REQUEST_INVALID'],
      [otherTenant, 'EVENT_TENANT_MISMATCH'],
      ['{"__proto__":{"polluted":true},"type":"microsoft.graph.authenticationEvent.tokenIssuanceStart"}', 'EVENT_REQUEST_INVALID'],
      [[], 'EVENT_REQUEST_INVALID'],
      [null, 'EVENT_REQUEST_INVALID'],
      [{ type: 'microsoft.graph.authenticationEvent.tokenIssuanceStart', data: { '@odata.type': 'microsoft.graph.onTokenIssuanceStartCalloutData', authenticationContext: { correlationId: CANARY_PASSWORDS.correct } } }, 'EVENT_REQUEST_INVALID'],
    ];
    for (const [body, code] of cases) {
      const answer = await call(body);
      assert.equal(answer.status, 400, answer.body);
      assert.equal(json(answer).error.code, code);
      assert.ok(!answer.body.includes(CANARY_PASSWORDS.correct));
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(seen.outcomes.length, before);
    assert.ok(!JSON.stringify(seen.refusals).includes(CANARY_PASSWORDS.correct));
  });
});

describe('createEventEndpoint: what the handler does wrong becomes an answer with a code', () => {
  const endpointAnswering = (handle: () => unknown, seen = recorder()) =>
    createEventEndpoint({ event: 'OnTokenIssuanceStart', tenantId: t.tenantId, verifier: t.verifier, ...seen, handle: handle as never });
  const call = async (endpoint: ReturnType<typeof createEventEndpoint>) => endpoint({ body: t.body('token-issuance-start'), authorization: await t.authorization(), host: undefined });

  test('an answer Entra would refuse (over 3 KB, a number, null claims, an unknown action) → 500 EVENT_RESPONSE_INVALID, no value echoed', async () => {
    const bad = [
      { action: 'provideClaimsForToken', claims: { big: `${CANARY_PASSWORDS.correct}${'x'.repeat(3100)}` } },
      { action: 'provideClaimsForToken', claims: { count: 3 } },
      { action: 'provideClaimsForToken', claims: null },
      { action: 'provideClaimsForToken', claims: { 'not a name': 'v' } },
      { action: 'provideClaimsForTokens', claims: {} },
      { claims: {} },
      undefined,
    ];
    for (const answer of bad) {
      const seen = recorder();
      const reply = await call(endpointAnswering(() => answer, seen));
      assert.equal(reply.status, 500, String(JSON.stringify(answer)).slice(0, 80));
      assert.equal(json(reply).error.code, 'EVENT_RESPONSE_INVALID');
      assert.ok(!reply.body.includes(CANARY_PASSWORDS.correct) && !JSON.stringify(seen.outcomes).includes(CANARY_PASSWORDS.correct));
      assert.deepEqual(seen.outcomes.map((outcome) => [outcome.status, outcome.action, outcome.errorCode, outcome.correlationId]), [[500, 'error', 'EVENT_RESPONSE_INVALID', CORRELATION_ID]]);
    }
  });

  test('a handler that throws → 500 INTERNAL_ERROR without a stack; one that fails on purpose → its status and code', async () => {
    const thrown = await call(endpointAnswering(() => { throw new TypeError('boom at handler.ts:12'); }));
    assert.equal(thrown.status, 500);
    assert.deepEqual(json(thrown), { error: { code: 'INTERNAL_ERROR', message: 'The extension could not process the request.' } });
    const seen = recorder();
    const failed = await call(endpointAnswering(() => Promise.reject(new EventCallFailure(503, 'LEGACY_STORE_TIMEOUT', 'The legacy store did not answer.', { detail: 'pool exhausted' })), seen));
    assert.equal(failed.status, 503);
    assert.deepEqual(json(failed), { error: { code: 'LEGACY_STORE_TIMEOUT', message: 'The legacy store did not answer.' } });
    assert.deepEqual(seen.outcomes.map((outcome) => [outcome.status, outcome.reason, outcome.errorCode, outcome.errorDetail]), [[503, 'handler-failed', 'LEGACY_STORE_TIMEOUT', 'pool exhausted']]);
  });

  test('a hook that throws does not change the answer', async () => {
    const endpoint = createEventEndpoint({ event: 'OnTokenIssuanceStart', tenantId: t.tenantId, verifier: t.verifier, onOutcome: () => { throw new Error('audit down'); }, handle: () => ({ action: 'provideClaimsForToken', claims: {} }) });
    assert.equal((await call(endpoint)).status, 200);
  });
});

describe('createEventEndpoint: always an answer by the deadline', () => {
  test('a late handler: 503 DEADLINE_EXCEEDED, its abortSignal fired, one outcome (its later answer is dropped)', async () => {
    const seen = recorder();
    let finish!: () => void;
    let aborted = false;
    const endpoint = createEventEndpoint({
      event: 'OnTokenIssuanceStart',
      tenantId: t.tenantId,
      verifier: t.verifier,
      deadlineInMs: 150,
      ...seen,
      handle: (_request, context) =>
        new Promise((resolve) => {
          context.abortSignal.addEventListener('abort', () => (aborted = true));
          context.audit({ legacyId: '42' });
          finish = () => resolve({ action: 'provideClaimsForToken', claims: {} });
        }),
    });
    const answer = await endpoint({ body: t.body('token-issuance-start'), authorization: await t.authorization(), host: undefined });
    assert.equal(answer.status, 503);
    assert.deepEqual(json(answer), { error: { code: 'DEADLINE_EXCEEDED', message: 'The extension could not answer in time.' } });
    assert.equal(aborted, true);
    finish();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen.outcomes.map((outcome) => [outcome.status, outcome.reason, outcome.errorCode, outcome.correlationId, outcome.objectId, outcome.legacyId]), [[503, 'deadline-exceeded', 'DEADLINE_EXCEEDED', CORRELATION_ID, FIXTURE_USER_ID, '42']]);
  });

  test('a caller-token check still running at the deadline: 503, a refusal and no outcome', async () => {
    const seen = recorder();
    const endpoint = createEventEndpoint({
      event: 'OnOtpSend',
      tenantId: t.tenantId,
      verifier: { verify: () => new Promise(() => undefined) },
      deadlineInMs: 100,
      ...seen,
      handle: () => assert.fail('the handler ran'),
    });
    const answer = await endpoint({ body: t.body('otp-send'), authorization: await t.authorization(), host: undefined });
    assert.equal(answer.status, 503);
    assert.deepEqual(seen.refusals.map((refusal) => [refusal.status, refusal.code]), [[503, 'DEADLINE_EXCEEDED']]);
    assert.equal(seen.outcomes.length, 0);
  });
});

describe('createEventEndpoint: the other events', () => {
  test('OnOtpSend, both code spellings: the handler gets the code; it never reaches the outcome', async () => {
    for (const fixture of ['otp-send', 'otp-send.request.onetimecode.json']) {
      const seen = recorder();
      let code: string | undefined;
      const endpoint = createEventEndpoint({
        event: 'OnOtpSend',
        tenantId: t.tenantId,
        verifier: t.verifier,
        ...seen,
        handle: (request, context) => {
          code = request.data.otpContext.oneTimeCode;
          context.audit({ reason: 'otp-sent' });
          return { action: 'continueWithDefaultBehavior' };
        },
      });
      const answer = await endpoint({ body: t.body(fixture), authorization: await t.authorization(), host: undefined });
      assert.equal(answer.status, 200, answer.body);
      assert.equal(json(answer).data.actions[0]['@odata.type'], 'microsoft.graph.OtpSend.continueWithDefaultBehavior');
      assert.ok(code && code.length > 0);
      assert.ok(!JSON.stringify(seen.outcomes).includes(code!));
      assert.deepEqual(seen.outcomes.map((outcome) => [outcome.event, outcome.action, outcome.reason, outcome.objectId]), [['OnOtpSend', 'continueWithDefaultBehavior', 'otp-sent', null]]);
    }
  });

  test('OnAttributeCollectionStart and Submit: typed requests, their builders', async () => {
    const start = createEventEndpoint({ event: 'OnAttributeCollectionStart', tenantId: t.tenantId, verifier: t.verifier, handle: () => ({ action: 'showBlockPage', message: 'Not yet.' }) });
    const startAnswer = await start({ body: t.body('attribute-collection-start'), authorization: await t.authorization(), host: undefined });
    assert.equal(startAnswer.status, 200, startAnswer.body);
    assert.equal(json(startAnswer).data.actions[0]['@odata.type'], 'microsoft.graph.attributeCollectionStart.showBlockPage');
    const submit = createEventEndpoint({ event: 'OnAttributeCollectionSubmit', tenantId: t.tenantId, verifier: t.verifier, handle: (request) => (assert.ok(request.data.userSignUpInfo), { action: 'continueWithDefaultBehavior' }) });
    const submitAnswer = await submit({ body: t.body('attribute-collection-submit'), authorization: await t.authorization(), host: undefined });
    assert.equal(submitAnswer.status, 200, submitAnswer.body);
    assert.equal(json(submitAnswer).data.actions[0]['@odata.type'], 'microsoft.graph.attributeCollectionSubmit.continueWithDefaultBehavior');
  });

  test('OnPasswordSubmit: the context decrypted with the injected key ring, the nonce echoed, the password nowhere else', async () => {
    const key = await generateDecryptionKeyForTests();
    const seen = recorder();
    const endpoint = createEventEndpoint({
      event: 'OnPasswordSubmit',
      tenantId: t.tenantId,
      extensionAppId: APP_ID,
      verifier: t.verifier,
      keyRing: loadKeyRing([{ pem: key.privateKeyPem + key.certificatePem, source: 'test' }]),
      ...seen,
      handle: (_request, context) => (context.password.password === CANARY_PASSWORDS.correct ? { action: 'MigratePassword' } : { action: 'Retry', message: 'Try again.' }),
    });
    const body = t.body('password-submit');
    const encrypt = (password: string) => encryptPasswordContext({ certificatePem: key.certificatePem, appId: APP_ID, resourceHost: 'extension.example', password, username: 'ada', nonce: 'nonce-1', now: Date.now() });
    body.data.encryptedPasswordContext = await encrypt(CANARY_PASSWORDS.correct);
    const answer = await endpoint({ body, authorization: await t.authorization(), host: 'extension.example' });
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(json(answer).data, { '@odata.type': 'microsoft.graph.onPasswordSubmitResponseData', actions: [{ '@odata.type': 'microsoft.graph.passwordSubmit.MigratePassword' }], nonce: 'nonce-1' });
    body.data.encryptedPasswordContext = await encrypt(CANARY_PASSWORDS.wrong);
    assert.equal(json(await endpoint({ body, authorization: await t.authorization(), host: 'extension.example' })).data.actions[0]['@odata.type'], 'microsoft.graph.passwordSubmit.Retry');
    body.data.encryptedPasswordContext = 'a.b.c.d.e';
    const broken = await endpoint({ body, authorization: await t.authorization(), host: 'extension.example' });
    assert.equal(broken.status, 400);
    assert.match(json(broken).error.code, /^CONTEXT_/);
    const reported = JSON.stringify([seen.outcomes, seen.refusals]);
    for (const password of [CANARY_PASSWORDS.correct, CANARY_PASSWORDS.wrong]) assert.ok(!reported.includes(password));
    assert.deepEqual(seen.outcomes.map((outcome) => [outcome.action, outcome.objectId !== null]), [['MigratePassword', true], ['Retry', true]]);
  });
});

describe('createEventEndpoint: options are checked when it is created', () => {
  const handle = () => ({ action: 'continueWithDefaultBehavior' as const });
  test('an unknown event, a missing tenant or app id, a deadline Entra would not wait for, OnPasswordSubmit without keys', () => {
    assert.throws(() => createEventEndpoint({ event: 'OnSomething' as 'OnOtpSend', tenantId: 't', verifier: t.verifier, handle }), TypeError);
    assert.throws(() => createEventEndpoint({ event: '__proto__' as 'OnOtpSend', tenantId: 't', verifier: t.verifier, handle }), TypeError);
    assert.throws(() => createEventEndpoint({ event: 'OnOtpSend', tenantId: '', verifier: t.verifier, handle }), TypeError);
    assert.throws(() => createEventEndpoint({ event: 'OnOtpSend', tenantId: 't', handle }), /extensionAppId is required/);
    for (const deadlineInMs of [0, -1, 2001, Number.NaN]) assert.throws(() => createEventEndpoint({ event: 'OnOtpSend', tenantId: 't', verifier: t.verifier, handle, deadlineInMs }), RangeError);
    assert.throws(() => createEventEndpoint({ event: 'OnPasswordSubmit', tenantId: 't', verifier: t.verifier, extensionAppId: APP_ID, handle: () => ({ action: 'Block' }) } as never), /keyRing is required/);
  });
});
