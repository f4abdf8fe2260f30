import type { Ledger } from '../../ledger/index.js';
import type { FingerprintSet } from '../fingerprint-set.js';
import { syncItem, type SyncItem } from './sync-item.js';

/** Ledger accounts read per page. */
const PAGE_SIZE = 1000;

/**
 * The pre-created accounts a complete read of the source did not hold: each ledger account created or found
 * existing (with an object id) whose legacy id the source never named, and that no sync has disabled yet — as
 * items to disable, page by page in legacy-id order. Called only after the source was read to the end without an
 * error: an interrupted or failed read says nothing about who left.
 *
 * @example
 *   for await (const item of departures(ledger, seenIds, abortSignal)) toDisable.push(item);
 */
export async function* departures(ledger: Pick<Ledger, 'listAccounts' | 'profiles'>, seen: FingerprintSet, abortSignal?: AbortSignal): AsyncGenerator<SyncItem> {
  let after: string | undefined;
  while (!abortSignal?.aborted) {
    const page = await ledger.listAccounts({ ...(after !== undefined && { after }), limit: PAGE_SIZE });
    const gone = page.filter((account) => (account.state === 'created' || account.state === 'existing') && account.entraObjectId && !seen.has(account.legacyId));
    const profiles = gone.length > 0 ? await ledger.profiles(gone.map((account) => account.legacyId)) : new Map();
    for (const account of gone) {
      const recorded = profiles.get(account.legacyId);
      if (recorded?.enabled === false) continue;
      yield syncItem({ legacyId: account.legacyId, objectId: account.entraObjectId!, record: null, recorded, enabled: false });
    }
    if (page.length < PAGE_SIZE) return;
    after = page.at(-1)!.legacyId;
  }
}
