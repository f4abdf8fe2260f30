import { readFileSync, statSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { systemClock, type Clock } from '../common/clock.js';
import { fileProblem } from '../common/file-problem.js';
import type { Logger } from '../common/logger.js';
import type { DecryptionKeySource } from '../config/index.js';
import { SecurityError } from '../security/errors.js';
import { loadDecryptionKey, loadKeyRing, replaceableKeyRing, type DecryptionKey, type KeyRing } from '../security/key-ring.js';
import { pemSizeProblem, readKeySources } from './read-key-sources.js';

/**
 * How often the key files are looked at, in ms. A `stat` of each file (mtime, size, inode), so cheap; not
 * `fs.watch`, which misses an atomic rename over the file and Kubernetes' swap of a secret volume's symlink.
 */
const DEFAULT_POLL_INTERVAL_IN_MS = 2000;
/**
 * Least time between two re-checks caused by a JWE naming a key we do not hold, in ms: made-up `x5t`s cost at
 * most one `stat` per file per second.
 */
const DEFAULT_RECHECK_INTERVAL_IN_MS = 1000;

/** The decryption keys `serve` holds, reloaded from their files while serving. */
export interface DecryptionKeys {
  /** Reads the current keys: a replaced key file shows here once it loads. */
  readonly keyRing: KeyRing;
  /** Stops watching the files (the keys stay as they are). */
  close(): Promise<void>;
}

export interface DecryptionKeysOptions {
  /** Told about each reload (info) and each file that does not load (error): file paths, ids and dates only. */
  logger: Logger;
  /** Default 2000 ms. */
  pollIntervalInMs?: number;
  /** Default 1000 ms. */
  recheckIntervalInMs?: number;
  now?: Clock;
}

/** One watched key file: what we last acted on and the key it last gave. */
interface KeyFile {
  readonly path: string;
  /** 1-based place in JIT_DECRYPTION_KEY_FILE: names a key without a certificate (`key-<n>`), as at start. */
  readonly position: number;
  /** The `stat` we last loaded or failed to load: a file is read again only when this changes. */
  seen: string;
  key: DecryptionKey;
  /** The last version did not load: the next one that does is reported, even with the key held before. */
  failing: boolean;
}

/** What reading a file gave: its text, or why there is none. */
type FileRead = { pem: string } | { problem: string };

/**
 * Loads the decryption keys as start-up always did (every problem stops it, naming the setting or file), then, for
 * JIT_DECRYPTION_KEY_FILE, keeps them current: each file is `stat`ed every `pollIntervalInMs`, and at once (at most
 * once per `recheckIntervalInMs`) when a JWE names an `x5t` none of our keys has — so the first callout encrypted to
 * a key just written is answered, not refused until the next poll. A changed file that loads replaces that file's
 * key; one that does not (half written, not RSA, a certificate of another key) keeps the key it held, with one error
 * line naming the file and the problem, and is tried again when it changes again. The inline key
 * (JIT_DECRYPTION_KEY) and a Key Vault key (`remoteKeys`) are never reloaded.
 *
 * @example
 *   const keys = await openDecryptionKeys(config.decryptionKeys, vaultKeys, { logger });
 *   buildServer({ passwordSubmit: { keyRing: keys.keyRing, ... } });
 *   await keys.close();
 */
export async function openDecryptionKeys(source: DecryptionKeySource, remoteKeys: readonly DecryptionKey[], options: DecryptionKeysOptions): Promise<DecryptionKeys> {
  if (source.kind === 'inline' || source.paths.length === 0) {
    return { keyRing: loadKeyRing(await readKeySources(source), remoteKeys), close: async () => undefined };
  }
  // Each file's stat is taken before it is read: a file replaced during the read is seen as changed at the next look.
  const seen = await Promise.all(source.paths.map(async (path) => signatureOf(await stat(path).catch(() => undefined))));
  const initial = loadKeyRing(await readKeySources(source));
  const files: KeyFile[] = source.paths.map((path, index) => ({ path, position: index + 1, seen: seen[index]!, key: initial.keys[index]!, failing: false }));
  return watchKeyFiles(files, remoteKeys, options);
}

function watchKeyFiles(files: KeyFile[], remoteKeys: readonly DecryptionKey[], options: DecryptionKeysOptions): DecryptionKeys {
  const now = options.now ?? systemClock;
  const recheckIntervalInMs = options.recheckIntervalInMs ?? DEFAULT_RECHECK_INTERVAL_IN_MS;
  const log = options.logger;
  let recheckedAt = Number.NEGATIVE_INFINITY;

  // Applies what was read of `file` at `signature`; true when its key changed, or it loads again after a version
  // that did not (worth the info line after the error). Synchronous, so the poll and the re-check never interleave
  // inside it.
  const apply = (file: KeyFile, signature: string, read: FileRead): boolean => {
    file.seen = signature;
    const loaded = 'pem' in read ? loadOrProblem(read.pem, file) : read;
    if ('problem' in loaded) {
      file.failing = true;
      log.error({ file: file.path, problem: loaded.problem }, `decryption key file not reloaded: ${loaded.problem} The key it held before is kept until the file changes again.`);
      return false;
    }
    const recovered = file.failing;
    file.failing = false;
    if (sameKey(loaded.key, file.key)) return recovered;
    file.key = loaded.key;
    return true;
  };

  const publish = (changed: readonly KeyFile[]) => {
    ring.replace([...files.map((file) => file.key), ...remoteKeys]);
    log.info(
      { files: changed.map((file) => file.path), keys: ring.keys.map(describeKey) },
      `decryption keys reloaded from ${changed.map((file) => file.path).join(', ')}`,
    );
  };

  // The JWE's x5t is not ours: perhaps a key file was replaced since the last poll. `candidatesFor` is synchronous,
  // so this is too: a stat per file (microseconds), and a read and parse only of a file that changed.
  const recheckNow = () => {
    if (now() - recheckedAt < recheckIntervalInMs) return;
    recheckedAt = now();
    const changed = files.filter((file) => {
      let stats: Stats | undefined;
      try {
        stats = statSync(file.path);
      } catch {
        stats = undefined;
      }
      const signature = signatureOf(stats);
      return signature !== file.seen && apply(file, signature, readSync(file.path, stats));
    });
    if (changed.length > 0) publish(changed);
  };

  const ring = replaceableKeyRing([...files.map((file) => file.key), ...remoteKeys], { onUnknownX5t: recheckNow });

  const poll = async () => {
    const looks = await Promise.all(
      files.map(async (file) => {
        const before = file.seen;
        const stats = await stat(file.path).catch(() => undefined);
        const signature = signatureOf(stats);
        if (signature === before) return undefined;
        return { file, before, signature, read: await readAsync(file.path, stats) };
      }),
    );
    // A re-check may have acted on a file while we read it: its newer look wins.
    const changed = looks.flatMap((look) => (look && look.file.seen === look.before && apply(look.file, look.signature, look.read) ? [look.file] : []));
    if (changed.length > 0) publish(changed);
  };

  let polling: Promise<void> | undefined;
  const timer = setInterval(() => {
    polling ??= poll()
      .catch((error: unknown) => log.error({ problem: error instanceof Error ? error.message : String(error) }, 'looking at the decryption key files failed'))
      .finally(() => {
        polling = undefined;
      });
  }, options.pollIntervalInMs ?? DEFAULT_POLL_INTERVAL_IN_MS);
  timer.unref();

  return {
    keyRing: ring,
    async close() {
      clearInterval(timer);
      await polling;
    },
  };
}

/** What identifies a version of a file: device and inode (a rename or a symlink swap), size and mtime (a rewrite). */
function signatureOf(stats: Stats | undefined): string {
  return stats ? `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}` : 'missing';
}

async function readAsync(path: string, stats: Stats | undefined): Promise<FileRead> {
  const tooLarge = stats && pemSizeProblem(path, stats.size);
  if (tooLarge) return { problem: `${tooLarge}.` };
  try {
    return sizedText(path, await readFile(path));
  } catch (error) {
    return { problem: `${path}: ${fileProblem(error)}.` };
  }
}

function readSync(path: string, stats: Stats | undefined): FileRead {
  const tooLarge = stats && pemSizeProblem(path, stats.size);
  if (tooLarge) return { problem: `${tooLarge}.` };
  try {
    return sizedText(path, readFileSync(path));
  } catch (error) {
    return { problem: `${path}: ${fileProblem(error)}.` };
  }
}

/** The file may have grown between its stat and its read. */
function sizedText(path: string, buffer: Buffer): FileRead {
  const tooLarge = pemSizeProblem(path, buffer.length);
  return tooLarge ? { problem: `${tooLarge}.` } : { pem: buffer.toString('utf8') };
}

function loadOrProblem(pem: string, file: KeyFile): { key: DecryptionKey } | { problem: string } {
  try {
    return { key: loadDecryptionKey(pem, file.path, file.position) };
  } catch (error) {
    // KEY_INVALID's message names the file and what is wrong with it, never the content.
    return { problem: error instanceof SecurityError ? error.publicMessage : `The decryption key from ${file.path} cannot be loaded.` };
  }
}

/** The same private key with the same certificate: a file rewritten (or a secret re-synced) with what it held. */
function sameKey(a: DecryptionKey, b: DecryptionKey): boolean {
  return a.certificatePem === b.certificatePem && a.privateKey !== undefined && b.privateKey !== undefined && a.privateKey.equals(b.privateKey);
}

function describeKey(key: DecryptionKey): { id: string; x5t: string | null; notAfter: string | null; source: string } {
  return { id: key.id, x5t: key.x5t ?? null, notAfter: key.notAfter?.toISOString() ?? null, source: key.source };
}
