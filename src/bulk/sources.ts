import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';

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
