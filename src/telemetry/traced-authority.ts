import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { EntraMigrateError } from '../common/errors.js';
import type { LegacyAuthority } from '../legacy/index.js';

/** The legacy check's span: its name, and its one attribute besides the store's kind. */
export const LEGACY_CHECK_SPAN = 'legacy.check_password';
export const LegacyCheckAttribute = {
  /** `correct`, `wrong`, `unknown`, `blocked`, or `error` when the check threw. */
  OUTCOME: 'entra_migrate.legacy.outcome',
  /** `sqlite`, `postgres`, `web-service`, `ldap` … (LegacyAuthority.kind). */
  STORE: 'entra_migrate.legacy.store',
} as const;

/**
 * The same authority, each password check a span (a child of the callout's, when the route runs the handler inside
 * `inCalloutSpan`): how long the look-up and the hash verification took and what they said. The attempt (user name,
 * password) never reaches the span; a check that threw is status ERROR with its error code only. Every other member
 * is the authority's own, as in metrics/timed-authority.ts.
 *
 * @example
 *   const traced = withCheckSpans(legacy, telemetry.tracer);
 */
export function withCheckSpans<Authority extends LegacyAuthority>(authority: Authority, tracer: Tracer): Authority {
  return {
    ...authority,
    checkPassword(attempt, options) {
      return tracer.startActiveSpan(LEGACY_CHECK_SPAN, { attributes: { [LegacyCheckAttribute.STORE]: authority.kind } }, async (span) => {
        try {
          const check = await authority.checkPassword(attempt, options);
          span.setAttribute(LegacyCheckAttribute.OUTCOME, check.outcome);
          return check;
        } catch (error) {
          span.setAttribute(LegacyCheckAttribute.OUTCOME, 'error');
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof EntraMigrateError ? error.code : error instanceof Error ? error.name : 'UNKNOWN' });
          throw error;
        } finally {
          span.end();
        }
      });
    },
  };
}
