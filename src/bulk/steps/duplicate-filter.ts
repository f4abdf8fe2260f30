import { FingerprintSet } from '../fingerprint-set.js';
import type { LegacyRecord } from '../legacy-record.js';

/**
 * De-duplicates a source: the first record with an id or an e-mail passes, later ones are duplicates. Keeps 32
 * bytes per account however many millions there are (see {@link FingerprintSet}).
 *
 * @example
 *   const duplicates = new DuplicateFilter();
 *   duplicates.reasonToSkip({ id: 'u1', email: 'ada@legacy.example', … }) // null: first seen
 *   duplicates.reasonToSkip({ id: 'u2', email: 'ada@legacy.example', … }) // 'duplicate e-mail'
 */
export class DuplicateFilter {
  readonly #seen = new FingerprintSet();

  /** Why the record repeats an earlier one (its id first), or null when it is new — and from now on known. */
  reasonToSkip(record: Pick<LegacyRecord, 'id' | 'email'>): 'duplicate id' | 'duplicate e-mail' | null {
    if (this.#seen.has(`id:${record.id}`)) return 'duplicate id';
    if (this.#seen.has(`email:${record.email}`)) return 'duplicate e-mail';
    this.#seen.add(`id:${record.id}`);
    this.#seen.add(`email:${record.email}`);
    return null;
  }
}
