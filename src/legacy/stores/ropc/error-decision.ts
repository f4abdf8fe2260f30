import type { LegacyCheck } from '../../authority.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import type { ErrorAnswer } from './error-answer.js';
import { DESCRIPTION_RULES, ERROR_RULES, PROVIDER_CODE_RULES, STATUS_FIXES, type RopcOutcome, type RopcRule } from './error-codes.js';

/**
 * Decides what a token endpoint's error answer (any status but 200) means, in this order:
 *
 * 1. a Microsoft code (`AADB2C…`, `AADSTS…`) known to {@link PROVIDER_CODE_RULES} — it wins over everything else;
 * 2. the `error` and description pair of {@link DESCRIPTION_RULES} (Keycloak, Auth0, Okta);
 * 3. the `error` field in {@link ERROR_RULES};
 * 4. the HTTP status: 429 and 5xx are unavailable; for an answer with no OAuth `error` at all, 404/405 is a wrong
 *    URL and 401/403 a refused client;
 * 5. anything else is `LEGACY_ANSWER_INVALID`.
 *
 * When the answer carries a Microsoft code that is not in the table, steps 2 and 3 may still find the store
 * unavailable or misconfigured, but never decide the user's fate: an `invalid_grant` beside an unknown AADSTS code
 * is not taken for a wrong password. Returns the user's {@link LegacyCheck}; throws a `LegacyStoreError` otherwise,
 * whose message holds codes and statuses only (never the description, which may name the user).
 *
 * @example
 *   decideErrorAnswer(400, readErrorAnswer(JSON.parse(body))) // { outcome: 'wrong', legacyId: null }
 */
export function decideErrorAnswer(status: number, answer: ErrorAnswer | null): LegacyCheck {
  const codes = answer?.providerCodes ?? [];
  for (const code of codes) {
    const known = PROVIDER_CODE_RULES[code];
    if (known) return settle(known.outcome, code);
  }
  const unknownCode = codes[0];
  const usable = (candidate: RopcRule | undefined) => candidate && (unknownCode === undefined || !('verdict' in candidate.outcome));
  if (answer?.error) {
    const described = answer.description === null ? undefined : DESCRIPTION_RULES[`${answer.error} ${answer.description}`];
    // The description equals a key of the table, so it is documented text, not the user's name.
    if (usable(described)) return settle(described!.outcome, `error ${answer.error} "${answer.description}"`);
    const named = ERROR_RULES[answer.error];
    if (usable(named)) return settle(named!.outcome, `error ${answer.error}`);
  }
  if (status === 429 || status >= 500) return settle({ failure: 'unavailable' }, `HTTP ${status}`);
  const basis = [`HTTP ${status}`, unknownCode, answer?.error && `error ${answer.error}`].filter(Boolean).join(', ');
  // A status speaks only for an answer that is no OAuth error at all (a web server's or a gateway's page).
  const bare = unknownCode === undefined && !answer?.error;
  if (bare && (status === 404 || status === 405)) return settle(STATUS_FIXES.notFound, basis);
  if (bare && (status === 401 || status === 403)) return settle(STATUS_FIXES.refused, basis);
  throw new LegacyStoreError(
    LegacyStoreErrorCode.ANSWER_INVALID,
    `The OpenID provider's token endpoint answered ${basis}, which entra-migrate does not map; the sign-in is answered as unavailable, never as a wrong password.`,
  );
}

/** The user's check for a verdict; the store error for a failure. */
function settle(outcome: RopcOutcome, basis: string): LegacyCheck {
  if ('failure' in outcome) {
    if (outcome.failure === 'unavailable') {
      throw new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, `The OpenID provider's token endpoint is unavailable (${basis}).`);
    }
    throw new LegacyStoreError(LegacyStoreErrorCode.MISCONFIGURED, `The OpenID provider refused the password grant (${basis}): ${outcome.fix}.`);
  }
  switch (outcome.verdict) {
    case 'wrong':
      return { outcome: 'wrong', legacyId: null };
    case 'unknown':
      return { outcome: 'unknown' };
    case 'correct':
      return { outcome: 'correct', legacyId: null, mustChangePassword: outcome.mustChangePassword };
    case 'blocked':
      return { outcome: 'blocked', legacyId: null, status: outcome.status };
  }
}
