import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildTokenIssuanceStartResponse, MAX_CLAIMS, MAX_CLAIMS_BYTES } from '../../../src/events/index.js';
import { checkClaimLimits, claimsFromAnswer, claimsFromRow, MAX_CLAIM_ARRAY_ITEMS, TokenClaimsErrorCode } from '../../../src/legacy/claims/index.js';
import { LegacyStoreErrorCode } from '../../../src/legacy/index.js';

/** A claim value that must never show in an error message. */
const SECRET_VALUE = 'claim-value-canary-5e1f';

function throwsCode(work: () => unknown, code: string): Error & { code: string; publicMessage: string } {
  let caught: unknown;
  assert.throws(work, (error) => ((caught = error), true));
  const error = caught as Error & { code: string; publicMessage: string };
  assert.equal(error.code, code, error.message);
  assert.ok(!error.message.includes(SECRET_VALUE) && !error.publicMessage.includes(SECRET_VALUE), 'an error holds a claim value');
  return error;
}

describe('claimsFromRow: each column one claim', () => {
  test('strings, JSON arrays of strings, numbers, bigints, booleans and dates; NULL omitted', () => {
    const claims = claimsFromRow({
      department: 'R&D',
      roles: '["Writer","Editor"]',
      spaced: ' [ "a" ] ',
      level: 3,
      bigId: 9007199254740993n,
      active: true,
      since: new Date('2020-01-02T03:04:05.000Z'),
      nickname: null,
      native: ['x', 'y'],
    });
    assert.deepEqual(claims, {
      department: 'R&D',
      roles: ['Writer', 'Editor'],
      spaced: ['a'],
      level: '3',
      bigId: '9007199254740993',
      active: 'true',
      since: '2020-01-02T03:04:05.000Z',
      native: ['x', 'y'],
    });
    assert.ok(Object.isFrozen(claims) && Object.isFrozen(claims.roles), 'frozen, arrays too');
  });

  test('text that only looks like an array stays text; an empty JSON array is an empty array', () => {
    assert.deepEqual(claimsFromRow({ tag: '[draft]', note: '[1,', list: '[]' }), { tag: '[draft]', note: '[1,', list: [] });
  });

  test('the claims are accepted by the response builder', () => {
    const claims = claimsFromRow({ roles: '["Writer"]', tier: 2 });
    assert.deepEqual(buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims: claims as Record<string, string | string[]> }).data.actions[0]!.claims, { roles: ['Writer'], tier: '2' });
  });

  test('a JSON array holding a non-string, an object, binary data or NaN is TOKEN_CLAIM_VALUE_INVALID, naming the claim, not the value', () => {
    for (const value of [`[1, "${SECRET_VALUE}"]`, [SECRET_VALUE, 2], { secret: SECRET_VALUE }, Buffer.from(SECRET_VALUE), Number.NaN, new Date(Number.NaN)]) {
      const error = throwsCode(() => claimsFromRow({ roles: value }), TokenClaimsErrorCode.VALUE_INVALID);
      assert.match(error.publicMessage, /roles/);
    }
  });

  test('a column name that cannot be a claim name is TOKEN_CLAIM_NAME_INVALID; a hostile name is not echoed', () => {
    for (const name of ['__proto__', 'constructor', 'prototype', '1st', 'has space', 'x'.repeat(129), `<script>${SECRET_VALUE}`, 'count(*)']) {
      const error = throwsCode(() => claimsFromRow(Object.defineProperty({}, name, { value: 'v', enumerable: true })), TokenClaimsErrorCode.NAME_INVALID);
      if (name.startsWith('<')) assert.ok(!error.publicMessage.includes('<script>'));
    }
  });

  test('a column returned twice is TOKEN_CLAIM_NAME_INVALID', () => {
    throwsCode(() => claimsFromRow({ roles: 'a' }, ['roles', 'roles']), TokenClaimsErrorCode.NAME_INVALID);
  });
});

describe('claimsFromAnswer: a JSON object of claims', () => {
  test('strings, arrays of strings, numbers and booleans; null omitted; a string holding JSON stays a string', () => {
    assert.deepEqual(claimsFromAnswer({ roles: ['Writer'], tier: 2, vip: false, nickname: null, raw: '["a"]' }), { roles: ['Writer'], tier: '2', vip: 'false', raw: '["a"]' });
  });

  test('anything but an object is LEGACY_ANSWER_INVALID', () => {
    for (const body of [null, [], 'claims', 42, true]) throwsCode(() => claimsFromAnswer(body), LegacyStoreErrorCode.ANSWER_INVALID);
  });

  test('a nested object or an array of non-strings is TOKEN_CLAIM_VALUE_INVALID', () => {
    throwsCode(() => claimsFromAnswer({ roles: { admin: SECRET_VALUE } }), TokenClaimsErrorCode.VALUE_INVALID);
    throwsCode(() => claimsFromAnswer({ roles: [SECRET_VALUE, null] }), TokenClaimsErrorCode.VALUE_INVALID);
  });

  test('a parsed "__proto__" key is refused, not merged into the prototype', () => {
    throwsCode(() => claimsFromAnswer(JSON.parse(`{"__proto__": {"isAdmin": "${SECRET_VALUE}"}}`)), TokenClaimsErrorCode.NAME_INVALID);
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
  });
});

describe('checkClaimLimits: the event\'s limits', () => {
  test('exactly 3 KB of names and values passes; one byte more is TOKEN_CLAIMS_TOO_LARGE', () => {
    const at = { bg: 'é'.repeat((MAX_CLAIMS_BYTES - 2) / 2) }; // 'bg' + 1535 two-byte characters = 3072 bytes
    assert.deepEqual(checkClaimLimits(at), at);
    const error = throwsCode(() => checkClaimLimits({ bg: `${at.bg}x` }), TokenClaimsErrorCode.TOO_LARGE);
    assert.match(error.publicMessage, /3073 bytes/);
  });

  test(`${MAX_CLAIMS} claims pass, one more is TOKEN_CLAIMS_TOO_LARGE`, () => {
    const many = Object.fromEntries(Array.from({ length: MAX_CLAIMS }, (_, i) => [`c${i}`, '']));
    checkClaimLimits(many);
    throwsCode(() => checkClaimLimits({ ...many, extra: '' }), TokenClaimsErrorCode.TOO_LARGE);
  });

  test('an array of a million empty strings (0 bytes by the 3 KB count) is TOKEN_CLAIMS_TOO_LARGE', () => {
    checkClaimLimits({ roles: Array.from({ length: MAX_CLAIM_ARRAY_ITEMS }, () => '') });
    throwsCode(() => checkClaimLimits({ roles: Array.from({ length: 1_000_000 }, () => '') }), TokenClaimsErrorCode.TOO_LARGE);
  });

  test('a value that is not a string or an array of strings is TOKEN_CLAIM_VALUE_INVALID', () => {
    for (const value of [null, 3, { a: 'b' }, [1]]) throwsCode(() => checkClaimLimits({ roles: value }), TokenClaimsErrorCode.VALUE_INVALID);
  });

  test('the result is a copy: changing the input afterwards changes nothing', () => {
    const roles = ['Writer'];
    const checked = checkClaimLimits({ roles });
    roles.push('Admin');
    assert.deepEqual(checked, { roles: ['Writer'] });
  });
});
