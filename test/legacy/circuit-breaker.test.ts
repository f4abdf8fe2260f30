import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  LegacyStoreError,
  LegacyStoreErrorCode,
  withCircuitBreaker,
  type CircuitState,
  type LegacyAuthority,
  type LegacyCheck,
} from '../../src/legacy/index.js';
import { HashError, HashErrorCode } from '../../src/legacy/hashes/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';

/** An authority whose next answers are scripted: a check, an error to throw, or 'hang' (until aborted). */
function scripted() {
  const script: Array<LegacyCheck | Error | 'hang'> = [];
  let calls = 0;
  const authority: LegacyAuthority = {
    kind: 'scripted',
    async checkPassword(_attempt, { abortSignal }) {
      calls += 1;
      const next = script.shift() ?? { outcome: 'wrong', legacyId: null };
      if (next === 'hang') {
        return new Promise((_resolve, reject) => abortSignal.addEventListener('abort', () => reject(abortSignal.reason), { once: true }));
      }
      if (next instanceof Error) throw next;
      return next;
    },
    ping: async () => undefined,
    close: async () => undefined,
  };
  return { authority, script, calls: () => calls };
}

const attempt = { username: 'ada@example.com', email: null, objectId: '0b1c2d3e-0000-4000-8000-000000000001', password: CANARY_PASSWORDS.correct };
const down = () => new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, 'The legacy store cannot be reached.');

