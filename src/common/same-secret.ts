import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `given` is `expected`, in time that depends on neither: both are hashed first, so their lengths do not
 * show either. For bearer tokens an operator configured (METRICS_TOKEN …), not for password hashes.
 *
 * @example
 *   sameSecret(request.headers.authorization?.replace(/^Bearer /, '') ?? '', config.metricsToken)
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
