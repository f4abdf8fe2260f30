import type { Clock } from '../../common/clock.js';
import type { AccountStateName, Ledger } from '../../ledger/index.js';
import { listFailure, type PremigrateSummary } from '../premigrate-summary.js';
import type { AccountInEntra, PendingAccount } from './pending-account.js';
import { methodsWanted, registerMethods, type RegisterMethodsOptions } from './register-methods.js';
import { profileFingerprint } from './sync-profile.js';

export interface AccountRecordsOptions extends RegisterMethodsOptions {
  /** With `recordProfile`, each account created is recorded with its profile's fingerprint: `--sync`'s baseline. */
  ledger: Pick<Ledger, 'recordAccount'> & Partial<Pick<Ledger, 'recordProfile'>>;
  now: Clock;
}

/** Where each account stands, written to the ledger and counted in the summary. */
export interface AccountRecords {
  /** Before its create is sent: from here on a crash is resolved by a lookup on the next run. */
  pending(account: PendingAccount): Promise<void>;
  /** Graph did not take it (or never answered for it): counted, listed with its line, recorded with the reason. */
  failed(account: PendingAccount, reason: string): Promise<void>;
  /**
   * Accounts now in Entra: their methods first (when wanted), then each recorded `created` or `existing` with its
   * object id — a method Graph refused is listed with the account, which is recorded all the same. An account whose
   * methods the abort left untried stays `pending`: the next run finds it and adds them.
   */
  inEntra(accounts: readonly AccountInEntra[]): Promise<void>;
}

/**
 * Records accounts in the ledger — `pending` before they are sent, then `created`, `existing` or `failed` — and
 * counts them in the summary.
 *
 * @example
 *   const records = accountRecords({ ledger, now, graph, summary, methods: {}, maxAttempts: 8 });
 *   await records.pending(account);
 */
export function accountRecords(options: AccountRecordsOptions): AccountRecords {
  const { summary } = options;
  const write = (account: PendingAccount, state: AccountStateName, entraObjectId: string | null, reason: string | null) =>
    options.ledger.recordAccount({ legacyId: account.record.id, email: account.record.email, state, entraObjectId, reason, updatedAt: new Date(options.now()) });

  /**
   * What this run wrote to Entra, as `premigrate --sync` compares it. Only for accounts it created: one found
   * existing holds a profile nobody recorded (an earlier run's, or a user's sign-up), so a sync compares it with Graph.
   */
  const recordProfile = async (account: PendingAccount) =>
    options.ledger.recordProfile?.({ legacyId: account.record.id, fingerprint: profileFingerprint(account.record), enabled: account.record.enabled !== false, syncedAt: new Date(options.now()) });

  return {
    pending: (account) => write(account, 'pending', null, null),

    async failed(account, reason) {
      summary.failed++;
      listFailure(summary, { legacyId: account.record.id, reason, line: account.line });
      await write(account, 'failed', null, reason.slice(0, 1000));
    },

    async inEntra(accounts) {
      const { problems, unfinished } = methodsWanted(options.methods)
        ? await registerMethods(accounts, options)
        : { problems: new Map<string, string>(), unfinished: new Set<string>() };
      for (const { account, objectId, state } of accounts) {
        if (unfinished.has(account.record.id)) {
          summary.interrupted = true;
          continue;
        }
        const problem = problems.get(account.record.id);
        if (problem) {
          summary.methodsFailed++;
          listFailure(summary, { legacyId: account.record.id, reason: `${state} in Entra as ${objectId}, but ${problem}`, line: account.line });
        }
        summary[state]++;
        // The profile first: a crash before the account row leaves it pending, looked up and recorded by the next run.
        if (state === 'created') await recordProfile(account);
        // Recorded with its object id either way: a later run skips it, and the failures CSV lists the method to add.
        await write(account, state, objectId, problem ?? null);
      }
    },
  };
}
