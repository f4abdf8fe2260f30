import { LedgerError, LedgerErrorCode } from './errors.js';
import { MAX_FIELD_LENGTH } from './decision-record.js';

/**
 * Where one legacy account stands in phase 1. `pending` is written before the create is sent, so a crash between
 * sending and recording leaves a row that a resumed run resolves by looking the user up — never by creating again.
 */
export type AccountStateName = 'pending' | 'created' | 'existing' | 'failed';
export const ACCOUNT_STATES: readonly AccountStateName[] = ['pending', 'created', 'existing', 'failed'];

export interface AccountState {
  legacyId: string;
  email: string;
  state: AccountStateName;
  /** The Entra object id once created or found. */
  entraObjectId: string | null;
  /** Why it failed (Graph's error code and message), never a password. */
  reason: string | null;
  updatedAt: Date;
}

/** A `premigration_accounts` row as the drivers return it. */
export interface AccountRow {
  legacy_id: string;
  email: string;
  state: AccountStateName;
  entra_object_id: string | null;
  reason: string | null;
  updated_at: string | Date;
}

export function accountOfRow(row: AccountRow): AccountState {
  return { legacyId: row.legacy_id, email: row.email, state: row.state, entraObjectId: row.entra_object_id, reason: row.reason, updatedAt: new Date(row.updated_at) };
}

/** Longest failure reason kept, in characters (Graph's messages are shorter). */
const MAX_REASON_LENGTH = 1000;

export function checkAccountState(account: AccountState): void {
  const problems: string[] = [];
  const text = (value: unknown, max: number) => typeof value === 'string' && value.length > 0 && value.length <= max && !value.includes('\0');
  if (!text(account.legacyId, MAX_FIELD_LENGTH)) problems.push('legacyId must be 1–200 characters');
  if (!text(account.email, 320)) problems.push('email must be 1–320 characters');
  if (!ACCOUNT_STATES.includes(account.state)) problems.push(`state must be one of ${ACCOUNT_STATES.join(', ')}`);
  if (account.entraObjectId !== null && !text(account.entraObjectId, 64)) problems.push('entraObjectId must be null or an id');
  if (account.reason !== null && !text(account.reason, MAX_REASON_LENGTH)) problems.push(`reason must be null or 1–${MAX_REASON_LENGTH} characters`);
  if (!(account.updatedAt instanceof Date) || Number.isNaN(account.updatedAt.getTime())) problems.push('updatedAt is not a valid date');
  if (problems.length > 0) throw new LedgerError(LedgerErrorCode.RECORD_INVALID, `An account state was refused: ${problems.join('; ')}.`);
}

export interface AccountFilter {
  state?: AccountStateName;
  /** Keyset pagination: accounts whose legacy id sorts after this one. */
  after?: string;
  /** Default 1000, at most 10,000. */
  limit?: number;
}
