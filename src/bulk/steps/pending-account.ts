import type { LegacyRecord } from '../legacy-record.js';

/** An account on its way to Entra. */
export interface PendingAccount {
  record: LegacyRecord;
  /** Its line in the source, for the failures list. */
  line: number;
  /** Sends so far. */
  attempts: number;
  /** Not to be sent before this time (a back-off after a transient failure); 0 for at once. */
  notBefore: number;
  /** It may exist already (left `pending` by an earlier run, or a conflict Graph did not look up): looked up first. */
  uncertain: boolean;
}

/** An account Graph holds now: created by this run, or found by a lookup. */
export interface AccountInEntra {
  account: PendingAccount;
  objectId: string;
  state: 'created' | 'existing';
}

/**
 * A record read from the source, ready to be sent for the first time.
 *
 * @example
 *   dispatcher.add(pendingAccount(record, 12, { uncertain: false }));
 */
export function pendingAccount(record: LegacyRecord, line: number, options: { uncertain: boolean }): PendingAccount {
  return { record, line, attempts: 0, notBefore: 0, uncertain: options.uncertain };
}
