import { statSync } from 'node:fs';
import { dotenvError, readSettingsFile, updateDotenv } from '../config/index.js';
import { SERVE_SETTINGS_HEADER } from '../setup/index.js';
import { writeFileAtomically } from './write-file-atomically.js';

const OPTION = '--write-env';

/**
 * The text of the `--write-env` file as it is now ('' when there is none yet), refused with the line numbers when
 * setup could not update it exactly. Called before the tenant is touched, so a bad file stops setup early.
 *
 * @example
 *   readServeSettingsFile('./serve.env'); // throws ConfigError('--write-env ./serve.env line 4: …')
 */
export function readServeSettingsFile(path: string): string {
  if (!exists(path)) return '';
  const text = readSettingsFile(path, OPTION);
  const { problems } = updateDotenv(text, []);
  if (problems.length > 0) throw dotenvError(path, OPTION, problems);
  return text;
}

/**
 * Sets `settings` in the dotenv file at `path`: setup's keys updated in place, new ones appended, every other line
 * kept; a new (or empty) file gets a header first. Written atomically, mode 0600.
 *
 * @example
 *   await writeServeSettingsFile('./serve.env', serveSettingEntries({ tenantId, result, keyFiles }));
 */
export async function writeServeSettingsFile(path: string, settings: ReadonlyArray<readonly [string, string]>): Promise<void> {
  const current = readServeSettingsFile(path);
  const text = current.trim() === '' ? `${SERVE_SETTINGS_HEADER}\n` : current;
  try {
    await writeFileAtomically(path, updateDotenv(text, settings).text);
  } catch (error) {
    throw new Error(`${OPTION} cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}); the tenant is set up and its settings are printed above: save them, or run setup again with a file you can write`);
  }
}

/** False only when nothing is there; any other trouble is left for the read to report. */
function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
