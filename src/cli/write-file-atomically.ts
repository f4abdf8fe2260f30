import { randomBytes } from 'node:crypto';
import { open, realpath, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Text written in blocks of about this many characters when it arrives in pieces: not a system call per line. */
const BLOCK_IN_CHARACTERS = 65_536;

/**
 * Replaces `path` with `text` so that a reader (or a crash) sees the old file or the new one, never half of each:
 * a temporary file in the same directory, created with `mode` (default 0600: settings files name keys, exports
 * hold e-mail addresses), written and flushed to disk, then renamed over `path`, and the directory flushed so the
 * rename survives a power cut. A symbolic link is followed: the file it points to is replaced, the link stays.
 * Text that arrives in pieces (an export of a million accounts) is written as it comes, never all in memory; a
 * failure while it comes removes the temporary file and leaves `path` as it was.
 *
 * @example
 *   await writeFileAtomically('./serve.env', text);
 *   await writeFileAtomically('./stragglers.csv', stragglerCsvLines(ledger, count));
 */
export async function writeFileAtomically(path: string, text: string | AsyncIterable<string>, mode = 0o600): Promise<void> {
  const target = await realpath(path).catch(() => path);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const file = await open(temporary, 'wx', mode);
  try {
    try {
      if (typeof text === 'string') await file.writeFile(text, 'utf8');
      else await writePieces(file, text);
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

async function writePieces(file: FileHandle, pieces: AsyncIterable<string>): Promise<void> {
  let buffered: string[] = [];
  let length = 0;
  for await (const piece of pieces) {
    buffered.push(piece);
    length += piece.length;
    if (length >= BLOCK_IN_CHARACTERS) {
      await file.write(buffered.join(''), null, 'utf8');
      buffered = [];
      length = 0;
    }
  }
  if (buffered.length > 0) await file.write(buffered.join(''), null, 'utf8');
}
