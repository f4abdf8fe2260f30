/**
 * `record[key]` when `key` is one of the record's own properties, else undefined. For lookups keyed by a value from
 * outside — a request (`client.locale`), a JWE header, a legacy row, a setting — so that `constructor`, `__proto__`
 * or `toString` is an unknown key like any other, never something inherited from Object.prototype.
 *
 * @example
 *   ownValue({ en: 1 }, 'en')          // 1
 *   ownValue({ en: 1 }, 'constructor') // undefined (a plain lookup gives Object)
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
