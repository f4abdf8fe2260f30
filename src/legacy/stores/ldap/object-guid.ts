/**
 * Active Directory's `objectGUID` (16 bytes) as the GUID string AD's own tools show: the first three fields are
 * stored little-endian, the last two as they are — the byte order of .NET's `Guid.ToByteArray`
 * (https://learn.microsoft.com/dotnet/api/system.guid.tobytearray). Throws a RangeError for any other length.
 *
 * @example
 *   formatObjectGuid(Buffer.from('c98b91356d19ea409779889d79b753f0', 'hex')) // '35918bc9-196d-40ea-9779-889d79b753f0'
 */
export function formatObjectGuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`An objectGUID is 16 bytes, not ${bytes.length}.`);
  const hex = (indexes: number[]): string => indexes.map((index) => bytes[index]!.toString(16).padStart(2, '0')).join('');
  return [
    hex([3, 2, 1, 0]),
    hex([5, 4]),
    hex([7, 6]),
    hex([8, 9]),
    hex([10, 11, 12, 13, 14, 15]),
  ].join('-');
}
