import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { buildTokenIssuanceStartResponse, MAX_CLAIMS_BYTES } from '../../src/events/index.js';
import { answerEvent, handleTokenIssuanceStart, type EventOutcome, type TokenIssuanceStartDeps } from '../../src/handlers/index.js';
import { cachedClaimsSource, type ClaimsSubject, type LegacyClaims, type TokenClaimsSource } from '../../src/legacy/claims/index.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../src/legacy/index.js';

const TENANT_ID = 'aaaabbbb-0000-cccc-1111-dddd2222eeee';
const OBJECT_ID = '90847c2a-e29d-4d2f-9f54-c5b4d3f26471';
/** Claim values that must never reach an outcome (the request log line and the audit row). */
const CANARY_ROLE = 'role-canary-8c2d';
const fixture = JSON.parse(readFileSync(new URL('../fixtures/entra/token-issuance-start.request.json', import.meta.url), 'utf8'));

function body(): any {
  const copy = structuredClone(fixture);
  copy.data.tenantId = TENANT_ID;
  copy.data.authenticationContext.correlationId = '00000000-0000-4000-8000-000000000012';
  return copy;
}

type Answer = LegacyClaims | Error | 'hang';

/** A legacy claims source that answers `answer` (or throws it, or never answers but honours the abort), and records the calls. */
function fakeSource(answer: (subject: ClaimsSubject) => Answer) {
  const calls: ClaimsSubject[] = [];
  const source: TokenClaimsSource = {
    kind: 'fake',
    claimsFor(subject, { abortSignal }) {
      calls.push(subject);
      const result = answer(subject);
      if (result === 'hang') return new Promise((_resolve, reject) => abortSignal.addEventListener('abort', () => reject(abortSignal.reason), { once: true }));
      return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
    },
    close: async () => undefined,
  };
  return { source, calls };
}

function deps(overrides: Partial<TokenIssuanceStartDeps> = {}): TokenIssuanceStartDeps {
  return {
    tenantId: TENANT_ID,
    clock: Date.now,
    responseDeadlineInMs: 1500,
    sendMarginInMs: () => 10,
    legacyIdOf: async (objectId) => (objectId === OBJECT_ID ? '42' : null),
    claims: fakeSource(() => ({ roles: [CANARY_ROLE, 'Editor'], department: 'R&D' })).source,
    onLegacyFailure: 'empty',
    ...overrides,
  };
}

const claimsOf = (result: { body: unknown }) => (result.body as { data: { actions: Array<{ claims: unknown }> } }).data.actions[0]!.claims;
const run = (d: TokenIssuanceStartDeps, raw: unknown = body()) => handleTokenIssuanceStart(raw, d, { receivedAt: Date.now() });

/** The outcome holds no claim value (the canary), whatever happened. */
function assertNoClaimValue(outcome: EventOutcome): void {
  assert.ok(!JSON.stringify(outcome).includes(CANARY_ROLE), 'the outcome holds a claim value');
}

