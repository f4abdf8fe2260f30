import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, dotenvValue, updateDotenv } from '../../config/index.js';
import { describeProblem, importLegacyExport, LegacyImportError, type ImportFormatId, type ImportProgress, type ImportSummary } from '../../legacy/import/index.js';
import { ExitCode } from '../exit-codes.js';
import { duration } from '../progress-line.js';
import { reportError } from '../report-error.js';
import { readServeSettingsFile } from '../serve-settings-file.js';
import { writeFileAtomically } from '../write-file-atomically.js';

export interface LegacyImportCommandOptions {
  format: ImportFormatId;
  from: string;
  out: string;
  hashConfig?: string;
  writeEnv?: string;
  field: Record<string, string>;
}

const COMMAND = 'legacy import';
/** Unusable rows listed under the summary; every one is counted by reason. */
const PROBLEMS_SHOWN = 20;

/**
 * `entra-migrate legacy import`: the import, progress and summary on standard error, the settings on standard output
 * or in the `--write-env` file. Resolves with the exit code: 0 all imported, 1 some rows unusable, 2 nothing changed.
 */
export async function legacyImportCommand(options: LegacyImportCommandOptions): Promise<number> {
  try {
    // A settings file that cannot be updated exactly stops the run before the table is touched.
    const envText = options.writeEnv === undefined ? undefined : currentEnvText(options.writeEnv);
    const summary = await importLegacyExport({
      format: options.format,
      from: options.from,
      out: options.out,
      fields: options.field,
      ...(options.hashConfig !== undefined && { hashConfig: options.hashConfig }),
      onProgress: progressPrinter(),
    });
    if (process.stderr.isTTY) process.stderr.write('\r\u001b[K');
    process.stderr.write(describe(summary, options));
    if (options.writeEnv !== undefined) {
      await writeFileAtomically(options.writeEnv, updateDotenv(envText!, summary.envLines).text);
      say(`${summary.envLines.map(([key]) => key).join(', ')} written to ${options.writeEnv} (mode 600).`);
    } else {
      if (options.format === 'firebase') say("LEGACY_HASH_PARAMS below holds the project's signer key: keep it as secret as a password (--write-env writes a mode-600 file).");
      process.stdout.write(summary.envLines.map(([key, value]) => `${key}=${dotenvValue(value)}\n`).join(''));
    }
    return summary.unusable > 0 ? ExitCode.FAILURE : ExitCode.OK;
  } catch (error) {
    if (process.stderr.isTTY) process.stderr.write('\r\u001b[K');
    if (error instanceof LegacyImportError) {
      say(error.publicMessage);
      return ExitCode.USAGE;
    }
    return reportError(COMMAND, error);
  }
}

/** The `--write-env` file as it is ('' when new), refused when it cannot be parsed or its directory written. */
function currentEnvText(path: string): string {
  let exists = true;
  try {
    statSync(path);
  } catch {
    exists = false;
  }
  if (!exists) {
    try {
      accessSync(dirname(path), constants.W_OK);
    } catch {
      throw new ConfigError([{ setting: '--write-env', problem: `${path}: its directory does not exist or cannot be written` }]);
    }
  }
  return exists ? readServeSettingsFile(path) : '';
}

/** Progress on stderr: one line rewritten in place on a terminal, a line each time otherwise (logs, CI). */
function progressPrinter(): (progress: ImportProgress) => void {
  return (progress) => {
    const rate = progress.elapsedInMs > 0 ? (progress.read * 1000) / progress.elapsedInMs : 0;
    const text = `${count(progress.read)} records read · ${count(progress.imported)} imported · ${count(progress.unusable)} unusable · ${count(Math.round(rate))}/s · ${duration(progress.elapsedInMs)}`;
    process.stderr.write(process.stderr.isTTY ? `\r${text}\u001b[K` : `entra-migrate ${COMMAND}: ${text}\n`);
  };
}

function describe(summary: ImportSummary, options: LegacyImportCommandOptions): string {
  const seconds = summary.elapsedInMs / 1000;
  const lines = [`${count(summary.read)} records read: ${count(summary.imported)} imported, ${count(summary.unusable)} unusable; legacy_users in ${options.out} replaced in ${seconds.toFixed(1)} s`];
  if (summary.unusable > 0) lines.push('unusable records, by reason:');
  for (const [reason, rows] of summary.unusableByReason) lines.push(`  ${count(rows)} × ${reason}`);
  if (summary.unusable > 0) lines.push(`${summary.unusable > PROBLEMS_SHOWN ? `the first ${PROBLEMS_SHOWN}` : 'each'}, by line (never by content):`);
  for (const problem of summary.problems.slice(0, PROBLEMS_SHOWN)) lines.push(`  ${describeProblem(problem)}`);
  if (summary.unusable > PROBLEMS_SHOWN) lines.push(`  … ${count(summary.unusable - PROBLEMS_SHOWN)} more unusable records not listed`);
  if (summary.withoutEmail > 0) {
    lines.push(`${count(summary.withoutEmail)} imported account${summary.withoutEmail === 1 ? '' : 's'} without an e-mail: serve finds them by username; LEGACY_EXPORT_QUERY (premigrate) leaves them out`);
  }
  return lines.map((line) => `entra-migrate ${COMMAND}: ${line}\n`).join('');
}

function say(text: string): void {
  process.stderr.write(`entra-migrate ${COMMAND}: ${text}\n`);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
