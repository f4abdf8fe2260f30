import { describeShape, HashError, HashErrorCode } from './errors.js';
import type { HashFormat, StoredHash } from './format.js';

/** Formats by id, and the search for the one a stored hash belongs to. */
export interface HashRegistry {
  readonly formats: readonly HashFormat[];
  /** The format a store names (`scheme`), or the one whose shape the hash has. Throws when there is none. */
  formatFor(stored: StoredHash): HashFormat;
  /** The format whose shape the hash has, or undefined. */
  recognise(hash: string): HashFormat | undefined;
}

export function createHashRegistry(formats: readonly HashFormat[]): HashRegistry {
  const byId = new Map(formats.map((format) => [format.id, format]));
  if (byId.size !== formats.length) throw new TypeError('Two hash formats share an id.');
  const recognise = (hash: string) => formats.find((format) => format.matches(hash));
  const disabled = byId.get('disabled');
  /** Where a marker's character is the format's own: any plaintext password, every MySQL 4.1 hash's `*`. */
  const ownsMarker = (format: HashFormat, hash: string) => format.id === 'plaintext' || (format.id === 'mysql41' && hash.startsWith('*'));
  return {
    formats,
    recognise,
    formatFor(stored) {
      const named = (scheme: string) => {
        const format = byId.get(scheme.trim().toLowerCase());
        if (!format) {
          throw new HashError(
            HashErrorCode.HASH_SCHEME_UNKNOWN,
            `The hash scheme "${scheme.slice(0, 40)}" is not one of: ${[...byId.keys()].join(', ')}.`,
          );
        }
        return format;
      };
      if (stored.scheme !== undefined) {
        const format = named(stored.scheme);
        // A locked account keeps its hash behind a marker (`!$6$…`, `*LK*…`) whatever scheme its row names: the
        // marker wins, unless its character is the format's own.
        if (disabled && !format.matches(stored.hash) && !ownsMarker(format, stored.hash) && disabled.matches(stored.hash)) return disabled;
        return format;
      }
      const found = recognise(stored.hash);
      if (found) return found;
      if (stored.defaultScheme !== undefined) return named(stored.defaultScheme);
      throw new HashError(
        HashErrorCode.HASH_FORMAT_UNSUPPORTED,
        `The stored hash (${describeShape(stored.hash)}) is not a format entra-migrate recognises; if it is a configured scheme (digest, hmac, …), name the scheme.`,
      );
    },
  };
}
