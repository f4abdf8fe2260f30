import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';
import type { RawSettings } from './settings.js';

/** Largest config file we read; a real one is a few hundred bytes. */
const MAX_CONFIG_FILE_BYTES = 64 * 1024;

/**
 * Reads a JSON config file whose keys mirror the environment variables (`{"PORT": 7071, …}`) and merges the
 * environment over it: a variable that is set wins, so one file can serve several deployments.
 *
 * @example
 *   const raw = settingsFromFile('./entra-migrate.json', process.env);
 */
export function settingsFromFile(path: string, env: RawSettings): RawSettings {
  let text: string;
  try {
    const buffer = readFileSync(path);
    if (buffer.length > MAX_CONFIG_FILE_BYTES) {
      throw new ConfigError([{ setting: '--config', problem: `${path} is larger than ${MAX_CONFIG_FILE_BYTES} bytes` }]);
    }
    text = buffer.toString('utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([{ setting: '--config', problem: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}` }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError([{ setting: '--config', problem: `${path} is not valid JSON` }]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([{ setting: '--config', problem: `${path} must hold a JSON object of settings` }]);
  }
  const fromFile: Record<string, string> = {};
  const problems = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fromFile[key] = String(value);
    else problems.push({ setting: key, problem: `in ${path} must be a string, number or boolean` });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') merged[key] = value;
  return merged;
}
