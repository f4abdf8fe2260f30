import { randomBytes } from 'node:crypto';
import { open, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * `writeFileAtomically` (src/cli/write-file-atomically.ts) for text that arrives in pieces: the lines are written
 * to a temporary file in the same directory as they come (never all in memory), flushed, renamed over `path`, and
 * the directory flushed; a reader or a crash sees the old file or the whole new one. Created with `mode` (default
 * 0600: an export of accounts holds e-mail addresses). A failure removes the temporary file and leaves `path` as it was.
 *
 * @example
 *   await writeLinesAtomically('./stragglers.csv', stragglerCsvLines(ledger, count));
 */
export async function writeLinesAtomically(path: string, lines: AsyncIterable<string>, mode = 0o600): Promise<void> {
  const target = await realpath(path).catch(() => path);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const file = await open(temporary, 'wx', mode);
  try {
    try {
      let buffered: string[] = [];
      let length = 0;
      for await (const line of lines) {
        buffered.push(line);
        length += line.length;
        // Written in blocks of about 64 KiB: one write per line would be a system call per account.
        if (length >= 65_536) {
          await file.write(buffered.join(''), null, 'utf8');
          buffered = [];
          length = 0;
        }
      }
      if (buffered.length > 0) await file.write(buffered.join(''), null, 'utf8');
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
  const directory = await open(dirname(target), 'r').catch(() => undefined);
  try {
    await directory?.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is then as durable as they make it.
  } finally {
    await directory?.close();
  }
}
