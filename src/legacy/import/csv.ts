import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileProblem } from '../../common/file-problem.js';
import type { HashDefaults } from '../hash-store-authority.js';
import { DEFAULT_FORMATS } from '../hashes/formats/index.js';
import { CSV_COLUMNS, type CsvColumn } from './csv-columns.js';
import { readCsvRecords } from './csv-records.js';
import { LegacyImportError, LegacyImportErrorCode, malformedSource } from './errors.js';
import type { ImportFormat } from './format.js';
import type { SourceItem } from './imported-user.js';
import { checkReadable } from './source-file.js';
import { userOf } from './user-checks.js';


const MAX_RECORD_BYTES = 1024 * 1024;
const MAX_CONFIG_BYTES = 64 * 1024;

/**
 * A CSV file with a header line, any columns: `--field password_hash=pwd --field email=mail` says which header
 * column fills which table column (`id`, `password_hash` and `email` or `username` are needed; the others are
 * optional). `scheme` names a configured hash scheme per row; `--hash-config` (JSON `{"scheme"?, "params"?}`) gives
 * the store-wide scheme and parameters, passed to `serve` as LEGACY_HASH_SCHEME and LEGACY_HASH_PARAMS. `status` is
 * kept as written, lower-cased (`active` or empty signs in; anything else is blocked by `serve`).
 */
export const csvFormat: ImportFormat = {
  id: 'csv',
  async prepare(options) {
    const mapping = mappingOf(options.fields);
    await checkReadable('--from', options.from);
    const hashDefaults = options.hashConfig === undefined ? undefined : await readCsvHashConfig(options.hashConfig);
    return { hashDefaults, records: () => csvRecords(options.from, mapping, options.fields) };
  },
};

function mappingOf(fields: Readonly<Record<string, string>>): Record<CsvColumn, string> {
  for (const column of Object.keys(fields)) {
    if (!(CSV_COLUMNS as readonly string[]).includes(column)) {
      throw new LegacyImportError(LegacyImportErrorCode.OPTIONS_INVALID, `--field ${column}=…: ${column} is not a column of legacy_users; map one of ${CSV_COLUMNS.join(', ')}.`);
    }
  }
  return Object.fromEntries(CSV_COLUMNS.map((column) => [column, fields[column] ?? column])) as Record<CsvColumn, string>;
}

async function* csvRecords(path: string, mapping: Record<CsvColumn, string>, given: Readonly<Record<string, string>>): AsyncGenerator<SourceItem> {
  const shown = basename(path);
  let index: Partial<Record<CsvColumn, number>> | undefined;
  let width = 0;
  for await (const { line, fields } of readCsvRecords(path, { shown, maxRecordBytes: MAX_RECORD_BYTES })) {
    if (index === undefined) {
      index = headerIndex(`${shown} line ${line}`, fields, mapping, given);
      width = fields.length;
      continue;
    }
    if (fields.length !== width) {
      yield { at: { line }, problem: `${fields.length} fields where the header has ${width}` };
      continue;
    }
    const value = (column: CsvColumn) => (index![column] === undefined ? null : fields[index![column]!]);
    const status = value('status')?.trim().toLowerCase() || 'active';
    const user = userOf({
      id: value('id'),
      email: value('email'),
      username: value('username'),
      passwordHash: value('password_hash'),
      scheme: value('scheme'),
      salt: value('salt'),
      status,
      profile: { display_name: value('display_name'), given_name: value('given_name'), surname: value('surname'), phone: value('phone') },
    });
    yield 'reason' in user ? { at: { line }, problem: user.reason } : { at: { line }, user };
  }
  if (index === undefined) throw malformedSource(shown, 'has no header line: not a CSV export');
}

/** Where each mapped column is in the header; a column named with --field (or a required one) must be there. */
function headerIndex(where: string, header: readonly string[], mapping: Record<CsvColumn, string>, given: Readonly<Record<string, string>>): Partial<Record<CsvColumn, number>> {
  const names = header.map((name) => name.trim());
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw malformedSource(where, `the header names a column twice (column ${names.indexOf(twice) + 1})`);
  const index: Partial<Record<CsvColumn, number>> = {};
  for (const column of CSV_COLUMNS) {
    const at = names.indexOf(mapping[column]);
    if (at !== -1) index[column] = at;
    else if (given[column] !== undefined) throw malformedSource(where, `the header has no column "${mapping[column].slice(0, 64)}" (from --field ${column}=…)`);
  }
  const missing = (['id', 'password_hash'] as const).filter((column) => index[column] === undefined);
  if (missing.length > 0) throw malformedSource(where, `the header has no ${missing.join(' or ')} column; map one with --field ${missing[0]}=<column>`);
  if (index.email === undefined && index.username === undefined) throw malformedSource(where, 'the header has no email or username column; map one with --field email=<column>');
  return index;
}

/** `--hash-config` for CSV: JSON `{"scheme"?: "<a configured scheme>", "params"?: {…}}` (LEGACY_HASH_SCHEME, LEGACY_HASH_PARAMS). */
async function readCsvHashConfig(path: string): Promise<HashDefaults> {
  let value: unknown;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_CONFIG_BYTES) throw invalid(path, `is larger than ${MAX_CONFIG_BYTES / 1024} KiB`);
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    if (error instanceof LegacyImportError) throw error;
    throw invalid(path, error instanceof SyntaxError ? 'is not JSON' : fileProblem(error));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(path, 'is not a JSON object {"scheme", "params"}');
  const { scheme, params = {}, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw invalid(path, `has keys other than scheme and params (${Object.keys(rest).slice(0, 3).join(', ').slice(0, 80)})`);
  if (scheme !== undefined && (typeof scheme !== 'string' || !DEFAULT_FORMATS.some((format) => format.id === scheme))) {
    throw invalid(path, `"scheme" is not one of the hash schemes (${DEFAULT_FORMATS.map((format) => format.id).join(', ')})`);
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw invalid(path, '"params" is not a JSON object');
  return { scheme: scheme as string | undefined, params: params as Record<string, unknown> };
}

function invalid(path: string, problem: string): LegacyImportError {
  return new LegacyImportError(LegacyImportErrorCode.HASH_CONFIG_INVALID, `--hash-config ${path}: ${problem}.`);
}
