import { ConfigError, loadSettings, type RawSettings } from '../../config/index.js';
import { SettingsReader } from '../../config/settings.js';
import { readSource, sourceFileProblem } from '../../bulk/sources.js';
import { createPasswordVerifier, DEFAULT_HASH_LIMITS, surveyHashes, type StoredHash, type SurveyReport } from '../../legacy/hashes/index.js';
import { ExitCode } from '../exit-codes.js';
import { reportError } from '../report-error.js';

/** The options of `entra-migrate hash survey`, as the command line gives them. */
export interface HashSurveyOptions {
  from?: string;
  envFile?: string;
  json?: boolean;
  samples: number;
}

/** What no stored password can be: the survey verifies every sample against it, so each is a full, failed check. */
const SURVEY_PASSWORD = 'entra-migrate hash survey: not anyone\'s password';

/**
 * `entra-migrate hash survey`: reads the legacy store's hashes (a `--from` file of JSON lines or CSV, else
 * LEGACY_EXPORT_QUERY on LEGACY_DATABASE_URL), prints the formats, cost classes, measured verify times and the
 * capacity they imply. Exit 0 when every row can be verified, 1 when some cannot (unknown, malformed, over the
 * ceilings), 2 for invalid options or settings. Never prints a hash or a salt.
 */
export async function hashSurvey(options: HashSurveyOptions): Promise<number> {
  const verifier = createPasswordVerifier();
  try {
    const raw = loadSettings({ env: process.env, envFile: options.envFile });
    const rows = await rowsOf(options, raw);
    const limits = readLimits(raw);
    const progress = (count: number) => process.stderr.write(`entra-migrate hash survey: ${count.toLocaleString('en-US')} rows read\n`);
    const report = await surveyHashes(rows, {
      verify: (stored) => verifier.verify(SURVEY_PASSWORD, stored),
      limits,
      samplesPerClass: options.samples,
      ...(!options.json && process.stderr.isTTY && { onProgress: progress, progressEvery: 50_000 }),
    });
    process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : describe(report));
    const unverifiable = report.unknown.rows + report.formats.reduce((sum, figures) => sum + figures.malformed + figures.overLimit, 0);
    return unverifiable > 0 ? ExitCode.FAILURE : ExitCode.OK;
  } catch (error) {
    return reportError('hash survey', error);
  } finally {
    await verifier.close();
  }
}

