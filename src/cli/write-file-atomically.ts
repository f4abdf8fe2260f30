import { randomBytes } from 'node:crypto';
import { open, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `text` so that a reader (or a crash) sees the old file or the new one, never half of each:
 * a temporary file in the same directory, created with `mode` (default 0600: settings files name keys), written
 * and flushed to disk, then renamed over `path`, and the directory flushed so the rename survives a power cut.
 * A symbolic link is followed: the file it points to is replaced, the link stays.
 *
 * @example
 *   await writeFileAtomically('./serve.env', text);
 */
export async function writeFileAtomically(path: string, text: string, mode = 0o600): Promise<void> {
  const target = await realpath(path).catch(() => path);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const file = await open(temporary, 'wx', mode);
  try {
    try {
      await file.writeFile(text, 'utf8');
      await file.chmod(mode); // the umask may have taken bits away; never added any
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const directory = await open(dirname(target), 'r').catch(() => undefined); // not every platform opens directories
  try {
    await directory?.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is then as durable as they make it.
  } finally {
    await directory?.close();
  }
}
