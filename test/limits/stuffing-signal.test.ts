/** The tenant-wide credential-stuffing signal (limits/stuffing-signal.ts) and what serve makes of it (app/open-attempt-limiter.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStuffingSignal } from '../../src/app/open-attempt-limiter.js';
import { createLogger } from '../../src/common/logger.js';
import type { DecisionReason } from '../../src/jit/index.js';
import { attemptSideOf, createStuffingSignal, type StuffingFigures } from '../../src/limits/index.js';
import { createExtensionMetrics } from '../../src/metrics/extension-metrics.js';
import { parsePrometheusText } from '../support/prometheus-text.js';

function signalAt(clock: () => number) {
  const raised: StuffingFigures[] = [];
  const ended: StuffingFigures[] = [];
  const signal = createStuffingSignal({ wrongShare: 0.8, minAttempts: 10, clock, onSignal: (figures) => void raised.push(figures), onEnd: (figures) => void ended.push(figures) });
  return { signal, raised, ended };
}

const record = (signal: { record(reason: DecisionReason): void }, reason: DecisionReason, times: number) => {
  for (let index = 0; index < times; index++) signal.record(reason);
};

describe('credential-stuffing signal', () => {
  test('which answers count as wrong, right, or not at all', () => {
    for (const reason of ['password-wrong', 'legacy-account-not-found', 'legacy-account-blocked', 'attempt-limit-reached'] as const) assert.equal(attemptSideOf(reason), 'wrong', reason);
    for (const reason of ['password-correct', 'password-correct-must-change', 'password-correct-policy-too-short'] as const) assert.equal(attemptSideOf(reason), 'right', reason);
    for (const reason of ['legacy-store-unavailable', 'deadline-exceeded', 'overloaded', 'legacy-hash-unverifiable'] as const) assert.equal(attemptSideOf(reason), undefined, reason);
  });

  test('raised once when the share of wrong passwords reaches the threshold with enough attempts, not before', () => {
    const now = 1_000_000;
    const { signal, raised } = signalAt(() => now);
    record(signal, 'password-wrong', 9);
    assert.equal(raised.length, 0, 'nine attempts are fewer than the minimum, however wrong');
    signal.record('legacy-account-not-found');
    assert.deepEqual(raised, [{ attempts: 10, wrong: 10, wrongShare: 1 }]);
    record(signal, 'password-wrong', 50);
    assert.equal(raised.length, 1, 'one signal per campaign, not per attempt');
  });

  test('a busy minute of mostly right passwords raises nothing', () => {
    const { signal, raised } = signalAt(() => 5_000);
    for (let index = 0; index < 200; index++) signal.record(index % 4 === 0 ? 'password-wrong' : 'password-correct');
    assert.equal(raised.length, 0);
  });

  test('ends when the share falls; the attempts of more than a minute ago no longer count; a new signal waits a minute', () => {
    let now = 0;
    const { signal, raised, ended } = signalAt(() => now);
    record(signal, 'password-wrong', 10);
    assert.equal(raised.length, 1);
    now = 61_000;
    signal.record('password-correct');
    assert.equal(ended.length, 1, 'the wrong passwords are more than a minute old');
    assert.equal(signal.isRaised(), false);
    now = 61_500;
    record(signal, 'password-wrong', 20);
    assert.equal(raised.length, 2, 'a minute after the first');
    signal.record('password-correct');
    now = 62_000;
    record(signal, 'password-correct', 30);
    assert.equal(ended.length, 2);
    now = 63_000;
    record(signal, 'password-wrong', 200);
    assert.equal(raised.length, 2, 'within a minute of the last signal: not again');
  });
});

test('isRaised() reads the clock: a raised signal ends when its minute passes, with no attempt recorded since', () => {
  let now = 0;
  const { signal, ended } = signalAt(() => now);
  record(signal, 'password-wrong', 10);
  assert.equal(signal.isRaised(), true);
  now = 59_000;
  assert.equal(signal.isRaised(), true);
  now = 60_000;
  assert.equal(signal.isRaised(), false);
  assert.equal(ended.length, 1);
});

describe('openStuffingSignal', () => {
  test('one warning line with the figures, and entra_migrate_credential_stuffing_signals_total counts it', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    const metrics = createExtensionMetrics({}, { processMetrics: false });
    const counted = async () => parsePrometheusText(await metrics.text()).find((sample) => sample.name === 'entra_migrate_credential_stuffing_signals_total')?.value;
    assert.equal(await counted(), 0, 'the series exists from the start');
    const stuffing = openStuffingSignal({ wrongShare: 0.8, minAttempts: 5, mode: 'observe' }, { clock: () => 0, logger, recorder: metrics })!;
    for (let index = 0; index < 8; index++) stuffing.record('password-wrong');
    assert.equal(await counted(), 1);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, 40);
    assert.deepEqual({ attempts: lines[0]!.attempts, wrong: lines[0]!.wrong, wrongPercent: lines[0]!.wrongPercent, thresholdPercent: lines[0]!.thresholdPercent }, { attempts: 5, wrong: 5, wrongPercent: 100, thresholdPercent: 80 });
    assert.match(String(lines[0]!.msg), /credential stuffing suspected/);
    assert.doesNotMatch(String(lines[0]!.msg), /unavailable/, 'observe mode changes no answer, and does not say it does');
  });

  test('STUFFING_SIGNAL_WRONG_PERCENT=0: nothing to record', () => {
    assert.equal(openStuffingSignal(null, { clock: Date.now, logger: createLogger({ level: 'silent' }), recorder: undefined }), undefined);
  });
});
