import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notifyCsv } from '../../src/bulk/steps/cutover-notify.js';

test('the notify file: RFC 4180 quoting, and fields a spreadsheet would run as formulas made inert', () => {
  const csv = notifyCsv([
    { legacyId: '1', email: 'ada@example.com', displayName: 'Ada "the Countess", of Lovelace' },
    { legacyId: '+2', email: '-bob@example.com', displayName: '@SUM(A1:A9)' },
    { legacyId: '3', email: 'eve@example.com', displayName: '=HYPERLINK("http://evil.example")\r\nsecond line' },
    { legacyId: '4', email: 'tab@example.com', displayName: '\tlooks empty' },
    { legacyId: '5', email: 'carl@example.com', displayName: null },
  ]);
  assert.deepEqual(csv.split('\r\n'), [
    '"legacy_id","email","display_name"',
    '"1","ada@example.com","Ada ""the Countess"", of Lovelace"',
    '"\'+2","\'-bob@example.com","\'@SUM(A1:A9)"',
    '"3","eve@example.com","\'=HYPERLINK(""http://evil.example"")',
    'second line"',
    '"4","tab@example.com","\'\tlooks empty"',
    '"5","carl@example.com",""',
    '',
  ]);
  assert.equal(notifyCsv([]), '"legacy_id","email","display_name"\r\n');
});
