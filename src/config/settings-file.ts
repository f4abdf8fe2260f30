import { closeSync, openSync, readSync } from 'node:fs';
import { ConfigError } from './errors.js';
import type { RawSettings } from './settings.js';
import { fileProblem } from '../common/file-problem.js';

/** Largest settings file read (--config, --env-file); a real one is a few hundred bytes, a PEM or two a few KiB. */
export const MAX_SETTINGS_FILE_BYTES = 64 * 1024;

/**
 * The text of a small settings file, or a {@link ConfigError} naming `option` and the file: unreadable, larger than
 * {@link MAX_SETTINGS_FILE_BYTES}, not UTF-8, or holding a NUL. Reads at most one byte past the limit, so a device
 * or a pipe (`--env-file <(vault …)`) is fine and `/dev/zero` is refused, not read forever.
 *
 * @example
 *   const text = readSettingsFile('./serve.env', '--env-file');
 */
export function readSettingsFile(path: string, option: string): string {
  const refuse = (problem: string): never => {
    throw new ConfigError([{ setting: option, problem }]);
  };
  const buffer = Buffer.alloc(MAX_SETTINGS_FILE_BYTES + 1);
  let length = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      let read: number;
      do {
        read = readSync(fd, buffer, length, buffer.length - length, null);
        length += read;
      } while (read > 0 && length < buffer.length);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    refuse(`${path}: ${fileProblem(error)}`);
  }
  if (length > MAX_SETTINGS_FILE_BYTES) refuse(`${path} is larger than ${MAX_SETTINGS_FILE_BYTES / 1024} KiB; is it the right file?`);
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length));
  } catch {
    refuse(`${path} is not UTF-8 text; is it the right file?`);
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) refuse(`${path} line ${text.slice(0, nul).split('\n').length} holds a NUL character: not a text file`);
  return text;
}

/**
 * `top` over `base`: a setting `top` sets (not blank) wins, so the environment wins over a file and one file can
 * serve several deployments. A null-prototype object: a key named `__proto__` in a file stays a plain key.
 *
 * @example
 *   overlaySettings({ PORT: '7071', HOST: '0.0.0.0' }, { PORT: '8080' }) // { PORT: '8080', HOST: '0.0.0.0' }
 */
export function overlaySettings(base: RawSettings, top: RawSettings): RawSettings {
  const merged: Record<string, string | undefined> = Object.create(null) as Record<string, string | undefined>;
  for (const [key, value] of Object.entries(base)) merged[key] = value;
  for (const [key, value] of Object.entries(top)) if (value !== undefined && value !== '') merged[key] = value;
  return merged;
}
