import type { AccountProfile } from '../../ledger/index.js';
import type { LegacyRecord } from '../legacy-record.js';
import type { Queued } from './batch-dispatcher.js';

/** One pre-created account on its way through a sync: read from Graph, compared, PATCHed when it differs. */
export interface SyncItem extends Queued {
  legacyId: string;
  objectId: string;
  /** The account as the source holds it now; null when it left the source (it is only to be disabled). */
  record: LegacyRecord | null;
  /** What the ledger holds as last written; undefined for accounts pre-created before profiles were recorded. */
  recorded: AccountProfile | undefined;
  /** `accountEnabled` to write: false to disable, true to re-enable, undefined to leave as it is. */
  enabled: boolean | undefined;
  /** Whether the names, mail and e-mail identity are compared too; false for a disable whose profile went ahead. */
  compareProfile: boolean;
  /** Sends so far (reads and PATCHes together). */
  attempts: number;
}

/**
 * A sync item, ready for its first read.
 *
 * @example
 *   dispatcher.add(syncItem({ legacyId: '42', objectId, record, recorded, enabled: undefined }));
 */
export function syncItem(item: Omit<SyncItem, 'attempts' | 'notBefore' | 'compareProfile'>): SyncItem {
  return { ...item, compareProfile: item.record !== null, attempts: 0, notBefore: 0 };
}
