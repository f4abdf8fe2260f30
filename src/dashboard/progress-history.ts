import type { ProgressPoint } from './data.js';

export interface ProgressHistoryOptions {
  /** Points kept; the oldest go first. Default 2880: a day at one point every 30 s. */
  capacity?: number;
  /** The least time between two points kept, so several open pages polling do not crowd the chart. Default 30 s. */
  spacingInMs?: number;
}

/**
 * The progress points seen since the dashboard started, for the chart over time. The ledger keeps where each
 * account stands, not when it got there (a reset is only seen by reconcile, with no date), so the curve is drawn from
 * what the dashboard read while it ran; the daily answers table covers the days before.
 *
 * @example
 *   const history = new ProgressHistory();
 *   history.add(figures.progress);
 *   history.points(); // oldest first
 */
export class ProgressHistory {
  readonly #points: ProgressPoint[] = [];
  readonly #capacity: number;
  readonly #spacingInMs: number;

  constructor(options: ProgressHistoryOptions = {}) {
    this.#capacity = options.capacity ?? 2880;
    this.#spacingInMs = options.spacingInMs ?? 30_000;
  }

  /** Keeps the point unless the last one kept is closer than the spacing; the newest point is always the page's own. */
  add(point: ProgressPoint): void {
    const last = this.#points.at(-1);
    if (last !== undefined && Date.parse(point.at) - Date.parse(last.at) < this.#spacingInMs) return;
    this.#points.push(point);
    if (this.#points.length > this.#capacity) this.#points.splice(0, this.#points.length - this.#capacity);
  }

  points(): readonly ProgressPoint[] {
    return [...this.#points];
  }
}
