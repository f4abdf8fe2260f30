/** 5 %: a legacy system loses a few accounts between two syncs; a twentieth of them at once is a wrong query, filter or field map. */
export const DEFAULT_MAX_DISABLE_PERCENT = 5;
/** Below this many the guard never refuses: on a small tenant 5 % is one or two accounts. */
export const MASS_DISABLE_FLOOR = 10;

/**
 * The mass-disable guard: the most accounts one sync may disable (blocked and departed together) without
 * `--allow-mass-disable` — `maxPercent` of the pre-created accounts, at least {@link MASS_DISABLE_FLOOR}. A source
 * export that suddenly returns half the users (a changed filter, a view, a truncated file), or an `enabled` column
 * read the wrong way round, must not lock half the tenant out.
 *
 * @example
 *   massDisableLimit(200_000) // 10_000
 *   massDisableLimit(40)      // 10
 */
export function massDisableLimit(preCreated: number, maxPercent: number = DEFAULT_MAX_DISABLE_PERCENT): number {
  return Math.max(MASS_DISABLE_FLOOR, Math.floor((preCreated * maxPercent) / 100));
}
