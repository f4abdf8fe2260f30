import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_FIELD_MAP } from '../../../src/bulk/legacy-record.js';
import { mapRow } from '../../../src/bulk/steps/map-row.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';

describe('mapRow', () => {
  test('a valid row becomes its record, with its line', () => {
    const mapped = mapRow({ line: 4, row: { id: 'u1', email: 'ada@legacy.example', display_name: 'Ada' } }, DEFAULT_FIELD_MAP);
    assert.ok('record' in mapped);
    assert.equal(mapped.line, 4);
    assert.equal(mapped.record.id, 'u1');
    assert.equal(mapped.record.email, 'ada@legacy.example');
  });

  test('a rejected row keeps its line, its reason and the id it has; never the row', () => {
    const mapped = mapRow({ line: 7, row: { id: 42, email: 'not an e-mail', password: CANARY_PASSWORDS.correct } }, DEFAULT_FIELD_MAP);
    assert.deepEqual(mapped, { rejection: { legacyId: '42', reason: 'email is not a valid e-mail address', line: 7 } });
  });

  test('an unreadable row is rejected with the reader\'s reason, or "unreadable", and no id', () => {
    assert.deepEqual(mapRow({ line: 2, row: null, error: 'not JSON' }, DEFAULT_FIELD_MAP), { rejection: { legacyId: '', reason: 'not JSON', line: 2 } });
    assert.deepEqual(mapRow({ line: 3, row: null }, DEFAULT_FIELD_MAP), { rejection: { legacyId: '', reason: 'unreadable', line: 3 } });
  });

  test('hostile ids are not echoed: too long, or not a string or a number', () => {
    const long = mapRow({ line: 1, row: { id: 'x'.repeat(201), email: 'ada@legacy.example' } }, DEFAULT_FIELD_MAP);
    assert.deepEqual(long, { rejection: { legacyId: '', reason: 'id longer than 200 characters', line: 1 } });
    const object = mapRow({ line: 2, row: { id: { toString: () => 'boom' }, email: 'ada@legacy.example' } }, DEFAULT_FIELD_MAP);
    assert.ok('rejection' in object);
    assert.equal(object.rejection.legacyId, '');
  });
});
