import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { describeShape, HashError, HashErrorCode } from './errors.js';
import type { HashFormat, StoredHash } from './format.js';
import { createHashRegistry } from './registry.js';
import { DEFAULT_HASH_LIMITS, type HashLimits } from './limits.js';
import { DEFAULT_FORMATS } from './formats/index.js';

/** Entra's rate of custom extension calls per tenant at peak (DESIGN.md): the bar a legacy store's hashes must clear. */
export const ENTRA_PEAK_CALLS_PER_SECOND = 50;
/** The id of the format of disabled-password markers (`!`, `*` …): counted apart, never a verifiable hash. */
export const DISABLED_FORMAT_ID = 'disabled';
/** Most cost classes (format + cost parameters) kept apart; beyond, rows count under their format only. */
const MAX_CLASSES = 1000;
/** Most distinct unknown shapes kept apart; beyond, they count as "other shapes". */
const MAX_SHAPES = 100;
/**
 * The parameters a survey may print: cost figures (numbers) and these short names of variants. Everything else a
 * format reports (a salt, a digest length that betrays nothing but is noise) stays out, so no salt is ever printed.
 */
const NAMED_PARAMS: ReadonlySet<string> = new Set(['variant', 'algorithm', 'digest', 'version', 'type', 'prf', 'hash', 'encoding']);

/** One cost class of a format: the same parameters, so the same verify time. */
export interface CostClass {
  params: Record<string, number | string>;
  rows: number;
  /** Median of the timed verifications of this class, in ms; null when none was timed. */
  verifyMs: number | null;
}

export interface FormatFigures {
  format: string;
  rows: number;
  /** Of all rows surveyed. */
  share: number;
  classes: CostClass[];
  /** Rows-weighted verify time of the format's timed classes, in ms. */
  verifyMs: number | null;
  /** Rows whose parameters are over the ceilings (LEGACY_HASH_LIMITS): they would be answered unavailable. */
  overLimit: number;
  /** Rows of the format that are not in its canonical form: they would be answered unavailable. */
  malformed: number;
}

export interface SurveyReport {
  rows: number;
  formats: FormatFigures[];
  /** Disabled-password markers: answered like a wrong password, never verifiable. */
  disabled: number;
  /** Rows in no known format, counted by shape (length, character classes, a `$…$` or `{…}` marker) — never quoted. */
  unknown: { rows: number; shapes: Array<{ shape: string; rows: number }> };
  capacity: {
    /** The mean verify time over every verifiable row, in ms (each format's time weighted by its rows). */
    meanVerifyMs: number | null;
    /** How many verifications one core does a second at that mix. */
    verificationsPerSecondPerCore: number | null;
    cores: number;
    /** Cores the legacy check needs at Entra's peak of {@link ENTRA_PEAK_CALLS_PER_SECOND} sign-ins a second. */
    coresAtEntraPeak: number | null;
  };
}

export interface SurveyOptions {
  /** Times one verification of a wrong password against `stored` (the verifier, off the event loop). */
  verify(stored: StoredHash): Promise<unknown>;
  formats?: readonly HashFormat[];
  limits?: Partial<HashLimits>;
  /** Verifications timed per cost class (the first rows of each). Default 3; 0 times nothing. */
  samplesPerClass?: number;
  /** Told every `progressEvery` rows. */
  onProgress?(rows: number): void;
  progressEvery?: number;
}

interface Tally {
  rows: number;
  overLimit: number;
  malformed: number;
  classes: Map<string, { params: Record<string, number | string>; rows: number; timings: number[] }>;
}

/**
 * Surveys a legacy store's hashes before go-live: each row is recognised and parsed as a sign-in would parse it
 * (its scheme, or its shape; the ceilings applied), counted by format and cost class, and the first rows of each
 * class are verified against a wrong password to time them on this machine. Streams: memory holds counts, never rows.
 * Nothing of a hash but its format and cost parameters reaches the report.
 *
 * @example
 *   const report = await surveyHashes(rowsOf(file), { verify: (stored) => verifier.verify('not-the-password', stored) });
 *   report.capacity.verificationsPerSecondPerCore; // 31.2
 */
