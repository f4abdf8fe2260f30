import { createReadStream } from 'node:fs';
import { parse, type CsvError, type Info } from 'csv-parse';
import { malformedSource } from './errors.js';
import { LineBreakCounter } from '../../common/line-breaks.js';

/** A CSV record's fields and the line it starts on (1-based, as an editor numbers the file). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * The records of a CSV file, one at a time, each with its line. Records may have any number of fields (the caller
 * checks); quotes inside an unquoted field are kept as text, since Firebase's exporter quotes a display name with a
 * comma without escaping its quotes. A record over `maxRecordBytes` (a 100 MB line) or one the parser cannot read
 * stops the import with `LEGACY_IMPORT_SOURCE_MALFORMED` naming its line: what follows cannot be told apart.
 *
 * @example
 *   for await (const { line, fields } of readCsvRecords('./users.csv', { shown: 'users.csv', maxRecordBytes: 2 ** 20 })) …
 */
export async function* readCsvRecords(path: string, options: { shown: string; maxRecordBytes: number }): AsyncGenerator<CsvRecord> {
  /** The first record the parser could not read: the records before it, the blank lines skipped by then, why. */
  let broken: { records: number; emptyLines: number; what: string } | undefined;
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: options.maxRecordBytes,
    info: true,
    // Parse errors arrive here, in order after the records before them (as a stream error they would drop those).
    skip_records_with_error: true,
    on_skip: (error) => {
      broken ??= error && brokenRecord(error);
      // Nothing after a broken record is read: stop at once, rather than parse (and count lines of) the rest.
      input.unpipe(parser);
      input.destroy();
      parser.end();
    },
  });
  const input = createReadStream(path, { highWaterMark: 64 * 1024 });
  const lineBreaks = new LineBreakCounter();
  input.on('data', (chunk) => lineBreaks.push(chunk as Buffer));
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  // Where the last record ended (bytes, blank lines skipped so far): the next one starts on the line after.
  let last = { bytes: 0, emptyLines: 0 };
  const lineAfterLast = (emptyLines: number) => 1 + lineBreaks.before(last.bytes) + Math.max(0, emptyLines - last.emptyLines);
  const stop = (what: string, emptyLines: number) => malformedSource(`${options.shown} line ${lineAfterLast(emptyLines)}`, `not readable as CSV (${what})`);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      if (broken && info.records > broken.records) throw stop(broken.what, broken.emptyLines);
      const line = lineAfterLast(info.empty_lines);
      last = { bytes: info.bytes, emptyLines: info.empty_lines };
      yield { line, fields: record };
    }
    if (broken) throw stop(broken.what, broken.emptyLines);
  } finally {
    input.destroy();
    parser.destroy();
  }
}

function brokenRecord(error: CsvError): { records: number; emptyLines: number; what: string } {
  const { records, empty_lines: emptyLines } = error as unknown as { records?: unknown; empty_lines?: unknown };
  // The parser's message quotes the field, which may be a hash or an address: keep its title only ("Max Record Size").
  return { records: Number(records ?? 0), emptyLines: Number(emptyLines ?? 0), what: error.message.split(':')[0]! };
}
