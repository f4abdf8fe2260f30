import type { HashDefaults } from '../hash-store-authority.js';
import { sqlitePathOf } from '../stores/sql/url.js';
import { LegacyImportError, LegacyImportErrorCode } from './errors.js';
import type { ImportFormatId } from './format.js';
import { IMPORT_FORMATS } from './formats.js';
import { createHashCheck } from './hash-check.js';
import { legacyEnvLines } from './env-lines.js';
import { createProblemCollector, type RowProblem } from './problems.js';
import { openLegacyTableWriter } from './sqlite-writer.js';

export interface LegacyImportOptions {
  format: ImportFormatId;
  /** `--from`. */
  from: string;
  /** `--hash-config`. */
  hashConfig?: string;
  /** `--out`: a `sqlite://` URL. */
  out: string;
  /** `--field column=source`. */
  fields?: Readonly<Record<string, string>>;
  /** Called every `progressEveryRows` records read. */
  onProgress?: (progress: ImportProgress) => void;
  progressEveryRows?: number;
  /** Problems kept with their position (all are counted). Default 1000. */
  problemsKept?: number;
  now?: () => number;
}

export interface ImportProgress {
  read: number;
  imported: number;
  unusable: number;
  elapsedInMs: number;
}

export interface ImportSummary extends ImportProgress {
  /** Imported accounts without an e-mail address: `serve` finds them by username, premigrate's export leaves them out. */
  withoutEmail: number;
  /** [reason, rows], the most frequent first. */
  unusableByReason: Array<[string, number]>;
  /** The first unusable rows, with their position. */
  problems: readonly RowProblem[];
  /** The settings that make `serve` and `premigrate` read the table. */
  envLines: Array<[string, string]>;
  hashDefaults: HashDefaults | undefined;
}

const DEFAULT_PROGRESS_EVERY_ROWS = 50_000;

/**
 * `legacy import`: reads an export with its format's reader, checks every account (a sign-in name, a hash `serve` can
 * verify, no duplicate id or sign-in name), writes the usable ones to a fresh table and swaps it in for
 * `legacy_users` (see sqlite-writer.ts). Streams: memory holds one record and a bounded SQLite cache whatever the
 * file's size. Throws `LegacyImportError` — and leaves `legacy_users` as it was — when the options, the hash
 * parameters, the file or the database are wrong, and when not one row could be used.
 *
 * @example
 *   const summary = await importLegacyExport({ format: 'auth0', from: './users.ndjson', out: 'sqlite://./legacy.db' });
 *   summary.imported; // 41_203
 */
export async function importLegacyExport(options: LegacyImportOptions): Promise<ImportSummary> {
  const now = options.now ?? Date.now;
  const started = now();
  const prepared = await IMPORT_FORMATS[options.format].prepare({ from: options.from, fields: options.fields ?? {}, ...(options.hashConfig !== undefined && { hashConfig: options.hashConfig }) });
  const path = outputPathOf(options.out);
  const check = createHashCheck(prepared.hashDefaults);
  const problems = createProblemCollector(options.problemsKept ?? 1000);
  const every = options.progressEveryRows ?? DEFAULT_PROGRESS_EVERY_ROWS;
  const progress = (): ImportProgress => ({ read, imported, unusable: problems.total, elapsedInMs: now() - started });
  let read = 0;
  let imported = 0;
  let withoutEmail = 0;
  const writer = openLegacyTableWriter(path);
  try {
    for await (const item of prepared.records()) {
      read++;
      if ('problem' in item) problems.add(item.at, item.problem);
      else {
        const hashProblem = check(item.user);
        const outcome = hashProblem === null ? writer.add(item.user) : null;
        if (hashProblem !== null) problems.add(item.at, hashProblem);
        else if (outcome === 'duplicate-id') problems.add(item.at, 'duplicate id (an earlier row has it)');
        else if (outcome === 'duplicate-name') problems.add(item.at, 'e-mail or username already used by an earlier row (a sign-in would match both)');
        else {
          imported++;
          if (item.user.email === null) withoutEmail++;
        }
      }
      if (read % every === 0) options.onProgress?.(progress());
    }
    if (imported === 0) {
      throw new LegacyImportError(
        LegacyImportErrorCode.NOTHING_USABLE,
        `${options.from}: ${read === 0 ? 'holds no records' : `not one of its ${read.toLocaleString('en-US')} records could be imported (most often: ${problems.byReason()[0]?.[0] ?? 'unknown'})`}; legacy_users was left as it was. Is it the export --format ${options.format} reads?`,
      );
    }
    writer.replaceTable();
  } catch (error) {
    writer.abandon();
    throw error;
  }
  return {
    ...progress(),
    withoutEmail,
    unusableByReason: problems.byReason(),
    problems: problems.listed(),
    envLines: legacyEnvLines(options.out, prepared.hashDefaults),
    hashDefaults: prepared.hashDefaults,
  };
}

/** The file of a `sqlite://` URL; anything else (or `sqlite::memory:`) is `OUTPUT_UNUSABLE`. */
function outputPathOf(url: string): string {
  let path: string;
  try {
    path = sqlitePathOf(url);
  } catch (error) {
    throw new LegacyImportError(LegacyImportErrorCode.OUTPUT_UNUSABLE, `--out ${url.slice(0, 200)}: expected a SQLite URL such as sqlite://./legacy.db or sqlite:///srv/legacy.db.`, { cause: error });
  }
  if (path === ':memory:') throw new LegacyImportError(LegacyImportErrorCode.OUTPUT_UNUSABLE, '--out sqlite::memory: would be lost when the command ends; name a file, e.g. sqlite://./legacy.db.');
  return path;
}
