import { constants, createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse, type CsvError, type Info } from 'csv-parse';
import type { SqlExportOptions } from '../legacy/index.js';
import { readBoundedLines } from '../common/bounded-lines.js';
import { fileProblem } from '../common/file-problem.js';
import { LineBreakCounter } from '../common/line-breaks.js';

/** A row of a source with its 1-based line: the line of the file it starts on (a CSV header is line 1). */
export interface SourceRow {
  line: number;
  row: Record<string, unknown> | null;
  /** Why the row could not be read (not JSON, not an object, a broken CSV record); the row is null then. */
  error?: string;
}

/** How a source file is read, by its extension (`.json` too: people name JSON Lines files so). */
const KIND_BY_EXTENSION: Readonly<Record<string, 'csv' | 'jsonl'>> = { '.csv': 'csv', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'jsonl' };

const kindOf = (path: string): 'csv' | 'jsonl' | undefined => KIND_BY_EXTENSION[extname(path).toLowerCase()];

/**
 * Why `path` cannot be a source file, worded to follow the path (`users.jsonl: no such file`), or null when it can
 * be read. Checked before a run contacts anything, so a typo costs nothing.
 *
 * @example
 *   await sourceFileProblem('./users.jsonl'); // 'no such file' when it is not there
 */
export async function sourceFileProblem(path: string): Promise<string | null> {
  try {
    if ((await stat(path)).isDirectory()) return 'is a directory; give a .jsonl or .csv file';
    await access(path, constants.R_OK);
  } catch (error) {
    return fileProblem(error);
  }
  return kindOf(path) ? null : 'is not a .jsonl, .ndjson or .csv file; its extension says how to read it';
}

/** Longest JSON line (in bytes) or CSV record (in characters) read. */
const MAX_LINE_LENGTH = 64 * 1024;

/**
 * Streams the rows of a `.jsonl`/`.ndjson` or `.csv` file (with a header line), one at a time: a file of millions
 * of accounts never sits in memory. Each row carries the line it starts on, as an editor numbers the file.
 *
 * @example
 *   for await (const { line, row } of readSource('./users.csv')) …
 */
export async function* readSource(path: string): AsyncGenerator<SourceRow> {
  const kind = kindOf(path);
  if (kind === 'csv') {
    yield* readCsv(path);
    return;
  }
  if (kind !== 'jsonl') throw new Error(`${path}: unknown source type ${extname(path) || '(none)'}; use .csv or .jsonl`);
  // A line is read at most MAX_LINE_LENGTH bytes deep: a damaged file's 100 MB line costs 64 KiB, not 100 MB.
  for await (const read of readBoundedLines(path, MAX_LINE_LENGTH)) {
    const { line } = read;
    if ('problem' in read) {
      yield { line, row: null, error: read.problem };
      continue;
    }
    if (read.text.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(read.text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) yield { line, row: value as Record<string, unknown> };
      else yield { line, row: null, error: 'not a JSON object' };
    } catch {
      yield { line, row: null, error: 'not JSON' };
    }
  }
}

/**
 * The records of a CSV file as rows keyed by its header. A record whose field count differs from the header's is
 * rejected alone; a record the parser cannot read (a stray quote) ends the file there, since what follows cannot be
 * told apart, and says so: nothing after it is dropped silently.
 */
async function* readCsv(path: string): AsyncGenerator<SourceRow> {
  /** The first record the parser could not read: records before it, blank lines skipped by then, and why. */
  let broken: { records: number; emptyLines: number; what: string } | undefined;
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: MAX_LINE_LENGTH,
    info: true,
    // Parse errors arrive here, in order after the records before them (as a stream error they would drop those).
    skip_records_with_error: true,
    on_skip: (error) => void (broken ??= error && brokenRecord(error)),
  });
  const input = createReadStream(path);
  // csv-parse's own line count is off after a CRLF inside a quoted field: count the file's line breaks instead.
  const lineBreaks = new LineBreakCounter();
  input.on('data', (chunk) => lineBreaks.push(chunk as Buffer));
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let header: string[] | undefined;
  // Where the last record ended (bytes, blank lines skipped so far): the next one starts on the line after.
  let last = { bytes: 0, emptyLines: 0 };
  const lineAfterLast = (emptyLines: number) => 1 + lineBreaks.before(last.bytes) + Math.max(0, emptyLines - last.emptyLines);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      if (broken && info.records > broken.records) break;
      const line = lineAfterLast(info.empty_lines);
      last = { bytes: info.bytes, emptyLines: info.empty_lines };
      if (!header) {
        header = record;
        const twice = header.find((name, i) => header!.indexOf(name) !== i);
        if (twice === undefined) continue;
        yield { line, row: null, error: `the header names the column "${twice.slice(0, 100)}" twice; no row was read` };
        return;
      }
      if (record.length !== header.length) yield { line, row: null, error: `${record.length} fields where the header has ${header.length}` };
      else yield { line, row: Object.fromEntries(header.map((name, i) => [name, record[i]])) };
    }
    if (broken) {
      yield { line: lineAfterLast(broken.emptyLines), row: null, error: `not readable as CSV (${broken.what}); the rows after it were not read either` };
    }
  } finally {
    input.destroy();
    parser.destroy();
  }
}

function brokenRecord(error: CsvError): { records: number; emptyLines: number; what: string } {
  const { records, empty_lines: emptyLines } = error as unknown as { records?: unknown; empty_lines?: unknown };
  // The parser's message quotes the field, which may be a password: keep its title only ("Invalid Opening Quote").
  return { records: Number(records ?? 0), emptyLines: Number(emptyLines ?? 0), what: error.message.split(':')[0]! };
}

/**
 * Streams the rows of the legacy SQL store's `LEGACY_EXPORT_QUERY`, a page at a time (keyset pagination; see
 * `readSqlExport`). Row numbers count from 1 in key order.
 *
 * @example
 *   for await (const { row } of readSqlSource({ url: process.env.LEGACY_DATABASE_URL, query: process.env.LEGACY_EXPORT_QUERY })) …
 */
export async function* readSqlSource(options: SqlExportOptions): AsyncGenerator<SourceRow> {
  // Loaded here, not at the top: a run from a file never loads the database drivers (~20 MB).
  const { readSqlExport } = await import('../legacy/index.js');
  let line = 0;
  for await (const row of readSqlExport(options)) yield { line: ++line, row };
}

/**
 * Counts a source file's rows quickly (line breaks, less the CSV header) for a progress bar's total and ETA. An
 * estimate: a CSV field with a line break in it counts twice, blank lines count once.
 *
 * @example
 *   const total = await estimateRowCount('./users.csv');
 */
export async function estimateRowCount(path: string): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
  }
  if (last !== 10) lines++; // a last line without a line break
  return Math.max(0, kindOf(path) === 'csv' ? lines - 1 : lines);
}

/** The number of rows `LEGACY_EXPORT_QUERY` selects (one `count(*)`), for the progress bar's total and ETA. */
export async function countSqlSource(options: SqlExportOptions): Promise<number> {
  const { countSqlExport } = await import('../legacy/index.js');
  return countSqlExport(options);
}