export async function surveyHashes(rows: AsyncIterable<StoredHash>, options: SurveyOptions): Promise<SurveyReport> {
  const registry = createHashRegistry(options.formats ?? DEFAULT_FORMATS);
  const limits: HashLimits = { ...DEFAULT_HASH_LIMITS, ...options.limits };
  const context = { limits, nested: (hash: string) => registry.formatFor({ hash }).prepare({ hash }, context) };
  const samples = options.samplesPerClass ?? 3;
  const tallies = new Map<string, Tally>();
  const shapes = new Map<string, number>();
  let total = 0;
  let disabled = 0;
  let unknown = 0;
  const tallyOf = (format: string) => {
    let tally = tallies.get(format);
    if (!tally) tallies.set(format, (tally = { rows: 0, overLimit: 0, malformed: 0, classes: new Map() }));
    return tally;
  };
  const countShape = (shape: string) => {
    unknown += 1;
    const key = shapes.has(shape) || shapes.size < MAX_SHAPES ? shape : 'other shapes';
    shapes.set(key, (shapes.get(key) ?? 0) + 1);
  };

  for await (const stored of rows) {
    total += 1;
    if (options.onProgress && total % (options.progressEvery ?? 10_000) === 0) options.onProgress(total);
    if (stored.hash === '') {
      countShape('no hash (empty, missing, or a line that could not be read)');
      continue;
    }
    let format: HashFormat;
    try {
      format = registry.formatFor(stored);
    } catch (error) {
      if (error instanceof HashError && error.code === HashErrorCode.HASH_SCHEME_UNKNOWN) countShape(`the unknown scheme ${JSON.stringify((stored.scheme ?? stored.defaultScheme ?? '').slice(0, 40))}`);
      else countShape(describeShape(stored.hash));
      continue;
    }
    if (format.id === DISABLED_FORMAT_ID) {
      disabled += 1;
      continue;
    }
    const tally = tallyOf(format.id);
    tally.rows += 1;
    let params: Record<string, unknown>;
    try {
      params = format.prepare(stored, context).params;
    } catch (error) {
      if (error instanceof HashError && error.code === HashErrorCode.HASH_PARAMS_OVER_LIMIT) tally.overLimit += 1;
      else tally.malformed += 1;
      continue;
    }
    const costParams = printableParams(params);
    const key = JSON.stringify(costParams);
    let costClass = tally.classes.get(key);
    if (!costClass && tally.classes.size < MAX_CLASSES) tally.classes.set(key, (costClass = { params: costParams, rows: 0, timings: [] }));
    if (!costClass) continue;
    costClass.rows += 1;
    if (costClass.timings.length < samples) costClass.timings.push(await timed(() => options.verify(stored)));
  }

  const formats = [...tallies.entries()]
    .map(([format, tally]): FormatFigures => {
      const classes = [...tally.classes.values()].map((entry) => ({ params: entry.params, rows: entry.rows, verifyMs: median(entry.timings) })).sort((a, b) => b.rows - a.rows);
      return { format, rows: tally.rows, share: total === 0 ? 0 : tally.rows / total, classes, verifyMs: weightedMean(classes), overLimit: tally.overLimit, malformed: tally.malformed };
    })
    .sort((a, b) => b.rows - a.rows || a.format.localeCompare(b.format));
  const meanVerifyMs = weightedMean(formats.flatMap((figures) => figures.classes));
  const cores = availableParallelism();
  return {
    rows: total,
    formats,
    disabled,
    unknown: { rows: unknown, shapes: [...shapes.entries()].map(([shape, count]) => ({ shape, rows: count })).sort((a, b) => b.rows - a.rows) },
    capacity: {
      meanVerifyMs,
      verificationsPerSecondPerCore: meanVerifyMs === null || meanVerifyMs === 0 ? null : 1000 / meanVerifyMs,
      cores,
      coresAtEntraPeak: meanVerifyMs === null ? null : (ENTRA_PEAK_CALLS_PER_SECOND * meanVerifyMs) / 1000,
    },
  };
}

/** The cost figures and variant names of a format's parameters; nothing that could be a salt or a digest. */
function printableParams(params: Record<string, unknown>): Record<string, number | string> {
  const printable: Record<string, number | string> = {};
  for (const [name, value] of Object.entries(params).sort(([a], [b]) => a.localeCompare(b))) {
    if (typeof value === 'number' && Number.isFinite(value) && !/salt|length|bytes/i.test(name)) printable[name] = value;
    else if (typeof value === 'string' && NAMED_PARAMS.has(name) && /^[A-Za-z0-9_.-]{1,24}$/.test(value)) printable[name] = value;
  }
  return printable;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  try {
    await work();
  } catch {
    // A hash that parses but cannot be verified is timed all the same: the sign-in would pay what it cost.
  }
  return performance.now() - start;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The rows-weighted mean verify time of classes that were timed; null when none was. */
function weightedMean(classes: ReadonlyArray<{ rows: number; verifyMs: number | null }>): number | null {
  let rows = 0;
  let sum = 0;
  for (const entry of classes) {
    if (entry.verifyMs === null) continue;
    rows += entry.rows;
    sum += entry.rows * entry.verifyMs;
  }
  return rows === 0 ? null : sum / rows;
}