describe('handleTokenIssuanceStart', () => {
  test('claims from the legacy system plus legacyId from the ledger: the builder\'s body, reason claims-from-legacy', async () => {
    const fake = fakeSource(() => ({ roles: [CANARY_ROLE, 'Editor'], department: 'R&D' }));
    const result = await run(deps({ claims: fake.source }));
    assert.equal(result.status, 200);
    const claims = { roles: [CANARY_ROLE, 'Editor'], department: 'R&D', legacyId: '42' };
    assert.deepEqual(result.body, buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims }));
    assert.deepEqual(fake.calls, [{ objectId: OBJECT_ID, email: 'casey@contoso.com', legacyId: '42' }]);
    assert.ok(result.status === 200);
    assert.deepEqual({ ...result.outcome, latencyInMs: 0 }, {
      event: 'OnTokenIssuanceStart',
      correlationId: '00000000-0000-4000-8000-000000000012',
      objectId: OBJECT_ID,
      action: 'provideClaimsForToken',
      status: 200,
      reason: 'claims-from-legacy',
      legacyId: '42',
      errorCode: null,
      errorDetail: null,
      latencyInMs: 0,
    });
    assertNoClaimValue(result.outcome);
  });

  test('the ledger\'s legacyId wins over a legacy column of that name', async () => {
    const result = await run(deps({ claims: fakeSource(() => ({ legacyId: 'forged', roles: ['x'] })).source }));
    assert.deepEqual(claimsOf(result), { legacyId: '42', roles: ['x'] });
  });

  test('no claims source: legacyId alone, claims-without-legacy; an unknown user: {} and no-legacy-account', async () => {
    const known = await run(deps({ claims: null }));
    assert.deepEqual(claimsOf(known), { legacyId: '42' });
    assert.ok(known.status === 200 && known.outcome.reason === 'claims-without-legacy');
    const unknown = await run(deps({ claims: null, legacyIdOf: async () => null }));
    assert.deepEqual(claimsOf(unknown), {});
    assert.ok(unknown.status === 200 && unknown.outcome.reason === 'no-legacy-account' && unknown.outcome.legacyId === null);
  });

  test('the legacy system knows nothing: legacyId only (claims-without-legacy), or {} (no-legacy-account)', async () => {
    const none = fakeSource(() => ({}));
    const known = await run(deps({ claims: none.source }));
    assert.deepEqual(claimsOf(known), { legacyId: '42' });
    assert.ok(known.status === 200 && known.outcome.reason === 'claims-without-legacy');
    const unknown = await run(deps({ claims: none.source, legacyIdOf: async () => null }));
    assert.deepEqual(claimsOf(unknown), {});
    assert.ok(unknown.status === 200 && unknown.outcome.reason === 'no-legacy-account');
    assert.deepEqual(none.calls.at(-1), { objectId: OBJECT_ID, email: 'casey@contoso.com', legacyId: null }, 'still asked: the query may use :objectId or :email');
  });

  test('a user without mail is asked with email null', async () => {
    const fake = fakeSource(() => ({}));
    const raw = body();
    delete raw.data.authenticationContext.user.mail;
    await run(deps({ claims: fake.source }), raw);
    assert.equal(fake.calls[0]!.email, null);
  });

  test('cache hit: the second token of a user does not reach the legacy system', async () => {
    const fake = fakeSource(() => ({ roles: ['Writer'] }));
    const cached = cachedClaimsSource(fake.source, { ttlInMs: 300_000, now: Date.now });
    const first = await run(deps({ claims: cached }));
    const second = await run(deps({ claims: cached }));
    assert.deepEqual(claimsOf(second), claimsOf(first));
    assert.equal(fake.calls.length, 1);
    assert.deepEqual(cached.stats(), { hits: 1, misses: 1, joined: 0, entries: 1 });
  });

  for (const [name, failure, code] of [
    ['unavailable', new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, 'The legacy store is unavailable.'), LegacyStoreErrorCode.UNAVAILABLE],
    ['circuit open', new LegacyStoreError(LegacyStoreErrorCode.CIRCUIT_OPEN, 'open'), LegacyStoreErrorCode.CIRCUIT_OPEN],
    ['a non-project error', new TypeError(`boom ${CANARY_ROLE}`), 'UNEXPECTED_ERROR'],
  ] as const) {
    test(`legacy failure (${name}) under empty: 200 with legacyId only, reason legacy-unavailable, errorCode ${code}`, async () => {
      const result = await run(deps({ claims: fakeSource(() => failure).source }));
      assert.equal(result.status, 200);
      assert.deepEqual(claimsOf(result), { legacyId: '42' });
      assert.ok(result.status === 200);
      assert.equal(result.outcome.reason, 'legacy-unavailable');
      assert.equal(result.outcome.errorCode, code);
      assertNoClaimValue(result.outcome);
    });

    test(`legacy failure (${name}) under fail: 503 TOKEN_CLAIMS_UNAVAILABLE, the cause in the outcome`, async () => {
      const result = await run(deps({ claims: fakeSource(() => failure).source, onLegacyFailure: 'fail' }));
      assert.equal(result.status, 503);
      assert.deepEqual(result.body, { error: { code: 'TOKEN_CLAIMS_UNAVAILABLE', message: 'The claims for this token could not be read from the legacy system.' } });
      assert.ok(result.status === 503);
      assert.equal(result.outcome.action, 'error');
      assert.equal(result.outcome.status, 503);
      assert.equal(result.outcome.errorCode, code);
      assert.equal(result.outcome.legacyId, '42');
      assertNoClaimValue(result.outcome);
    });
  }

  test('the ledger fails: no legacy call; empty → {} (ledger-unavailable), fail → 503', async () => {
    const fake = fakeSource(() => ({ roles: ['x'] }));
    const ledgerDown = async () => {
      throw new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, 'ledger down');
    };
    const empty = await run(deps({ claims: fake.source, legacyIdOf: ledgerDown }));
    assert.deepEqual(claimsOf(empty), {});
    assert.ok(empty.status === 200 && empty.outcome.reason === 'ledger-unavailable' && empty.outcome.legacyId === null);
    const fail = await run(deps({ claims: fake.source, legacyIdOf: ledgerDown, onLegacyFailure: 'fail' }));
    assert.equal(fail.status, 503);
    assert.equal(fake.calls.length, 0);
  });

  test('deadline: a legacy system that never answers is abandoned (aborted) in time; empty → legacyId, fail → 503', async () => {
    let aborted = 0;
    const hanging: TokenClaimsSource = {
      kind: 'hang',
      claimsFor: (_subject, { abortSignal }) => new Promise((_resolve, reject) => abortSignal.addEventListener('abort', () => ((aborted += 1), reject(abortSignal.reason)), { once: true })),
      close: async () => undefined,
    };
    const empty = await run(deps({ claims: hanging, responseDeadlineInMs: 120 }));
    assert.deepEqual(claimsOf(empty), { legacyId: '42' });
    assert.ok(empty.status === 200 && empty.outcome.errorCode === 'DEADLINE_EXCEEDED' && empty.outcome.reason === 'legacy-unavailable');
    const fail = await run(deps({ claims: hanging, responseDeadlineInMs: 120, onLegacyFailure: 'fail' }));
    assert.ok(fail.status === 503 && fail.outcome.errorCode === 'DEADLINE_EXCEEDED');
    assert.equal(aborted, 2, 'the work was told to stop');
  });

  test('deadline: a ledger that never answers → ledger-unavailable, no legacyId', async () => {
    const result = await run(deps({ responseDeadlineInMs: 100, legacyIdOf: (_id, { abortSignal }) => new Promise((_r, reject) => abortSignal.addEventListener('abort', () => reject(abortSignal.reason))) }));
    assert.deepEqual(claimsOf(result), {});
    assert.ok(result.status === 200 && result.outcome.reason === 'ledger-unavailable' && result.outcome.errorCode === 'DEADLINE_EXCEEDED');
  });

  test('answerBy (the server\'s deadline) is honoured over responseDeadlineInMs', async () => {
    const result = await handleTokenIssuanceStart(body(), deps({ claims: fakeSource(() => 'hang').source }), { receivedAt: Date.now(), answerBy: Date.now() + 50 });
    assert.ok(result.status === 200 && result.outcome.errorCode === 'DEADLINE_EXCEEDED');
  });

  test('the 3 KB limit reached by legacy data (with legacyId added): TOKEN_CLAIMS_TOO_LARGE, legacy-claims-invalid; empty → legacyId only', async () => {
    // 'roles' + value = 3072 bytes alone; 'legacyId' + '42' pushes it over.
    const atLimit = { roles: 'r'.repeat(MAX_CLAIMS_BYTES - 5) };
    const result = await run(deps({ claims: fakeSource(() => atLimit).source }));
    assert.deepEqual(claimsOf(result), { legacyId: '42' });
    assert.ok(result.status === 200 && result.outcome.errorCode === 'TOKEN_CLAIMS_TOO_LARGE' && result.outcome.reason === 'legacy-claims-invalid');
    const unknownUser = await run(deps({ claims: fakeSource(() => atLimit).source, legacyIdOf: async () => null }));
    assert.ok(unknownUser.status === 200 && unknownUser.outcome.errorCode === null, 'exactly 3 KB without legacyId is fine');
    const fail = await run(deps({ claims: fakeSource(() => atLimit).source, onLegacyFailure: 'fail' }));
    assert.ok(fail.status === 503 && fail.outcome.errorCode === 'TOKEN_CLAIMS_TOO_LARGE');
  });

  test('hostile values from a source: prototype names, non-string values, markup — refused or passed as plain strings, never a 500', async () => {
    const hostile: Array<[unknown, string | null]> = [
      [JSON.parse('{"__proto__": {"admin": "yes"}}'), 'TOKEN_CLAIM_NAME_INVALID'],
      [{ constructor: 'x' }, 'TOKEN_CLAIM_NAME_INVALID'],
      [{ roles: { admin: true } }, 'TOKEN_CLAIM_VALUE_INVALID'],
      [{ roles: [1, 2] }, 'TOKEN_CLAIM_VALUE_INVALID'],
      [{ roles: null }, 'TOKEN_CLAIM_VALUE_INVALID'],
      [{ html: '<script>alert(1)</script>', quote: '"},{"@odata.type":"x', nul: 'a\u0000b', rtl: '\u202eevil' }, null],
    ];
    for (const [claims, code] of hostile) {
      const result = await answerEvent('OnTokenIssuanceStart', handleTokenIssuanceStart, body(), deps({ claims: fakeSource(() => claims as LegacyClaims).source }), { receivedAt: Date.now() });
      assert.equal(result.status, 200, JSON.stringify(code));
      assert.ok(result.status === 200);
      assert.equal(result.outcome.errorCode, code);
      if (code === null) assert.deepEqual(claimsOf(result), { ...(claims as object), legacyId: '42' });
      else assert.deepEqual(claimsOf(result), { legacyId: '42' });
    }
    assert.equal(({} as Record<string, unknown>).admin, undefined, 'no prototype was touched');
  });

  test('a body that is not the event: 400 naming the problem, no legacy call', async () => {
    const fake = fakeSource(() => ({}));
    for (const raw of [null, {}, { ...body(), type: 'microsoft.graph.authenticationEvent.passwordSubmit' }, { ...body(), data: { ...body().data, tenantId: '00000000-0000-0000-0000-000000000000' } }]) {
      const result = await run(deps({ claims: fake.source }), raw);
      assert.equal(result.status, 400);
    }
    assert.equal(fake.calls.length, 0);
  });
});
