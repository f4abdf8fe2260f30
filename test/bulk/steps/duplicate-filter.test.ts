import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuplicateFilter } from '../../../src/bulk/steps/duplicate-filter.js';

describe('DuplicateFilter', () => {
  test('the first record with an id or an e-mail passes; later ones say which they repeat, the id first', () => {
    const duplicates = new DuplicateFilter();
    assert.equal(duplicates.reasonToSkip({ id: 'u1', email: 'ada@legacy.example' }), null);
    assert.equal(duplicates.reasonToSkip({ id: 'u1', email: 'other@legacy.example' }), 'duplicate id');
    assert.equal(duplicates.reasonToSkip({ id: 'u2', email: 'ada@legacy.example' }), 'duplicate e-mail');
    assert.equal(duplicates.reasonToSkip({ id: 'u1', email: 'ada@legacy.example' }), 'duplicate id');
  });

  test('a duplicate is not remembered: its other key stays free for a later record', () => {
    const duplicates = new DuplicateFilter();
    assert.equal(duplicates.reasonToSkip({ id: 'u1', email: 'ada@legacy.example' }), null);
    assert.equal(duplicates.reasonToSkip({ id: 'u2', email: 'ada@legacy.example' }), 'duplicate e-mail');
    assert.equal(duplicates.reasonToSkip({ id: 'u2', email: 'bob@legacy.example' }), null);
    assert.equal(duplicates.reasonToSkip({ id: 'u3', email: 'other@legacy.example' }), null);
    assert.equal(duplicates.reasonToSkip({ id: 'u1', email: 'carl@legacy.example' }), 'duplicate id');
  });

  test('an id and an e-mail with the same text are different keys', () => {
    const duplicates = new DuplicateFilter();
    assert.equal(duplicates.reasonToSkip({ id: 'ada@legacy.example', email: 'x@legacy.example' }), null);
    assert.equal(duplicates.reasonToSkip({ id: 'u2', email: 'ada@legacy.example' }), null);
  });
});
