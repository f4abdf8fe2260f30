import type { BatchResponse } from '../graph/index.js';

/** Graph's message for a create or a method that conflicts with an existing one. */
export const ALREADY_EXISTS = /already exists?/i;

/** Answers worth sending again: throttled, a failed dependency, or a server error. */
export function isTransient(status: number): boolean {
  return status === 429 || status === 424 || status >= 500;
}

/** Graph's error code of an answer, or ''. */
export function codeOf(response: BatchResponse): string {
  return String((response.body as { error?: { code?: unknown } } | null)?.error?.code ?? '');
}

/** Graph's error message of an answer, or '', at most 500 characters. */
export function messageOf(response: BatchResponse): string {
  return String((response.body as { error?: { message?: unknown } } | null)?.error?.message ?? '').slice(0, 500);
}
