/**
 * OnPasswordSubmit with the per-account attempt limit (issue 15, "Attempt limits"; docs/attempt-limits.md): the
 * wrong passwords past ATTEMPT_LIMIT_PER_ACCOUNT are answered "too many attempts" without asking the legacy system,
 * for a known and an unknown name alike, until the window ends.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { handlePasswordSubmit, type PasswordSubmitDeps, type PasswordSubmitOutcome, type PasswordSubmitResult } from '../../src/handlers/index.js';
import { DEFAULT_MESSAGES } from '../../src/jit/index.js';
import { createAttemptLimiter, createMemoryAttemptStore, type AttemptLimiter } from '../../src/limits/index.js';
import { LegacyStoreError, LegacyStoreErrorCode, type LegacyAuthority, type LegacyCheck, type SignInAttempt } from '../../src/legacy/index.js';
import { generateDecryptionKey, loadKeyRing, type GeneratedDecryptionKey } from '../../src/security/index.js';
import { APP_ID, calloutBody } from '../server/harness.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';

const TENANT_ID = '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21';
const LIMIT = 3;
const WINDOW_IN_MS = 900_000;
const en = DEFAULT_MESSAGES.en!;

let key: GeneratedDecryptionKey;
before(async () => {
  key = await generateDecryptionKey();
});

/** A legacy system with one account, `ada` (locked when `locked`), that counts the checks it was asked. */
function legacySystem(behaviour: { locked?: boolean; failing?: () => boolean } = {}): LegacyAuthority & { asked: string[] } {
  const asked: string[] = [];
  return {
    kind: 'test',
    asked,
    async checkPassword(input: SignInAttempt): Promise<LegacyCheck> {
      asked.push(input.username);
      if (behaviour.failing?.()) throw new LegacyStoreError(LegacyStoreErrorCode.TIMEOUT, 'The legacy store did not answer in time.');
      if (input.username.toLowerCase() !== 'ada@contoso.example') return { outcome: 'unknown' };
      if (behaviour.locked) return { outcome: 'blocked', legacyId: '1', status: 'locked' };
      return input.password === CANARY_PASSWORDS.correct ? { outcome: 'correct', legacyId: '1', mustChangePassword: false } : { outcome: 'wrong', legacyId: '1' };
    },
    ping: async () => undefined,
    close: async () => undefined,
  };
}

function limiterAt(clock: () => number = Date.now): AttemptLimiter {
  return createAttemptLimiter({ limit: LIMIT, windowInMs: WINDOW_IN_MS, keySecret: 'test-secret', store: createMemoryAttemptStore({ clock }) });
}

function depsWith(legacy: LegacyAuthority, attemptLimiter: AttemptLimiter, stuffingSuspected?: () => boolean): PasswordSubmitDeps {
  return {
    tenantId: TENANT_ID,
    extensionAppId: APP_ID,
    keyRing: loadKeyRing([{ pem: key.privateKeyPem + key.certificatePem, source: 'test' }]),
    legacy,
    messages: DEFAULT_MESSAGES,
    clock: Date.now,
    responseDeadlineInMs: 1500,
    attemptLimiter,
    stuffingSuspected,
  };
}

async function signIn(deps: PasswordSubmitDeps, username: string, password: string, locale = 'en-us') {
  const result: PasswordSubmitResult = await handlePasswordSubmit(await calloutBody({ tenantId: TENANT_ID, certificatePem: key.certificatePem, username, password, locale }), deps, { receivedAt: Date.now() });
  assert.equal(result.status, 200, JSON.stringify(result.body));
  const { body, outcome } = result as Extract<PasswordSubmitResult, { status: 200 }>;
  return { action: body.data.actions[0]!, outcome: outcome as PasswordSubmitOutcome };
}

const tooManyAttempts = { '@odata.type': 'microsoft.graph.passwordSubmit.Block', ...en.tooManyAttempts! };

