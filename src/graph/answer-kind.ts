import type { RoundTripFeedback } from './pacer.js';
import { retryAfterInMs } from './retry-after.js';

/**
 * How a Graph answer is handled:
 * - `throttled`: Graph is limiting this app (429, or 503 with Retry-After — Graph's throttling guidance): the pacer
 *   pauses for Retry-After and slows down, and the request is sent again later;
 * - `transient`: a failure that says nothing about the rate (503 without Retry-After, 500, 502, 504): the request
 *   is sent again after a jittered back-off, the rate unchanged;
 * - `final`: the answer (success or refusal) for the caller.
 */
export type AnswerKind = 'throttled' | 'transient' | 'final';

/** By status; a function where the Retry-After header decides. Statuses not listed are final. */
const KIND_BY_STATUS: Readonly<Record<number, AnswerKind | ((hasRetryAfter: boolean) => AnswerKind)>> = {
  429: 'throttled',
  500: 'transient',
  502: 'transient',
  503: (hasRetryAfter) => (hasRetryAfter ? 'throttled' : 'transient'),
  504: 'transient',
};

/**
 * @example
 *   answerKind(503, undefined) // 'transient'
 *   answerKind(503, '5')       // 'throttled'
 */
export function answerKind(status: number, retryAfter: string | null | undefined): AnswerKind {
  const kind = KIND_BY_STATUS[status] ?? 'final';
  return typeof kind === 'function' ? kind(retryAfterInMs(retryAfter, 0) !== undefined) : kind;
}

/** The header Graph's identity service adds once an app has used more than 0.8 of its limit (0.8–1.8). */
export const THROTTLE_LIMIT_PERCENTAGE = 'x-ms-throttle-limit-percentage';

/**
 * The share of its limit an app has used, from `x-ms-throttle-limit-percentage`, or undefined. Graph documents a
 * fraction (0.8–1.8); a value above 2 is read as a percentage (85 → 0.85) rather than as a wild overrun.
 */
export function limitShareOf(header: string | null | undefined): number | undefined {
  const value = header === null || header === undefined ? Number.NaN : Number(header.trim());
  if (!Number.isFinite(value) || value <= 0) return undefined;
  return value > 2 ? value / 100 : value;
}

/** A Graph answer's status and headers, as a `$batch` gives them. */
export interface AnsweredRequest {
  status: number;
  headers?: Readonly<Record<string, string>>;
}

/**
 * What the answers of one round trip tell the pacer: throttled when any is, with the longest Retry-After (1 s when
 * a 429 names none), and the highest limit share any reports.
 */
export function feedbackOf(answers: readonly AnsweredRequest[], now: number): RoundTripFeedback {
  const feedback: RoundTripFeedback = {};
  for (const answer of answers) {
    const retryAfter = headerOf(answer, 'retry-after');
    if (answerKind(answer.status, retryAfter) === 'throttled') {
      feedback.throttled = true;
      feedback.retryAfterInMs = Math.max(feedback.retryAfterInMs ?? 0, retryAfterInMs(retryAfter, now) ?? 1000);
    }
    const share = limitShareOf(headerOf(answer, THROTTLE_LIMIT_PERCENTAGE));
    if (share !== undefined) feedback.limitShare = Math.max(feedback.limitShare ?? 0, share);
  }
  return feedback;
}

/** A header of an inner answer by name, whatever case Graph used. */
export function headerOf(answer: AnsweredRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(answer.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
