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
      if (stored.scheme !== undefined) return named(stored.scheme);
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