describe('per-account attempt limit', () => {
  test('the first LIMIT wrong passwords are Retry; from the next attempt on, even the right password is Block "too many attempts", the legacy system not asked', async () => {
    const legacy = legacySystem();
    const deps = depsWith(legacy, limiterAt());
    for (let attempt = 1; attempt <= LIMIT; attempt++) {
      const { action, outcome } = await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.wrong);
      assert.equal(action['@odata.type'], 'microsoft.graph.passwordSubmit.Retry', `attempt ${attempt}`);
      assert.equal(outcome.reason, 'password-wrong');
    }
    const past = await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.wrong);
    assert.deepEqual(past.action, tooManyAttempts);
    const right = await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.correct);
    assert.deepEqual(right.action, tooManyAttempts, 'the right password too');
    assert.equal(right.outcome.reason, 'attempt-limit-reached');
    assert.equal(right.outcome.legacyLatencyInMs, null, 'no legacy check');
    assert.equal(right.outcome.legacyId, null);
    assert.equal(legacy.asked.length, LIMIT, 'the legacy system was asked only for the first LIMIT attempts');
  });

  test('an unknown sign-in name gets exactly the answers a known one gets, attempt for attempt', async () => {
    const legacy = legacySystem();
    const deps = depsWith(legacy, limiterAt());
    for (let attempt = 1; attempt <= LIMIT + 2; attempt++) {
      const known = await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.wrong);
      const unknown = await signIn(deps, 'nobody@contoso.example', CANARY_PASSWORDS.wrong);
      assert.deepEqual(unknown.action, known.action, `attempt ${attempt}`);
    }
    assert.deepEqual((await signIn(deps, 'nobody@contoso.example', CANARY_PASSWORDS.wrong)).action, tooManyAttempts);
  });

  test('a correct password below the limit starts the count again', async () => {
    const legacy = legacySystem();
    const deps = depsWith(legacy, limiterAt());
    for (let attempt = 1; attempt < LIMIT; attempt++) await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.wrong);
    assert.equal((await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.correct)).action['@odata.type'], 'microsoft.graph.passwordSubmit.MigratePassword');
    for (let attempt = 1; attempt <= LIMIT; attempt++) {
      assert.equal((await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.wrong)).action['@odata.type'], 'microsoft.graph.passwordSubmit.Retry', `attempt ${attempt} after the reset`);
    }
    assert.deepEqual((await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.wrong)).action, tooManyAttempts);
  });

  test('sign-in names are counted as the legacy look-up compares them: case does not give more attempts', async () => {
    const deps = depsWith(legacySystem(), limiterAt());
    for (const name of ['ada@contoso.example', 'ADA@contoso.example', 'Ada@Contoso.Example']) await signIn(deps, name, CANARY_PASSWORDS.wrong);
    assert.deepEqual((await signIn(deps, 'aDa@CONTOSO.example', CANARY_PASSWORDS.wrong)).action, tooManyAttempts);
    assert.equal((await signIn(deps, 'bob@contoso.example', CANARY_PASSWORDS.wrong)).action['@odata.type'], 'microsoft.graph.passwordSubmit.Retry', 'another name is counted apart');
  });

  test("the legacy system's own lockout is counted like a wrong password", async () => {
    const legacy = legacySystem({ locked: true });
    const deps = depsWith(legacy, limiterAt());
    for (let attempt = 1; attempt <= LIMIT; attempt++) {
      const { action, outcome } = await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.correct);
      assert.equal(outcome.reason, 'legacy-account-blocked');
      assert.equal(action.title, en.blocked.title);
    }
    const past = await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.correct);
    assert.deepEqual(past.action, tooManyAttempts);
    assert.equal(legacy.asked.length, LIMIT);
  });

  test('an attempt the legacy system could not answer is not counted against the user', async () => {
    let failing = true;
    const legacy = legacySystem({ failing: () => failing });
    const deps = depsWith(legacy, limiterAt());
    for (let attempt = 1; attempt <= LIMIT + 2; attempt++) {
      const { outcome } = await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.wrong);
      assert.equal(outcome.reason, 'legacy-store-unavailable');
    }
    failing = false;
    await new Promise((resolve) => setImmediate(resolve));
    for (let attempt = 1; attempt <= LIMIT; attempt++) {
      assert.equal((await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.wrong)).outcome.reason, 'password-wrong', `attempt ${attempt}`);
    }
    assert.equal((await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.wrong)).outcome.reason, 'attempt-limit-reached');
  });

  test('the limit lifts when the window ends', async () => {
    let now = Date.now();
    const legacy = legacySystem();
    const deps = depsWith(legacy, limiterAt(() => now));
    for (let attempt = 1; attempt <= LIMIT; attempt++) await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.wrong);
    now += WINDOW_IN_MS - 1;
    assert.equal((await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.correct)).outcome.reason, 'attempt-limit-reached', 'one ms before the end');
    now += 1;
    assert.equal((await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.correct)).outcome.reason, 'password-correct', 'at the end');
  });

  test('a burst of parallel wrong passwords stops at the limit: no more than LIMIT reach the legacy system', async () => {
    const legacy = legacySystem();
    const deps = depsWith(legacy, limiterAt());
    const bodies = await Promise.all(Array.from({ length: 12 }, () => calloutBody({ tenantId: TENANT_ID, certificatePem: key.certificatePem, username: 'ada@contoso.example', password: CANARY_PASSWORDS.wrong })));
    const results = await Promise.all(bodies.map((body) => handlePasswordSubmit(body, deps, { receivedAt: Date.now() })));
    const reasons = results.map((result) => (result as Extract<PasswordSubmitResult, { status: 200 }>).outcome.reason);
    assert.equal(reasons.filter((reason) => reason === 'password-wrong').length, LIMIT);
    assert.equal(reasons.filter((reason) => reason === 'attempt-limit-reached').length, 12 - LIMIT);
    assert.equal(legacy.asked.length, LIMIT);
  });

  test('the answer is in the caller\'s language, and the outcome never names the account', async () => {
    const deps = depsWith(legacySystem(), limiterAt());
    for (let attempt = 1; attempt <= LIMIT; attempt++) await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.wrong);
    const { action, outcome } = await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.wrong, 'de-DE');
    assert.equal(action.title, DEFAULT_MESSAGES.de!.tooManyAttempts!.title);
    assert.ok(!JSON.stringify(outcome).toLowerCase().includes('ada@'), JSON.stringify(outcome));
  });
});

describe('credential-stuffing block mode', () => {
  test('while the signal holds every attempt is "temporarily unavailable": no legacy check, nothing counted; after it, as before', async () => {
    const legacy = legacySystem();
    let suspected = true;
    const deps = depsWith(legacy, limiterAt(), () => suspected);
    for (let attempt = 0; attempt < LIMIT + 2; attempt++) {
      const { action, outcome } = await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.correct);
      assert.deepEqual(action, { '@odata.type': 'microsoft.graph.passwordSubmit.Block', ...en.unavailable });
      assert.equal(outcome.reason, 'credential-stuffing-suspected');
      assert.equal(outcome.legacyLatencyInMs, null);
    }
    assert.equal(legacy.asked.length, 0);
    suspected = false;
    for (let attempt = 0; attempt < LIMIT; attempt++) assert.equal((await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.wrong)).outcome.reason, 'password-wrong', 'the blocked attempts were not counted');
    assert.equal((await signIn(deps, 'ada@contoso.example', CANARY_PASSWORDS.correct)).outcome.reason, 'attempt-limit-reached');
  });
});
