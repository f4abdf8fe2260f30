import { accessSync, constants, statSync } from 'node:fs';
import type { Clock } from '../../../common/clock.js';

/** Why a watched file cannot be used. */
export type FileProblem = 'missing' | 'unreadable';

/** How to open, close and check the file a handle reads. */
export interface WatchedFileOptions<H> {
  path: string;
  /** Opens a handle on the file; throws (a `LegacyStoreError`) when it cannot, e.g. the lookup query fails to prepare. */
  open(path: string): H;
  close(handle: H): void;
  /** At most one check per this many ms of `now`; 0 checks on every `current()`. */
  checkIntervalInMs: number;
  now: Clock;
  /** The error `current()` throws while the file is missing or unreadable. */
  unavailable(problem: FileProblem, cause: unknown): Error;
}

/** A handle on a file that follows the file at its path; see {@link openWatchedFile}. */
export interface WatchedFile<H> {
  /** The handle on the file at the path now (checked at most every interval), or the reason there is none. */
  current(): H;
  /** Closes the handle; `current()` must not be called after. */
  close(): void;
}

/**
 * Opens a handle on `path` and keeps it matched to the file at that path, for a reader that holds a file open
 * for long (an open descriptor keeps reading a file that was deleted or renamed over). At most once per
 * `checkIntervalInMs`, `current()` looks at the path:
 *
 * - the same file (device and inode) → the same handle; a file rewritten in place is its owner's business
 *   (SQLite notices a changed file itself at its next read transaction);
 * - another file (renamed over, restored from a backup) → a fresh handle on it, the old one closed;
 * - no file, or one this process cannot read (no permission, or no read bit for anyone: `chmod 000` is honoured
 *   even when running as root) → the old handle is closed and `current()` throws `unavailable(…)` until the
 *   file is back, which the next check after that notices.
 *
 * A file that is back but cannot be opened (`open` throws) makes `current()` throw that error until a later
 * check opens it. Checks happen only inside `current()`: no timer, nothing keeps the process alive.
 *
 * @example
 *   const file = openWatchedFile({ path, open: (p) => new Database(p, { readonly: true }), close: (db) => db.close(),
 *     checkIntervalInMs: 2000, now: Date.now, unavailable: (problem) => new Error(`${path} is ${problem}`) });
 *   file.current().prepare('SELECT 1').get();
 */
export function openWatchedFile<H>(options: WatchedFileOptions<H>): WatchedFile<H> {
  const { path, checkIntervalInMs, now } = options;
  let handle: H | undefined;
  let identity = '';
  let failure: unknown;
  let checkedAt = 0;

  const drop = (): void => {
    if (handle === undefined) return;
    const old = handle;
    handle = undefined;
    options.close(old);
  };

  const check = (): void => {
    checkedAt = now();
    let seen: string;
    try {
      seen = readableIdentityOf(path);
    } catch (error) {
      drop();
      failure = options.unavailable(problemOf(error), error);
      return;
    }
    if (handle !== undefined && seen === identity) return;
    let opened: H;
    try {
      opened = options.open(path);
    } catch (error) {
      drop();
      failure = error;
      return;
    }
    drop();
    handle = opened;
    identity = seen; // read before opening: a file swapped in between differs at the next check and is reopened
    failure = undefined;
  };

  check();
  if (handle === undefined) throw failure;
  return {
    current() {
      if (now() - checkedAt >= checkIntervalInMs) check();
      if (handle === undefined) throw failure;
      return handle;
    },
    close: drop,
  };
}

/** `dev:ino` of the file at `path`, after checking this process may read it; throws a Node error otherwise. */
function readableIdentityOf(path: string): string {
  const stats = statSync(path);
  accessSync(path, constants.R_OK);
  if ((stats.mode & 0o444) === 0) {
    throw Object.assign(new Error(`${path} has no read permission for anyone`), { code: 'EACCES' });
  }
  return `${stats.dev}:${stats.ino}`;
}

function problemOf(error: unknown): FileProblem {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable';
}