/** The rows to survey as stored hashes: the file's `hash` (or `password_hash`), `scheme`, `params` (or `salt`). */
async function rowsOf(options: HashSurveyOptions, raw: RawSettings): Promise<AsyncIterable<StoredHash>> {
  const read = new SettingsReader(raw);
  const defaultScheme = read.optional('LEGACY_HASH_SCHEME');
  const defaultParams = read.jsonObject('LEGACY_HASH_PARAMS') ?? {};
  if (options.from !== undefined) {
    const problem = await sourceFileProblem(options.from);
    if (problem) throw new ConfigError([{ setting: '--from', problem: `${options.from} ${problem}` }]);
    if (read.problems.length > 0) throw new ConfigError(read.problems);
    return storedHashes(rowsFromFile(options.from), defaultScheme, defaultParams);
  }
  const url = read.optional('LEGACY_DATABASE_URL');
  const query = read.optional('LEGACY_EXPORT_QUERY');
  if (!url || !query) {
    throw new ConfigError([{ setting: 'LEGACY_EXPORT_QUERY', problem: 'and LEGACY_DATABASE_URL are required without --from: the query that lists every account with its password_hash column (and scheme, salt if the store has them)' }]);
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  const { readSqlExport } = await import('../../legacy/index.js');
  return storedHashes(readSqlExport({ url, query }), defaultScheme, defaultParams);
}

async function* rowsFromFile(path: string): AsyncGenerator<Record<string, unknown>> {
  for await (const { row } of readSource(path)) yield row ?? {};
}

/** Each row as the SQL store hands a hash to the verifier; a row without one is an empty hash (counted unknown). */
async function* storedHashes(rows: AsyncIterable<Record<string, unknown>>, defaultScheme: string | undefined, defaultParams: Record<string, unknown>): AsyncGenerator<StoredHash> {
  for await (const row of rows) {
    const hash = typeof row.hash === 'string' ? row.hash : typeof row.password_hash === 'string' ? row.password_hash : '';
    const scheme = typeof row.scheme === 'string' && row.scheme !== '' ? row.scheme : undefined;
    const ownParams = typeof row.params === 'object' && row.params !== null && !Array.isArray(row.params) ? (row.params as Record<string, unknown>) : {};
    const params = { ...defaultParams, ...ownParams, ...(typeof row.salt === 'string' && { salt: row.salt }), ...(typeof row.username === 'string' && { username: row.username }) };
    yield { hash, ...(scheme && { scheme }), ...(defaultScheme && { defaultScheme }), ...(Object.keys(params).length > 0 && { params }) };
  }
}

/** LEGACY_HASH_LIMITS, as serve reads it: the survey counts the rows serve would refuse. */
function readLimits(raw: RawSettings): Partial<typeof DEFAULT_HASH_LIMITS> {
  const read = new SettingsReader(raw);
  const limits = read.jsonObject('LEGACY_HASH_LIMITS') ?? {};
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return Object.fromEntries(Object.entries(limits).filter(([name, value]) => name in DEFAULT_HASH_LIMITS && Number.isSafeInteger(value))) as Partial<typeof DEFAULT_HASH_LIMITS>;
}

const count = (value: number) => value.toLocaleString('en-US');
const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
const ms = (value: number | null) => (value === null ? '—' : value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} ms`);

/** The report as text: one line per format, then its cost classes, the unverifiable rows and the capacity. */
function describe(report: SurveyReport): string {
  const lines = [`${count(report.rows)} rows surveyed`, ''];
  if (report.formats.length > 0) {
    lines.push('format                      rows        share    verify     over limit   malformed');
    for (const figures of report.formats) {
      lines.push(`${figures.format.padEnd(26)}  ${count(figures.rows).padStart(10)}  ${percent(figures.share).padStart(7)}  ${ms(figures.verifyMs).padStart(9)}  ${count(figures.overLimit).padStart(11)}  ${count(figures.malformed).padStart(10)}`);
      for (const costClass of figures.classes.slice(0, 5)) {
        const params = Object.entries(costClass.params).map(([name, value]) => `${name}=${value}`).join(' ') || '(no cost parameters)';
        lines.push(`    ${params.padEnd(40)} ${count(costClass.rows).padStart(10)} rows  ${ms(costClass.verifyMs)}`);
      }
      if (figures.classes.length > 5) lines.push(`    … and ${figures.classes.length - 5} more cost classes (--json lists them)`);
    }
    lines.push('');
  }
  if (report.disabled > 0) lines.push(`${count(report.disabled)} disabled-password markers (!, * …): answered like a wrong password`);
  if (report.unknown.rows > 0) {
    lines.push(`${count(report.unknown.rows)} rows in no known format (by shape; name their scheme, or ask for the format):`);
    for (const { shape, rows } of report.unknown.shapes.slice(0, 10)) lines.push(`    ${shape}: ${count(rows)}`);
  }
  const { capacity } = report;
  if (capacity.meanVerifyMs !== null && capacity.verificationsPerSecondPerCore !== null && capacity.coresAtEntraPeak !== null) {
    lines.push(
      '',
      `capacity: ${ms(capacity.meanVerifyMs)} per verification at this mix, ${capacity.verificationsPerSecondPerCore.toFixed(1)} per second per core;`,
      `Entra's peak of 50 sign-ins a second needs ${capacity.coresAtEntraPeak.toFixed(1)} cores for the legacy check (this machine has ${capacity.cores}).`,
    );
  }
  return `${lines.join('\n')}\n`;
}