function harness(script: ReturnType<typeof scripted>) {
  let now = 1_000_000;
  const changes: CircuitState[] = [];
  const breaker = withCircuitBreaker(script.authority, { clock: () => now, onStateChange: (state) => changes.push(state) });
  const check = () => breaker.checkPassword(attempt, { abortSignal: new AbortController().signal, deadlineAt: now + 1500 });
  return { breaker, check, changes, advance: (ms: number) => { now += ms; } };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

test('circuit: five failures in a row open it; then checks fail at once without reaching the store', async () => {
  const store = scripted();
  store.script.push(down(), down(), down(), down());
  const { breaker, check, changes } = harness(store);
  for (let i = 0; i < 4; i++) assert.equal(await codeOf(check()), LegacyStoreErrorCode.UNAVAILABLE);
  assert.equal(breaker.circuitState(), 'closed', 'four failures are not enough');
  store.script.push(down());
  assert.equal(await codeOf(check()), LegacyStoreErrorCode.UNAVAILABLE);
  assert.equal(breaker.circuitState(), 'open');
  const callsWhenOpened = store.calls();
  for (let i = 0; i < 20; i++) assert.equal(await codeOf(check()), LegacyStoreErrorCode.CIRCUIT_OPEN);
  assert.equal(store.calls(), callsWhenOpened, 'an open circuit does not ask the store');
  assert.deepEqual(changes, ['open']);
});

test('circuit: an answer in between resets the count (failures must be in a row)', async () => {
  const store = scripted();
  store.script.push(down(), down(), down(), down(), { outcome: 'unknown' }, down(), down(), down(), down());
  const { breaker, check } = harness(store);
  for (let i = 0; i < 9; i++) await codeOf(check());
  assert.equal(breaker.circuitState(), 'closed');
});

test('circuit: after 10 s one probe passes while the others still fail fast; its answer closes the circuit', async () => {
  const store = scripted();
  for (let i = 0; i < 5; i++) store.script.push(down());
  const { breaker, check, changes, advance } = harness(store);
  for (let i = 0; i < 5; i++) await codeOf(check());
  advance(9_999);
  assert.equal(await codeOf(check()), LegacyStoreErrorCode.CIRCUIT_OPEN, 'still open 1 ms before the end');
  advance(1);
  let releaseProbe!: (check: LegacyCheck) => void;
  const probeAnswer = new Promise<LegacyCheck>((resolve) => { releaseProbe = resolve; });
  const scriptedCheck = store.authority.checkPassword;
  store.authority.checkPassword = async () => probeAnswer; // a probe that takes its time
  const probe = check();
  assert.equal(breaker.circuitState(), 'half-open');
  assert.equal(await codeOf(check()), LegacyStoreErrorCode.CIRCUIT_OPEN, 'only one probe at a time');
  releaseProbe({ outcome: 'correct', legacyId: '7', mustChangePassword: false });
  assert.deepEqual(await probe, { outcome: 'correct', legacyId: '7', mustChangePassword: false });
  store.authority.checkPassword = scriptedCheck;
  assert.equal(breaker.circuitState(), 'closed');
  assert.equal(await codeOf(check()), 'resolved');
  assert.deepEqual(changes, ['open', 'half-open', 'closed']);
});

test('circuit: a failed probe opens it for another 10 s', async () => {
  const store = scripted();
  for (let i = 0; i < 6; i++) store.script.push(down());
  const { breaker, check, changes, advance } = harness(store);
  for (let i = 0; i < 5; i++) await codeOf(check());
  advance(10_000);
  assert.equal(await codeOf(check()), LegacyStoreErrorCode.UNAVAILABLE, 'the probe reached the store');
  assert.equal(breaker.circuitState(), 'open');
  advance(9_000);
  assert.equal(await codeOf(check()), LegacyStoreErrorCode.CIRCUIT_OPEN);
  assert.deepEqual(changes, ['open', 'half-open', 'open']);
});

test('circuit: checks abandoned at the deadline count; wrong passwords, bad rows and a busy verifier do not', async () => {
  const hanging = scripted();
  for (let i = 0; i < 5; i++) hanging.script.push('hang');
  const guarded = withCircuitBreaker(hanging.authority);
  for (let i = 0; i < 5; i++) {
    const controller = new AbortController();
    const pending = guarded.checkPassword(attempt, { abortSignal: controller.signal, deadlineAt: Date.now() + 10 });
    controller.abort(new Error('deadline'));
    await codeOf(pending);
  }
  assert.equal(guarded.circuitState(), 'open');

  const answering = scripted();
  answering.script.push(
    new LegacyStoreError(LegacyStoreErrorCode.ROW_INVALID, 'Several accounts matched.'),
    new HashError(HashErrorCode.HASH_VERIFIER_BUSY, 'busy'),
    new HashError(HashErrorCode.HASH_MALFORMED, 'malformed'),
    { outcome: 'wrong', legacyId: '1' },
    { outcome: 'blocked', legacyId: '1', status: 'locked' },
    new LegacyStoreError(LegacyStoreErrorCode.ROW_INVALID, 'Several accounts matched.'),
  );
  const { breaker, check } = harness(answering);
  for (let i = 0; i < 6; i++) await codeOf(check());
  assert.equal(breaker.circuitState(), 'closed');

  const misconfigured = scripted();
  for (let i = 0; i < 5; i++) misconfigured.script.push(new LegacyStoreError(LegacyStoreErrorCode.MISCONFIGURED, 'check LEGACY_VERIFY_AUTH'));
  const third = harness(misconfigured);
  for (let i = 0; i < 5; i++) await codeOf(third.check());
  assert.equal(third.breaker.circuitState(), 'open', 'our own credentials refused five times is a store we cannot use');
});

test('circuit: the open circuit\'s error names no user and no password', async () => {
  const store = scripted();
  for (let i = 0; i < 5; i++) store.script.push(down());
  const { check } = harness(store);
  for (let i = 0; i < 5; i++) await codeOf(check());
  const error = await check().catch((caught: unknown) => caught as LegacyStoreError);
  assert.ok(error instanceof LegacyStoreError);
  assert.doesNotMatch(`${error.message} ${error.publicMessage}`, /ada@example\.com|Canary/);
});

test('circuit: other work on the same legacy system (sign-up look-ups) runs through it — its failures count, and an open circuit refuses it at once', async () => {
  const store = scripted();
  store.script.push(down(), down());
  const { breaker, check, advance } = harness(store);
  const signal = new AbortController().signal;
  let lookups = 0;
  const lookUp = (outcome: 'found' | 'down') => breaker.guard(async () => {
    lookups += 1;
    if (outcome === 'down') throw down();
    return 'entry';
  }, signal);

  assert.equal(await codeOf(check()), LegacyStoreErrorCode.UNAVAILABLE);
  assert.equal(await codeOf(check()), LegacyStoreErrorCode.UNAVAILABLE);
  for (let i = 0; i < 3; i++) assert.equal(await codeOf(lookUp('down')), LegacyStoreErrorCode.UNAVAILABLE);
  assert.equal(breaker.circuitState(), 'open', 'two failed checks and three failed look-ups: five in a row');
  assert.equal(await codeOf(lookUp('found')), LegacyStoreErrorCode.CIRCUIT_OPEN);
  assert.equal(lookups, 3, 'an open circuit does not reach the store');
  const checksBefore = store.calls();
  assert.equal(await codeOf(check()), LegacyStoreErrorCode.CIRCUIT_OPEN);
  assert.equal(store.calls(), checksBefore, 'sign-ins are refused at once too');

  advance(10_000);
  assert.equal(await lookUp('found'), 'entry', 'a look-up can be the probe');
  assert.equal(breaker.circuitState(), 'closed');
  assert.deepEqual(await check(), { outcome: 'wrong', legacyId: null });
});
