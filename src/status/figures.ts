import type { DecisionReason } from '../jit/index.js';
import { DECISION_ACTIONS, type DecisionAction, type DecisionDay, type Ledger } from '../ledger/index.js';

/**
 * The reasons of an answer given because the legacy system could not be asked, so the user saw "temporarily
 * unavailable" (a Block that says so): the store down, timing out or behind its open circuit breaker
 * (`legacy-store-unavailable`), our deadline reached first (`deadline-exceeded`), our own verifier full
 * (`overloaded`), a stored hash we cannot verify (`legacy-hash-unverifiable`), and every sign-in while the
 * credential-stuffing signal holds under STUFFING_SIGNAL_MODE=block (`credential-stuffing-suspected`). Their share
 * per day is the share "answered unavailable".
 */
export const UNAVAILABLE_REASONS = ['legacy-store-unavailable', 'deadline-exceeded', 'overloaded', 'legacy-hash-unverifiable', 'credential-stuffing-suspected'] as const satisfies readonly DecisionReason[];

const DAY_IN_MS = 86_400_000;

/** One UTC day of answers as `status` shows it: a day without answers has zeros and no latencies. */
export interface AnswerDay {
  day: string;
  answers: number;
  byAction: Record<DecisionAction, number>;
  p50LatencyInMs: number | null;
  p99LatencyInMs: number | null;
  unavailable: number;
  /** `unavailable / answers`, 0 to 1; null on a day without answers. */
  unavailableShare: number | null;
}

/**
 * Where the migration stands, from the ledger (and the last reconcile). The keys are `status --json`'s contract,
 * documented in docs/status.md: add keys, never rename or remove one.
 */
export interface StatusFigures {
  generatedAt: string;
  /** When reconcile last read Graph; null when it never ran, and then nothing below is confirmed through Graph. */
  lastReconcileAt: string | null;
  accounts: {
    /** Pre-created in Entra by premigrate (created, or found existing). */
    preCreated: number;
    /** Recorded as being created (a run stopped between the create and its record); resolved by the next premigrate. */
    pendingCreation: number;
    failed: number;
  };
  /** The sum of `migratedBy`. */
  migrated: number;
  migratedBy: {
    /** Confirmed by reconcile, plus MigratePassword answered that reconcile has not confirmed yet. */
    extension: number;
    /** Confirmed by reconcile only: a reset is invisible to the extension. */
    reset: number;
    /** Legacy accounts linked at sign-up, from our answers (reconcile does not read them). */
    signUp: number;
  };
  /** Of `migrated`, those reconcile confirmed through Graph (by the extension or by a reset). */
  migratedConfirmed: number;
  /** Of `migratedBy.extension`, those only our MigratePassword answer says migrated. */
  migratedByExtensionUnconfirmed: number;
  /** UpdatePassword answered (the password failed Entra's policy or must change), not confirmed migrated. */
  needsNewPassword: number;
  /** Block answered for the legacy account itself, not since migrated. */
  blocked: number;
  /** Answered only Retry, or Block because the legacy system was unavailable: tried, not migrated. */
  triedNotMigrated: number;
  /** The stragglers: pre-created, no answer for their object id, not confirmed migrated. */
  neverSignedIn: number;
  /** Needs attention: MigratePassword answered, the flag still set after reconcile's grace (see `reconcile`). */
  notApplied: number;
  releasedByCutover: number;
  answers: {
    /** The first and last day shown, UTC. */
    from: string;
    to: string;
    unavailableReasons: readonly string[];
    perDay: AnswerDay[];
  };
}

export interface StatusFiguresOptions {
  ledger: Ledger;
  /** Days of answers, ending with today (UTC). */
  days: number;
  now: Date;
}

/**
 * Reads the figures of `entra-migrate status` from the ledger: a few indexed queries, whatever the ledger's size.
 *
 * @example
 *   const figures = await statusFigures({ ledger, days: 30, now: new Date() });
 *   figures.migrated; // confirmed and answered, with its breakdown in figures.migratedBy
 */
export async function statusFigures(options: StatusFiguresOptions): Promise<StatusFigures> {
  const { ledger, days, now } = options;
  const until = new Date(Math.floor(now.getTime() / DAY_IN_MS) * DAY_IN_MS + DAY_IN_MS);
  const since = new Date(until.getTime() - days * DAY_IN_MS);
  const [phase1, standings, signUp, lastReconcileAt, perDay] = await Promise.all([
    ledger.countAccounts(),
    ledger.countStandings({ unavailableReasons: UNAVAILABLE_REASONS }),
    ledger.countSignUps(),
    ledger.lastReconcileAt(),
    ledger.decisionDays({ since, until, unavailableReasons: UNAVAILABLE_REASONS }),
  ]);
  const extension = standings['migrated-by-extension'] + standings['answered-migrate-password'];
  const reset = standings['migrated-by-reset'];
  return {
    generatedAt: now.toISOString(),
    lastReconcileAt: lastReconcileAt?.toISOString() ?? null,
    accounts: { preCreated: (phase1.created ?? 0) + (phase1.existing ?? 0), pendingCreation: phase1.pending ?? 0, failed: phase1.failed ?? 0 },
    migrated: extension + reset + signUp,
    migratedBy: { extension, reset, signUp },
    migratedConfirmed: standings['migrated-by-extension'] + reset,
    migratedByExtensionUnconfirmed: standings['answered-migrate-password'],
    needsNewPassword: standings['needs-new-password'],
    blocked: standings.blocked,
    triedNotMigrated: standings['tried-not-migrated'],
    neverSignedIn: standings['never-signed-in'],
    notApplied: standings['not-applied'],
    releasedByCutover: standings['released-by-cutover'],
    answers: { from: dayOf(since), to: dayOf(new Date(until.getTime() - DAY_IN_MS)), unavailableReasons: UNAVAILABLE_REASONS, perDay: everyDay(since, days, perDay) },
  };
}

/** Every day of the range, oldest first, a day the ledger has no answers for with zeros. */
function everyDay(since: Date, days: number, recorded: readonly DecisionDay[]): AnswerDay[] {
  const byDay = new Map(recorded.map((day) => [day.day, day]));
  return Array.from({ length: days }, (_, i) => {
    const day = dayOf(new Date(since.getTime() + i * DAY_IN_MS));
    const found = byDay.get(day);
    if (!found) {
      const byAction = Object.fromEntries(DECISION_ACTIONS.map((action) => [action, 0])) as Record<DecisionAction, number>;
      return { day, answers: 0, byAction, p50LatencyInMs: null, p99LatencyInMs: null, unavailable: 0, unavailableShare: null };
    }
    return {
      day,
      answers: found.answers,
      byAction: found.byAction,
      p50LatencyInMs: found.p50LatencyInMs,
      p99LatencyInMs: found.p99LatencyInMs,
      unavailable: found.unavailable,
      unavailableShare: found.unavailable / found.answers,
    };
  });
}

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}
