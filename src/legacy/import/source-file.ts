import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { fileProblem } from '../../common/file-problem.js';
import { LegacyImportError, LegacyImportErrorCode } from './errors.js';

/**
 * Checks that `path` (named by `option`) can be read, before anything is written; returns whether it is a
 * directory (only when `directoryAllowed`). Throws `LEGACY_IMPORT_SOURCE_UNREADABLE`: "--from ./users.json: no such file".
 *
 * @example
 *   await checkReadable('--from', './users.ndjson'); // false
 */
export async function checkReadable(option: string, path: string, directoryAllowed = false): Promise<boolean> {
  try {
    const isDirectory = (await stat(path)).isDirectory();
    if (isDirectory && !directoryAllowed) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    await access(path, constants.R_OK);
    return isDirectory;
  } catch (error) {
    throw new LegacyImportError(LegacyImportErrorCode.SOURCE_UNREADABLE, `${option} ${path}: ${fileProblem(error)}.`);
  }
}

/** `HASH_CONFIG_INVALID` or `OPTIONS_INVALID` for an option a format does not take. */
export function refuseOption(option: string, format: string, takenBy: string): LegacyImportError {
  return new LegacyImportError(LegacyImportErrorCode.OPTIONS_INVALID, `${option} does not apply to --format ${format}; it is for ${takenBy}.`);
}
