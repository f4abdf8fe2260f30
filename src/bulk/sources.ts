import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import type { SqlExportOptions } from '../legacy/index.js';

/** A row of a source file with its 1-based line (record) number. */
export interface SourceRow {
  line: number;
  row: Record<string, unknown> | null;
  /** Why the row could not be read (not JSON, not an object); the row is null then. */
  error?: string;
}

/** Longest JSON line read, in characters. */
const MAX_LINE_LENGTH = 64 * 1024;

/**
 * Streams the rows of a `.jsonl`/`.ndjson` or `.csv` file (with a header line), one at a time: a file of millions
 * of accounts never sits in memory.
 *
 * @example
 *   for await (const { line, row } of readSource('./users.csv')) …
 */
export async function* readSource(path: string): AsyncGenerator<SourceRow> {
  const kind = extname(path).toLowerCase();
  if (kind === '.csv') {
    let line = 0;
    const parser = createReadStream(path).pipe(parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: false, max_record_size: MAX_LINE_LENGTH }));
    try {
      for await (const record of parser) yield { line: ++line, row: record as Record<string, unknown> };
    } catch (error) {
      yield { line: line + 1, row: null, error: `the CSV cannot be read past here (${error instanceof Error ? error.message.split(':')[0] : 'error'})` };
    }
    return;
  }
  if (kind !== '.jsonl' && kind !== '.ndjson' && kind !== '.json') throw new Error(`${path}: unknown source type ${kind || '(none)'}; use .csv or .jsonl`);
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    if (text.length > MAX_LINE_LENGTH) {
      yield { line, row: null, error: `longer than ${MAX_LINE_LENGTH} characters` };
      continue;
    }
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) yield { line, row: value as Record<string, unknown> };
      else yield { line, row: null, error: 'not a JSON object' };
    } catch {
      yield { line, row: null, error: 'not JSON' };
    }
  }
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
  return Math.max(0, extname(path).toLowerCase() === '.csv' ? lines - 1 : lines);
}

/** The number of rows `LEGACY_EXPORT_QUERY` selects (one `count(*)`), for the progress bar's total and ETA. */
export async function countSqlSource(options: SqlExportOptions): Promise<number> {
  const { countSqlExport } = await import('../legacy/index.js');
  return countSqlExport(options);
}
