import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatObjectGuid } from '../../../src/legacy/stores/ldap/object-guid.js';

test('Microsoft\'s documented pair: bytes C9 8B 91 35 6D 19 EA 40 97 79 88 9D 79 B7 53 F0 are 35918bc9-196d-40ea-9779-889d79b753f0', () => {
  // https://learn.microsoft.com/dotnet/api/system.guid.tobytearray (example output), the byte order AD stores.
  const bytes = Buffer.from([0xc9, 0x8b, 0x91, 0x35, 0x6d, 0x19, 0xea, 0x40, 0x97, 0x79, 0x88, 0x9d, 0x79, 0xb7, 0x53, 0xf0]);
  assert.equal(formatObjectGuid(bytes), '35918bc9-196d-40ea-9779-889d79b753f0');
});

test('the first three fields are reversed and the last two kept, byte by byte', () => {
  const bytes = Uint8Array.from({ length: 16 }, (_, index) => index);
  assert.equal(formatObjectGuid(bytes), '03020100-0504-0706-0809-0a0b0c0d0e0f');
});

test('anything but 16 bytes is refused', () => {
  for (const length of [0, 15, 17, 36]) assert.throws(() => formatObjectGuid(new Uint8Array(length)), RangeError);
});
