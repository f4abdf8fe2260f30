import { countLdapSource, countSqlSource, DEFAULT_FIELD_MAP, estimateRowCount, readLdapSource, readSource, readSqlSource, type FieldMap, type SourceRow } from '../../bulk/index.js';
import type { ConfigProblem, PremigrateConfig } from '../../config/index.js';
import { isAttributeName } from '../../config/ldap-setting-checks.js';
import type { PremigrateCommandOptions } from './premigrate-options.js';

/** Directory attributes that hold password hashes (OpenLDAP, RFC 3112, Active Directory): never read into a row. */
const PASSWORD_ATTRIBUTES = new Set(['userpassword', 'authpassword', 'unicodepwd']);

/**
 * With the directory as the source, `--field` columns and `--attribute` fields are attribute names read from each
 * entry (the record's own fields come from the mapping); a directory holds no plaintext password to read.
 */
export function directoryColumnProblems(options: PremigrateCommandOptions): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (options.field.password !== undefined) problems.push({ setting: '--field', problem: 'password cannot be read from a directory: it holds password hashes, which serve checks at sign-in' });
  for (const [setting, name] of directoryColumns(options)) {
    if (PASSWORD_ATTRIBUTES.has(name.toLowerCase())) problems.push({ setting, problem: `${name} is a password attribute; premigrate never reads password hashes` });
    else if (!isAttributeName(name)) problems.push({ setting, problem: `${name.slice(0, 100)} is not an LDAP attribute name (letters, digits and -, or a numeric OID), which the directory source needs` });
  }
  return problems;
}

/** The attributes `--field` and `--attribute` read beside the mapped ones, with the option that names each. */
function directoryColumns(options: PremigrateCommandOptions): Array<[option: string, name: string]> {
  const mapped = new Set<string>(Object.values(DEFAULT_FIELD_MAP));
  const columns: Array<[string, string]> = [
    ...Object.values(options.field).map((name): [string, string] => ['--field', name]),
    ...Object.keys(options.attribute).map((name): [string, string] => ['--attribute', name]),
  ];
  return columns.filter(([, name]) => !mapped.has(name));
}

/** Where the accounts come from, how many there are (for the progress bar), and what a failure's position is called. */
export interface PremigrateSource {
  total(): Promise<number>;
  rows(abortSignal: AbortSignal): AsyncIterable<SourceRow>;
  /** A file's rows are found by line; the SQL export's are numbered in id order; a directory's by their place in the listing. */
  position: 'line' | 'row' | 'entry';
}

/**
 * The run's source: the `--from` file, else the directory (LEGACY_LDAP_EXPORT_FILTER), else the SQL export — the
 * settings allow only one of the two, and require one without `--from`.
 *
 * @example
 *   const source = sourceOf(options, config, fieldMap);
 *   const total = await source.total();
 */
export function sourceOf(options: PremigrateCommandOptions, config: PremigrateConfig, fieldMap: FieldMap): PremigrateSource {
  const { from } = options;
  if (from !== undefined) return { total: () => estimateRowCount(from), rows: () => readSource(from), position: 'line' };
  const directory = config.legacyDirectory;
  if (directory) {
    return {
      total: () => countLdapSource(directory),
      rows: (abortSignal) => readLdapSource({ settings: directory, phone: options.phoneMethod === true, extraAttributes: directoryColumns(options).map(([, name]) => name), abortSignal }),
      position: 'entry',
    };
  }
  // The SQL export pages on the column that holds the id.
  const sqlSource = { ...config.legacyExport!, keyColumn: fieldMap.id };
  return { total: () => countSqlSource(sqlSource), rows: () => readSqlSource(sqlSource), position: 'row' };
}
