import type { AccountProfile, AccountState } from '../../ledger/index.js';
import type { LegacyRecord } from '../legacy-record.js';
import { syncItem, type SyncItem } from './sync-item.js';
import { profileFingerprint } from './sync-profile.js';

/**
 * What a sync does with one source record:
 * - `not-pre-created`: the ledger holds no account created or found for it (premigrate creates it; sync never does);
 * - `unchanged`: its fingerprint is the one recorded and its enabled state too: nothing is sent;
 * - `compare`: its profile changed, it has no recorded profile (pre-created before profiles were kept), or it came
 *   back after a sync disabled it (re-enabled): read from Graph and PATCHed where it differs;
 * - `disable`: the source holds it as blocked and no sync has disabled it yet: held back until the source has been
 *   read to the end and the mass-disable guard has counted every disable (a `compare` of its profile goes first).
 * A disable is only ever undone for an account a sync (or premigrate, for an account blocked when created) recorded
 * as disabled: an account disabled in Entra by an administrator stays as it is.
 *
 * @example
 *   const decision = syncDecision(record, await ledger.accountState(record.id), profiles.get(record.id));
 */
export function syncDecision(
  record: LegacyRecord,
  account: AccountState | undefined,
  recorded: AccountProfile | undefined,
): { kind: 'not-pre-created' } | { kind: 'unchanged' } | { kind: 'compare' | 'disable' | 'compare-then-disable'; item: SyncItem } {
  if (!account || (account.state !== 'created' && account.state !== 'existing') || !account.entraObjectId) return { kind: 'not-pre-created' };
  const base = { legacyId: record.id, objectId: account.entraObjectId, record, recorded };
  const blocked = record.enabled === false;
  const profileChanged = recorded?.fingerprint !== profileFingerprint(record);
  const comeBack = !blocked && recorded?.enabled === false;
  const toDisable = blocked && recorded?.enabled !== false;
  if (toDisable) return { kind: profileChanged ? 'compare-then-disable' : 'disable', item: syncItem({ ...base, enabled: false }) };
  if (profileChanged || comeBack) return { kind: 'compare', item: syncItem({ ...base, enabled: comeBack ? true : undefined }) };
  return { kind: 'unchanged' };
}
