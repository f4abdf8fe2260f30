import { ConfigError, type ConfigProblem } from './errors.js';
import { overlaySettings, readSettingsFile } from './settings-file.js';
import type { RawSettings } from './settings.js';

/**
 * Reads a JSON config file (`--config`) whose keys mirror the environment variables (`{"PORT": 7071, …}`) and
 * merges the environment over it: a variable that is set wins, so one file can serve several deployments.
 *
 * @example
 *   const raw = settingsFromFile('./entra-migrate.json', process.env);
 */
export function settingsFromFile(path: string, env: RawSettings): RawSettings {
  const text = readSettingsFile(path, '--config');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const hint = /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=/m.test(text) ? '; it looks like a dotenv file: give it with --env-file' : '';
    throw new ConfigError([{ setting: '--config', problem: `${path} is not valid JSON${hint}` }]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([{ setting: '--config', problem: `${path} must hold a JSON object of settings` }]);
  }
  const fromFile: Record<string, string> = Object.create(null) as Record<string, string>;
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fromFile[key] = String(value);
    else problems.push({ setting: key, problem: `in ${path} must be a string, number or boolean` });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return overlaySettings(fromFile, env);
}
