import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createOneTimeCodes, ONE_TIME_CODE_LIFETIME_IN_MS } from '../../src/emulator/index.js';

describe('one-time codes', () => {
  test('8 digits, right once, each code bound to its own verification', () => {
    const codes = createOneTimeCodes<string>(() => 0);
    const first = codes.issue('a')!;
    const second = codes.issue('b')!;
    assert.match(first.code, /^\d{8}$/);
    assert.notEqual(first.verificationId, second.verificationId);
    if (first.code !== second.code) assert.equal(codes.redeem(first.verificationId, second.code).ok, false);
    assert.deepEqual(codes.redeem(first.verificationId, ` ${first.code} `), { ok: true, subject: 'a' });
    assert.deepEqual(codes.redeem(first.verificationId, first.code), { ok: false, reason: 'unknown' });
    assert.deepEqual(codes.redeem(second.verificationId, second.code), { ok: true, subject: 'b' });
  });

  test('valid until 10 minutes have passed, not at 10 minutes', () => {
    let now = 1_000;
    const codes = createOneTimeCodes<string>(() => now);
    const early = codes.issue('a')!;
    const late = codes.issue('b')!;
    now += ONE_TIME_CODE_LIFETIME_IN_MS - 1;
    assert.equal(codes.redeem(early.verificationId, early.code).ok, true);
    now += 1;
    assert.deepEqual(codes.redeem(late.verificationId, late.code), { ok: false, reason: 'expired' });
  });

  test('hostile codes: longer, shorter, non-digits, empty — wrong, never a crash', () => {
    const codes = createOneTimeCodes<string>(() => 0);
    const issued = codes.issue('a')!;
    assert.equal(codes.redeem(issued.verificationId, `${issued.code}0`).ok, false);
    assert.equal(codes.redeem(issued.verificationId, '').ok, false);
    assert.deepEqual(codes.redeem(issued.verificationId, '😀😀😀😀'), { ok: false, reason: 'too-many-tries' });
    assert.deepEqual(codes.redeem('', issued.code), { ok: false, reason: 'unknown' });
  });
});
