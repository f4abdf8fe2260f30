import type { LegacyCheck } from '../../authority.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import { legacyIdFromIdToken } from './id-token.js';

/**
 * A 200 answer of the token endpoint: the provider issued tokens, so the password is right (RFC 6749 §5.1). It must
 * be a JSON object holding an `access_token` or an `id_token` — a 200 without either is not a token response (a
 * login page, a proxy's placeholder) and proves nothing. The legacy id comes from the id token, when there is one.
 *
 * @example
 *   readTokenAnswer({ access_token: 'eyJ…', id_token: 'eyJ…', token_type: 'Bearer' })
 *   // { outcome: 'correct', legacyId: '6f1d…', mustChangePassword: false }
 */
export function readTokenAnswer(value: unknown): LegacyCheck {
  const answer = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  const issued = (field: string) => typeof answer?.[field] === 'string' && (answer[field] as string).length > 0;
  if (!answer || !(issued('access_token') || issued('id_token'))) {
    throw new LegacyStoreError(
      LegacyStoreErrorCode.ANSWER_INVALID,
      "The OpenID provider's token endpoint answered 200 without an access_token or id_token; check LEGACY_ROPC_TOKEN_URL.",
    );
  }
  return { outcome: 'correct', legacyId: legacyIdFromIdToken(answer.id_token), mustChangePassword: false };
}
