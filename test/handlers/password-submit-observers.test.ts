/**
 * What OnPasswordSubmit reports beside its answer: the decryption's time to `onDecryption` (metrics, only when asked
 * for), and the legacy check's time in the outcome (the ledger's `legacyLatencyInMs`, always).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { handlePasswordSubmit, type PasswordSubmitDeps, type PasswordSubmitOutcome, type PasswordSubmitResult } from '../../src/handlers/index.js';
import { DEFAULT_MESSAGES } from '../../src/jit/index.js';
import { LegacyStoreError, LegacyStoreErrorCode, withCircuitBreaker, type LegacyAuthority, type LegacyCheck } from '../../src/legacy/index.js';
import { generateDecryptionKey, loadKeyRing, type GeneratedDecryptionKey } from '../../src/security/index.js';
import { APP_ID, calloutBody } from '../server/harness.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';

const TENANT_ID = '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21';

let key: GeneratedDecryptionKey;
let otherKey: GeneratedDecryptionKey;
before(async () => {
  [key, otherKey] = await Promise.all([generateDecryptionKey(), generateDecryptionKey()]);
});

/** A legacy authority that answers `check` after `work` (which may move a fake clock, or wait). */
function authority(check: LegacyCheck, work: () => Promise<void> | void = () => undefined): LegacyAuthority {
  return {
    kind: 'test',
    checkPassword: async () => (await work(), check),
    ping: async () => undefined,
    close: async () => undefined,
  };
}

function depsWith(legacy: LegacyAuthority, overrides: Partial<PasswordSubmitDeps> = {}): PasswordSubmitDeps {
  return {
    tenantId: TENANT_ID,
    extensionAppId: APP_ID,
    keyRing: loadKeyRing([{ pem: key.privateKeyPem + key.certificatePem, source: 'test' }]),
    legacy,
    messages: DEFAULT_MESSAGES,
    clock: Date.now,
    responseDeadlineInMs: 1500,
    ...overrides,
  };
}

const body = (certificatePem = key.certificatePem) =>
  calloutBody({ tenantId: TENANT_ID, certificatePem, username: 'ada@contoso.example', password: CANARY_PASSWORDS.correct });

function outcomeOf(result: PasswordSubmitResult): PasswordSubmitOutcome {
  assert.equal(result.status, 200, JSON.stringify(result.body));
  return (result as Extract<PasswordSubmitResult, { status: 200 }>).outcome;
}

describe('onDecryption', () => {
  test('is told each decryption with its time: ok for a context, failed for one it could not open', async () => {
    const seen: Array<{ seconds: number; result: string }> = [];
    const deps = depsWith(authority({ outcome: 'wrong', legacyId: '1' }), { onDecryption: (seconds, result) => void seen.push({ seconds, result }) });
    outcomeOf(await handlePasswordSubmit(await body(), deps, { receivedAt: Date.now() }));
    const refused = await handlePasswordSubmit(await body(otherKey.certificatePem), deps, { receivedAt: Date.now() });
    assert.equal(refused.status, 400, 'a context for another certificate');
    assert.deepEqual(seen.map((report) => report.result), ['ok', 'failed']);
    for (const { seconds } of seen) assert.ok(seconds > 0 && seconds < 2, `${seconds} s`);
  });

  test('a body refused before decryption (not an OnPasswordSubmit call) is not a decryption', async () => {
    const seen: string[] = [];
    const deps = depsWith(authority({ outcome: 'wrong', legacyId: '1' }), { onDecryption: (_seconds, result) => void seen.push(result) });
    const result = await handlePasswordSubmit({ type: 'something.else' }, deps, { receivedAt: Date.now() });
    assert.equal(result.status, 400);
    assert.deepEqual(seen, []);
  });

  test('without it, the handler reads performance.now() no more than before: not at all', async () => {
    const deps = depsWith(authority({ outcome: 'correct', legacyId: '1', mustChangePassword: false }));
    const callout = await body();
    await handlePasswordSubmit(callout, deps, { receivedAt: Date.now() }); // warm
    const original = performance.now;
    let reads = 0;
    performance.now = () => {
      reads++;
      return original.call(performance);
    };
    try {
      outcomeOf(await handlePasswordSubmit(await body(), deps, { receivedAt: Date.now() }));
      const withoutObserver = reads;
      outcomeOf(await handlePasswordSubmit(await body(), { ...deps, onDecryption: () => undefined }, { receivedAt: Date.now() }));
      assert.deepEqual([withoutObserver, reads - withoutObserver], [0, 2], 'none without the observer, start and end with it');
    } finally {
      performance.now = original;
    }
  });
});

describe('legacyLatencyInMs', () => {
  test("is the legacy check's time by the handler's clock, apart from the whole answer's", async () => {
    let now = Date.now();
    const receivedAt = now;
    const clock = () => now;
    now += 40; // already 40 ms since arrival when the handler starts
    const legacy = authority({ outcome: 'correct', legacyId: '1', mustChangePassword: false }, () => void (now += 250));
    const outcome = outcomeOf(await handlePasswordSubmit(await body(), depsWith(legacy, { clock }), { receivedAt }));
    assert.equal(outcome.action, 'MigratePassword');
    assert.equal(outcome.legacyLatencyInMs, 250);
    assert.equal(outcome.latencyInMs, 290);
  });

  test('a legacy store that fails still took its time; one behind an open circuit was not asked (null)', async () => {
    let now = Date.now();
    const clock = () => now;
    const failing: LegacyAuthority = {
      ...authority({ outcome: 'unknown' }),
      checkPassword: async () => {
        now += 120;
        throw new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, 'The legacy database refused the connection.');
      },
    };
    const guarded = withCircuitBreaker(failing, { failureThreshold: 1, clock });
    const deps = depsWith(guarded, { clock });
    const first = outcomeOf(await handlePasswordSubmit(await body(), deps, { receivedAt: now }));
    assert.deepEqual([first.errorCode, first.legacyLatencyInMs], [LegacyStoreErrorCode.UNAVAILABLE, 120]);
    assert.equal(guarded.circuitState(), 'open');
    const second = outcomeOf(await handlePasswordSubmit(await body(), deps, { receivedAt: now }));
    assert.deepEqual([second.errorCode, second.legacyLatencyInMs], [LegacyStoreErrorCode.CIRCUIT_OPEN, null]);
  });

  test('when the deadline cuts the check off, it is the time the check had (at least what it took)', async () => {
    const legacy = authority({ outcome: 'wrong', legacyId: '1' }, () => new Promise((resolve) => setTimeout(resolve, 2_000)));
    const receivedAt = Date.now();
    const outcome = outcomeOf(await handlePasswordSubmit(await body(), depsWith(legacy, { responseDeadlineInMs: 400, sendMarginInMs: () => 10 }), { receivedAt }));
    assert.equal(outcome.errorCode, 'DEADLINE_EXCEEDED');
    assert.ok(outcome.legacyLatencyInMs !== null && outcome.legacyLatencyInMs >= 200 && outcome.legacyLatencyInMs <= outcome.latencyInMs, `${outcome.legacyLatencyInMs} of ${outcome.latencyInMs} ms`);
    assert.ok(outcome.latencyInMs - outcome.legacyLatencyInMs! < 200, 'most of the answer was the wait for the store');
  });
});
