import { readFile } from 'node:fs/promises';
import { ConfigError, type DecryptionKeySource } from '../config/index.js';
import { fileProblem } from '../common/file-problem.js';

/** Largest PEM file we read: a 4096-bit key with a certificate chain is under 10 KiB. */
export const MAX_PEM_FILE_BYTES = 64 * 1024;

/**
 * Reads the configured PEM texts. File errors name the setting and the path (never the content), so the
 * start-up message says what to fix.
 */
export async function readKeySources(source: DecryptionKeySource): Promise<Array<{ pem: string; source: string }>> {
  if (source.kind === 'inline') return [{ pem: source.pem, source: 'JIT_DECRYPTION_KEY' }];
  const problems: Array<{ setting: string; problem: string }> = [];
  const texts: Array<{ pem: string; source: string }> = [];
  for (const path of source.paths) {
    try {
      const buffer = await readFile(path);
      const tooLarge = pemSizeProblem(path, buffer.length);
      if (tooLarge) problems.push({ setting: 'JIT_DECRYPTION_KEY_FILE', problem: tooLarge });
      else texts.push({ pem: buffer.toString('utf8'), source: path });
    } catch (error) {
      problems.push({ setting: 'JIT_DECRYPTION_KEY_FILE', problem: `${path}: ${fileProblem(error)}` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return texts;
}

/** Why a key file of `bytes` bytes is not read, as a sentence naming `path`; undefined when its size is fine. */
export function pemSizeProblem(path: string, bytes: number): string | undefined {
  return bytes > MAX_PEM_FILE_BYTES ? `${path} is larger than ${MAX_PEM_FILE_BYTES} bytes; expected a PEM key` : undefined;
}
