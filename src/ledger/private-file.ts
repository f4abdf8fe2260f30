import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { LedgerError, LedgerErrorCode } from './errors.js';

/** Files SQLite keeps beside a database, holding the same rows until a checkpoint. */
const COMPANION_SUFFIXES = ['-wal', '-shm', '-journal'] as const;
/** Permission bits of the group and of others. */
const GROUP_AND_OTHERS = 0o077;

/**
 * Makes the ledger's database file private to this user before SQLite opens it, as the decryption key is:
 *
 * - missing directories are created 0700;
 * - a missing database file is created empty with mode 0600 (an empty file is a valid new SQLite database), so the
 *   `-wal` and `-shm` files SQLite creates later get the same mode (SQLite gives them the database file's mode);
 * - an existing database file, `-wal`, `-shm` or `-journal` that the group or others may use loses those bits
 *   (0644 becomes 0600). A file that cannot be tightened (another user owns it) is refused: `LEDGER_UNAVAILABLE`.
 *
 * An existing directory keeps its mode: it may be shared (the working directory, `./data` beside the demo key), and
 * the files in it are private whatever the directory allows. The process umask is left alone (it is process-wide).
 *
 * @example
 *   preparePrivateDatabaseFile('/var/lib/entra-migrate/ledger.db');
 */
export function preparePrivateDatabaseFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
    return; // created private; SQLite's companions will follow its mode
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const file of [path, ...COMPANION_SUFFIXES.map((suffix) => path + suffix)]) tighten(file);
}

function tighten(file: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((mode & GROUP_AND_OTHERS) === 0) return;
  try {
    chmodSync(file, mode & ~GROUP_AND_OTHERS);
  } catch (error) {
    throw new LedgerError(
      LedgerErrorCode.UNAVAILABLE,
      `The ledger file ${file} is open to other users (mode 0${mode.toString(8)}) and cannot be made private; run: chmod 600 ${file}`,
      { detail: `chmod ${file}: ${(error as Error).message}`, cause: error },
    );
  }
}
