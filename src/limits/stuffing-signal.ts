import type { Clock } from '../common/clock.js';
import type { DecisionReason } from '../jit/index.js';

/** The window the share of wrong passwords is taken over, in one-second buckets: the last minute, as issue 15 sets. */
const WINDOW_IN_SECONDS = 60;
/**
 * Shortest time between two signals, in ms: a campaign whose share hovers at the threshold would otherwise raise and
 * end a signal every few seconds; one a minute at most keeps the log and the counter about campaigns, not noise.
 */
const SIGNAL_COOLDOWN_IN_MS = 60_000;

/** The figures of the last minute when a signal is raised or ends. */
export interface StuffingFigures {
  attempts: number;
  wrong: number;
  /** `wrong / attempts`, from 0 to 1. */
  wrongShare: number;
}

export interface StuffingSignalOptions {
  /** The share of wrong passwords (0 to 1, STUFFING_SIGNAL_WRONG_PERCENT ÷ 100) at or above which a signal is raised. */
  wrongShare: number;
  /** Attempts the last minute must hold before its share means anything (STUFFING_SIGNAL_MIN_ATTEMPTS). */
  minAttempts: number;
  clock: Clock;
  /** Told once when the share reaches the threshold (then not again for a minute). */
  onSignal: (figures: StuffingFigures) => void;
  /** Told once when a raised signal's condition no longer holds. */
  onEnd?: (figures: StuffingFigures) => void;
}

/** Which side of the share an answer falls on; undefined for an answer that says nothing about the password. */
export function attemptSideOf(reason: DecisionReason): 'wrong' | 'right' | undefined {
  if (reason.startsWith('password-correct')) return 'right';
  if (reason === 'password-wrong' || reason === 'legacy-account-not-found' || reason === 'legacy-account-blocked' || reason === 'attempt-limit-reached') return 'wrong';
  return undefined;
}

/**
 * The tenant-wide sign of credential stuffing (issue 15): the share of wrong passwords among this replica's password
 * attempts over the last minute. A campaign replaying leaked lists is almost all wrong passwords and unknown names,
 * where the users of a migration mostly type their own password right; the minimum number of attempts keeps a quiet
 * night's three typos from looking like one. Unknown names, legacy lockouts and attempts refused by the per-account
 * limit count as wrong; answers that say nothing about the password (store down, deadline) are left out.
 *
 * Sixty one-second buckets in a ring: a record is two increments and a sum over 60 numbers, memory is fixed.
 *
 * @example
 *   const signal = createStuffingSignal({ wrongShare: 0.8, minAttempts: 60, clock: Date.now, onSignal: (figures) => log.warn(figures, '…') });
 *   signal.record('password-wrong');
 */
export function createStuffingSignal(options: StuffingSignalOptions): { record(reason: DecisionReason): void; isRaised(): boolean } {
  const { wrongShare, minAttempts, clock } = options;
  const seconds = new Array<number>(WINDOW_IN_SECONDS).fill(-1);
  const attempts = new Array<number>(WINDOW_IN_SECONDS).fill(0);
  const wrongs = new Array<number>(WINDOW_IN_SECONDS).fill(0);
  let raised = false;
  let lastSignalAt = -Infinity;

  /** The last minute's figures at `second`; buckets older than a minute are left out. */
  const lastMinute = (second: number) => {
    let total = 0;
    let wrong = 0;
    for (let index = 0; index < WINDOW_IN_SECONDS; index++) {
      if (seconds[index]! > second - WINDOW_IN_SECONDS) {
        total += attempts[index]!;
        wrong += wrongs[index]!;
      }
    }
    return { attempts: total, wrong, wrongShare: total === 0 ? 0 : wrong / total };
  };
  /** Raises or ends the signal by the last minute's figures at `now`. */
  const evaluate = (now: number) => {
    const figures = lastMinute(Math.floor(now / 1000));
    const holds = figures.attempts >= minAttempts && figures.wrongShare >= wrongShare;
    if (holds && !raised && now - lastSignalAt >= SIGNAL_COOLDOWN_IN_MS) {
      raised = true;
      lastSignalAt = now;
      options.onSignal(figures);
    } else if (!holds && raised) {
      raised = false;
      options.onEnd?.(figures);
    }
  };

  return {
    /**
     * Whether the signal holds now: re-read at the current time, so a signal ends when its minute passes even if no
     * attempt was recorded since (in block mode none is).
     */
    isRaised() {
      if (raised) evaluate(clock());
      return raised;
    },
    record(reason) {
      const side = attemptSideOf(reason);
      if (side === undefined) return;
      const now = clock();
      const second = Math.floor(now / 1000);
      const slot = second % WINDOW_IN_SECONDS;
      if (seconds[slot] !== second) {
        seconds[slot] = second;
        attempts[slot] = 0;
        wrongs[slot] = 0;
      }
      attempts[slot]! += 1;
      if (side === 'wrong') wrongs[slot]! += 1;
      evaluate(now);
    },
  };
}
