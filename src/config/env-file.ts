import { ConfigError, type ConfigProblem } from './errors.js';
import { parseDotenv, type DotenvProblem } from './dotenv.js';
import { overlaySettings, readSettingsFile } from './settings-file.js';
import type { RawSettings } from './settings.js';

/** Problems listed one per line before the rest are summed up: a wrong file is wrong on every line. */
const MAX_PROBLEMS_SHOWN = 5;

/**
 * Reads a dotenv file (`--env-file`, the format `setup --write-env` writes; see {@link parseDotenv}) and merges the
 * environment over it: a variable that is set wins. A file that cannot be read, is larger than 64 KiB or has a
 * malformed line is refused with the option, the file and the line number, never a value (it may be a secret).
 *
 * @example
 *   const raw = settingsFromEnvFile('./serve.env', process.env);
 *   const config = loadServeConfig(raw);
 */
export function settingsFromEnvFile(path: string, env: RawSettings, option = '--env-file'): RawSettings {
  const parsed = parseDotenv(readSettingsFile(path, option));
  if (parsed.problems.length > 0) throw dotenvError(path, option, parsed.problems);
  const fromFile: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const entry of parsed.entries) fromFile[entry.key] = entry.value;
  return overlaySettings(fromFile, env);
}

/**
 * The {@link ConfigError} for a dotenv file's problems: one line each (`--env-file serve.env line 7: …`), the first
 * few only, since a wrong file is wrong on every line.
 *
 * @example
 *   throw dotenvError('./serve.env', '--write-env', parseDotenv(text).problems);
 */
export function dotenvError(path: string, option: string, problems: readonly DotenvProblem[]): ConfigError {
  const shown: ConfigProblem[] = problems.slice(0, MAX_PROBLEMS_SHOWN).map(({ line, problem }) => ({ setting: option, problem: `${path} line ${line}: ${problem}` }));
  const more = problems.length - MAX_PROBLEMS_SHOWN;
  if (more > 0) shown.push({ setting: option, problem: `${path}: ${more} more line${more === 1 ? '' : 's'} like these` });
  return new ConfigError(shown);
}
