import { systemClock, type Clock } from '../../../common/clock.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import type { CompiledQuery } from './named-parameters.js';

/** What a SQL store is opened with. */
export interface SqlLegacyStoreOptions {
  /** `sqlite:///abs.db`, `sqlite://rel.db`, `postgres://…`, `postgresql://…`, `mysql://…` or `mariadb://…`. */
  url: string;
  /** The lookup query with named parameters `:username`, `:email`, `:objectId`; see `compileNamedQuery`. */
  query: string;
  /** How long one call may take, connection wait included. Default 1000 ms: Entra's default callout budget. */
  queryTimeoutInMs?: number;
  /** Connections kept open at most (not used by SQLite). Default 10: Entra calls at most 50 times a second. */
  poolSize?: number;
  /**
   * SQLite only: how often, at most, a call checks that the file is still the one opened (deleted, made unreadable
   * or replaced). Default 2000 ms; 0 checks on every call.
   */
  fileCheckIntervalInMs?: number;
  /** The clock the file checks are timed by; tests pass their own. */
  now?: Clock;
}

/** The settings a driver module receives: validated, defaults filled, query compiled for its dialect. */
export interface SqlDriverSettings {
  url: string;
  query: CompiledQuery;
  queryTimeoutInMs: number;
  poolSize: number;
  fileCheckIntervalInMs: number;
  now: Clock;
}

/** 1000 ms: Entra's default `timeoutInMilliseconds` for a custom extension; the whole answer must fit in it. */
export const DEFAULT_QUERY_TIMEOUT_IN_MS = 1000;
/** 10 connections: at Entra's cap of 50 calls a second, 10 leaves room for queries of up to 200 ms each. */
export const DEFAULT_POOL_SIZE = 10;
/**
 * 2000 ms: a replaced or deleted SQLite file is noticed within 2 s; one check is a `stat` and an `access` call
 * (microseconds), so the interval only keeps them off the path of every call at 50 calls a second.
 */
export const DEFAULT_FILE_CHECK_INTERVAL_IN_MS = 2000;
/** 30 s: pooled connections idle this long are closed, so a quiet service holds no server slots. */
export const IDLE_TIMEOUT_IN_MS = 30_000;
/**
 * 10 s: an idle pooled connection's socket starts TCP keep-alive probes after this, so one whose peer vanished (a
 * dropped NAT entry, a failed-over server) is found broken by the operating system and dropped by the pool. The
 * probes' interval and count are the system's (Linux: 75 s, 9 probes); Node sets only this first delay.
 */
export const KEEP_ALIVE_INITIAL_DELAY_IN_MS = 10_000;
/** 60 s: a longer lookup is a misconfiguration; Entra gives up after 2 s at most. */
const QUERY_TIMEOUT_MAX_IN_MS = 60_000;
const POOL_SIZE_MAX = 100;
const FILE_CHECK_INTERVAL_MAX_IN_MS = 60_000;

/** The settings a driver receives beside its URL and query. */
export type SqlTuning = Omit<SqlDriverSettings, 'url' | 'query'>;

/** Fills defaults and checks ranges; `LEGACY_STORE_OPTIONS_INVALID` names the setting and the accepted range. */
export function resolveTuning(options: SqlLegacyStoreOptions): SqlTuning {
  const queryTimeoutInMs = options.queryTimeoutInMs ?? DEFAULT_QUERY_TIMEOUT_IN_MS;
  const poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
  const fileCheckIntervalInMs = options.fileCheckIntervalInMs ?? DEFAULT_FILE_CHECK_INTERVAL_IN_MS;
  requireIntegerIn('queryTimeoutInMs', queryTimeoutInMs, 1, QUERY_TIMEOUT_MAX_IN_MS);
  requireIntegerIn('poolSize', poolSize, 1, POOL_SIZE_MAX);
  requireIntegerIn('fileCheckIntervalInMs', fileCheckIntervalInMs, 0, FILE_CHECK_INTERVAL_MAX_IN_MS);
  return { queryTimeoutInMs, poolSize, fileCheckIntervalInMs, now: options.now ?? systemClock };
}

function requireIntegerIn(setting: string, value: number, min: number, max: number): void {
  if (Number.isInteger(value) && value >= min && value <= max) return;
  throw new LegacyStoreError(
    LegacyStoreErrorCode.OPTIONS_INVALID,
    `The legacy store setting ${setting} must be a whole number from ${min} to ${max}; got ${String(value)}.`,
  );
}
