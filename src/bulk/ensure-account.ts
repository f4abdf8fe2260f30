import { systemClock, type Clock } from '../common/clock.js';
import { EntraMigrateError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { BatchResponse, GraphBatchClient } from '../graph/index.js';
import type { AccountStateName, Ledger } from '../ledger/index.js';
import type { LegacyProfile } from '../legacy/legacy-directory.js';
import { ALREADY_EXISTS, codeOf, isTransient, messageOf } from './graph-answers.js';
import { graphUserBody, type UserBodyOptions } from './graph-user-body.js';
import { identityLookup } from './identity-lookup.js';
import { DEFAULT_FIELD_MAP, recordOf, type LegacyRecord } from './legacy-record.js';
import { profileFingerprint } from './steps/sync-profile.js';

/** A legacy account found by the e-mail someone signs up with (the sign-up handlers' `LegacyAccountToEnsure`). */
export interface AccountToEnsure {
  readonly legacyId: string | null;
  readonly email: string;
  readonly profile: LegacyProfile;
  /** False when the legacy account is blocked: created disabled, as premigrate creates it. Absent: enabled. */
  readonly enabled?: boolean;
}

/** What became of it: in Entra already, created now, or neither (refused, unanswered, or out of time). */
export type EnsuredAccount = 'exists' | 'created' | 'failed';

export interface EnsureAccountOptions {
  /** The `$batch` client of the app registration premigrate uses; its abort signal must end the request in flight. */
  graph: GraphBatchClient;
  ledger: Pick<Ledger, 'recordAccount' | 'accountState' | 'recordProfile'>;
  /** As premigrate's: the tenant domain, the flag attribute (set true), and the legacy id attribute when there is one. */
  userBody: UserBodyOptions;
  logger: Logger;
  now?: Clock;
}

/** The `block` policy's port (handlers' `EntraAccounts`), implemented with Graph and the ledger. */
export interface AccountEnsurer {
  ensureExists(account: AccountToEnsure, options: { deadlineAt: number; abortSignal: AbortSignal }): Promise<EnsuredAccount>;
}

/**
 * Makes sure a legacy account someone tried to sign up as exists in Entra, as `premigrate` would leave it, so that
 * the block page's "sign in with your existing password" is true. Its e-mail identity is looked up first (a GET:
 * no write budget); found, it is recorded `existing`. Not there, it is recorded `pending` and created with the body
 * premigrate sends (a random password nobody knows, the migration flag true, disabled when the legacy account is
 * blocked), then recorded `created` with its profile's fingerprint. A create
 * that conflicts (someone created it in between) is looked up again: `exists`. Everything ends by `deadlineAt` or
 * at `abortSignal`, whichever comes first, aborting the Graph request in flight; an account whose create was sent
 * but not answered stays `pending`, for the next attempt or premigrate run to look up — never created twice.
 *
 * Never rejects: every failure is `failed`, and one warning line with the legacy id and Graph's status and code,
 * never the e-mail address or the password.
 *
 * @example
 *   const accounts = accountEnsurer({ graph, ledger, userBody: { tenantDomain, flagAttribute }, logger });
 *   await accounts.ensureExists({ legacyId: '42', email: 'ada@example.com', profile: {} }, { deadlineAt, abortSignal }); // 'created'
 */
export function accountEnsurer(options: EnsureAccountOptions): AccountEnsurer {
  const now = options.now ?? systemClock;
  const log = options.logger.child({ name: 'bulk:ensure-account' });
  const lookUp = identityLookup(options.graph, options.userBody.tenantDomain);
  const record = (account: LegacyRecord, state: AccountStateName, entraObjectId: string | null, reason: string | null) =>
    options.ledger.recordAccount({ legacyId: account.id, email: account.email, state, entraObjectId, reason: reason?.slice(0, 1000) ?? null, updatedAt: new Date(now()) });

  /** A ledger write after the account is in Entra: a failure is logged, and the answer stays true. */
  const recordInEntra = async (account: LegacyRecord, state: 'created' | 'existing', objectId: string) => {
    try {
      const known = await options.ledger.accountState(account.id);
      // Found again after premigrate (or an earlier sign-up) recorded it: that row already says so, and whether we created it.
      if ((known?.state === 'created' || known?.state === 'existing') && known.entraObjectId === objectId) return;
      await record(account, state, objectId, null);
    } catch (error) {
      log.error({ legacyId: account.id, code: errorCodeOf(error) }, `sign-up: the account is ${state} in Entra but the ledger write failed`);
    }
  };

  /**
   * A create recorded as premigrate records it: the profile written (`premigrate --sync`'s baseline) first, so that a
   * crash in between leaves the account `pending`, then `created`.
   */
  const recordCreated = async (account: LegacyRecord, objectId: string) => {
    try {
      await options.ledger.recordProfile({ legacyId: account.id, fingerprint: profileFingerprint(account), enabled: account.enabled !== false, syncedAt: new Date(now()) });
    } catch (error) {
      log.error({ legacyId: account.id, code: errorCodeOf(error) }, 'sign-up: the account is created in Entra but the ledger write of its profile failed');
      return;
    }
    await recordInEntra(account, 'created', objectId);
  };

  /** One warning line: the legacy id, and Graph's status and code when it answered; never the e-mail address. */
  const failed = (legacyId: string | null, why: string, answer?: BatchResponse): 'failed' => {
    log.warn({ legacyId, ...(answer && { status: answer.status, graphCode: codeOf(answer) }) }, `sign-up: a colliding legacy account is not in Entra: ${why}`);
    return 'failed';
  };

  /** The object id of the user holding `email`, null when none does; undefined when Graph did not say. */
  const objectIdOf = async (email: string, abortSignal: AbortSignal) => (await lookUp([email], abortSignal)).get(email);

  const ensure = async (wanted: AccountToEnsure, abortSignal: AbortSignal): Promise<EnsuredAccount> => {
    const mapped = recordOf(rowOf(wanted), DEFAULT_FIELD_MAP);
    const legacyId = wanted.legacyId;
    const email = 'reason' in mapped ? wanted.email.trim().toLowerCase() : mapped.email;
    const found = await objectIdOf(email, abortSignal);
    if (found === undefined) return failed(legacyId, 'Graph did not answer the lookup of this identity');
    if (found !== null) {
      if (!('reason' in mapped)) await recordInEntra(mapped, 'existing', found);
      return 'exists';
    }
    // premigrate would refuse this row too (no legacy id, an address Entra would not take): nothing to create.
    if ('reason' in mapped) return failed(legacyId, `the legacy account cannot be created as premigrate would: ${mapped.reason}`);

    await record(mapped, 'pending', null, null);
    const [answer] = await options.graph.send([{ id: '1', method: 'POST', url: '/users', body: graphUserBody(mapped, options.userBody) }], { abortSignal });
    if (answer?.status === 201) {
      await recordCreated(mapped, String((answer.body as { id?: unknown } | null)?.id ?? ''));
      return 'created';
    }
    if (answer?.status === 400 && ALREADY_EXISTS.test(messageOf(answer))) {
      const holder = await objectIdOf(email, abortSignal);
      if (!holder) return failed(legacyId, `Graph reported a conflict, and the lookup after it ${holder === null ? 'found no user' : 'was not answered'}`);
      await recordInEntra(mapped, 'existing', holder);
      return 'exists';
    }
    // Transient (throttled, 5xx): the create may have been written; `pending` makes the next attempt look first.
    if (answer === undefined || isTransient(answer.status)) return failed(legacyId, 'Graph did not create the account', answer);
    await record(mapped, 'failed', null, `HTTP ${answer.status} ${codeOf(answer)}: ${messageOf(answer)}`.trim());
    return failed(legacyId, 'Graph refused the account', answer);
  };

  return {
    async ensureExists(account, { deadlineAt, abortSignal }) {
      const remainingInMs = deadlineAt - now();
      if (remainingInMs <= 0 || abortSignal.aborted) return failed(account.legacyId, 'no time left before the deadline');
      // AbortSignal.timeout takes whole milliseconds; a deadline computed from a clock need not be one.
      const signal = AbortSignal.any([abortSignal, AbortSignal.timeout(Math.ceil(remainingInMs))]);
      try {
        return await ensure(account, signal);
      } catch (error) {
        return failed(account.legacyId, signal.aborted ? 'the deadline came first (a create sent stays pending)' : errorCodeOf(error));
      }
    },
  };
}

/** The account as a premigrate source row, so that `recordOf` checks and maps it exactly as premigrate does. */
function rowOf(account: AccountToEnsure): Record<string, string | undefined> {
  return {
    [DEFAULT_FIELD_MAP.id]: account.legacyId ?? undefined,
    [DEFAULT_FIELD_MAP.email]: account.email,
    [DEFAULT_FIELD_MAP.displayName]: account.profile.displayName,
    [DEFAULT_FIELD_MAP.givenName]: account.profile.givenName,
    [DEFAULT_FIELD_MAP.surname]: account.profile.surname,
    [DEFAULT_FIELD_MAP.enabled]: account.enabled === false ? 'false' : undefined,
  };
}

function errorCodeOf(error: unknown): string {
  return error instanceof EntraMigrateError ? error.code : error instanceof Error ? error.name : 'UNKNOWN';
}
