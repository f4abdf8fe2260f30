import type { LegacyAuthority } from '../legacy/index.js';

/**
 * The same authority, its password checks timed: `observe` gets each check's seconds and outcome (`correct`,
 * `wrong`, `unknown`, `blocked`, or `error` when it threw). Every other member is the authority's own (the
 * authorities are plain objects whose methods close over their state, so copying them keeps them working).
 *
 * @example
 *   const timed = withCheckTiming(legacy, (seconds, outcome) => metrics.legacyCheck(seconds, outcome));
 */
export function withCheckTiming<Authority extends LegacyAuthority>(authority: Authority, observe: (seconds: number, outcome: string) => void): Authority {
  return {
    ...authority,
    async checkPassword(attempt, options) {
      const startedAt = performance.now();
      try {
        const check = await authority.checkPassword(attempt, options);
        observe((performance.now() - startedAt) / 1000, check.outcome);
        return check;
      } catch (error) {
        observe((performance.now() - startedAt) / 1000, 'error');
        throw error;
      }
    },
  };
}
