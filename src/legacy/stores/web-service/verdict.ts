import { z } from 'zod';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';

/** Control characters: an id goes to the ledger and to logs, where they could forge lines. */
const NO_CONTROLS = /^[^\x00-\x1f\x7f]*$/;

/**
 * The answer of the contract (docs/legacy-web-service.md):
 * `{"valid": true|false, "status"?: "active"|"locked"|"disabled", "id"?: string, "mustChangePassword"?: boolean}`.
 * Types are strict (`"valid": "true"` or `"id": 42` are refused, not coerced); an optional field may be `null`
 * (serializers write it for "absent"); fields the contract does not name are ignored. `status` is any string here:
 * what an unlisted one means is decided by {@link accountStatusOf}.
 */
const VERDICT = z.object({
  valid: z.boolean(),
  status: z.string().max(256).nullish(),
  id: z.string().min(1).max(256).regex(NO_CONTROLS).nullish(),
  mustChangePassword: z.boolean().nullish(),
});

/** A verdict as the service wrote it, validated. */
export type Verdict = z.infer<typeof VERDICT>;

/**
 * Parses a body as the contract's verdict. Rejects with `LEGACY_ANSWER_INVALID` for text that is not JSON or JSON of
 * another shape; the message names the field at fault and never quotes the body (a hostile service could echo the
 * password back).
 *
 * @example
 *   parseVerdict('{"valid":true,"id":"42"}') // { valid: true, id: '42' }
 */
export function parseVerdict(text: string): Verdict {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid('is not JSON');
  }
  const result = VERDICT.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length > 0 ? `"${issue.path.map(String).join('.')}"` : 'the answer';
    throw invalid(`is not the contract's verdict: ${field} ${problemOf(issue)}`);
  }
  return result.data;
}

/**
 * What a correct password's `status` means. `active` (or none) lets the user in; `locked` and `disabled` block.
 * Any other value blocks too, as `blocked`: a status we cannot read ("suspended", "LOCKED", "pending") fails closed,
 * since letting a suspended account migrate cannot be undone and blocking one is a support call.
 */
export function accountStatusOf(status: string | null | undefined): 'active' | 'locked' | 'disabled' | 'blocked' {
  if (status === undefined || status === null || status === 'active') return 'active';
  if (status === 'locked' || status === 'disabled') return status;
  return 'blocked';
}

function problemOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${issue.expected === 'object' ? 'a JSON object' : `a ${issue.expected}`}`;
    case 'too_big':
      return `is longer than ${String(issue.maximum)} characters`;
    case 'too_small':
      return 'is empty';
    case 'invalid_format':
      return 'holds control characters';
    default:
      return 'is invalid';
  }
}

function invalid(problem: string): LegacyStoreError {
  return new LegacyStoreError(LegacyStoreErrorCode.ANSWER_INVALID, `The legacy web service's answer ${problem}.`);
}
