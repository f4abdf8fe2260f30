import { describePosition, type SourcePosition } from './imported-user.js';

/** A record that could not be used: where it starts and why, never what it holds. */
export interface RowProblem {
  at: SourcePosition;
  reason: string;
}

/** The unusable rows of an import: every one counted by reason, the first `keep` listed with their position. */
export interface ProblemCollector {
  add(at: SourcePosition, reason: string): void;
  /** Unusable rows so far. */
  readonly total: number;
  /** [reason, rows] pairs, the most frequent first. */
  byReason(): Array<[string, number]>;
  /** The first problems, in file order. */
  listed(): readonly RowProblem[];
}

/**
 * Collects row problems in bounded memory: a file of a million bad rows keeps `keep` of them and one counter per
 * distinct reason (reasons are fixed phrases, so there are few).
 *
 * @example
 *   const problems = createProblemCollector(1000);
 *   problems.add({ line: 7 }, 'not valid JSON');
 *   problems.byReason(); // [['not valid JSON', 1]]
 */
export function createProblemCollector(keep: number): ProblemCollector {
  const counts = new Map<string, number>();
  const kept: RowProblem[] = [];
  let total = 0;
  return {
    add(at, reason) {
      total++;
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
      if (kept.length < keep) kept.push({ at, reason });
    },
    get total() {
      return total;
    },
    byReason: () => [...counts].sort((a, b) => b[1] - a[1]),
    listed: () => kept,
  };
}

/** One problem as a report line: `line 12: not valid JSON`. */
export function describeProblem(problem: RowProblem): string {
  return `${describePosition(problem.at)}: ${problem.reason}`;
}
