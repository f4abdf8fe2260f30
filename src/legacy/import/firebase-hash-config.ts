import { readFile } from 'node:fs/promises';
import { fileProblem } from '../../common/file-problem.js';
import type { HashDefaults } from '../hash-store-authority.js';
import { decodeBase64 } from '../hashes/encodings.js';
import { DEFAULT_HASH_LIMITS } from '../hashes/limits.js';
import { LegacyImportError, LegacyImportErrorCode } from './errors.js';

/** A hash configuration is a few hundred bytes; anything much larger is not one. */
const MAX_CONFIG_BYTES = 64 * 1024;

/** The project's password hash parameters, as the firebase-scrypt scheme takes them (LEGACY_HASH_PARAMS). */
export interface FirebaseHashParams extends Record<string, unknown> {
  signerKey: string;
  saltSeparator: string;
  rounds: number;
  memCost: number;
}

/**
 * Reads `--hash-config`: the block the Firebase console shows (Authentication → Users → ⋮ → Password hash
 * parameters), pasted as is —
 *
 *     hash_config {
 *       algorithm: SCRYPT,
 *       base64_signer_key: jxspr8Ki0RYycVU8…==,
 *       base64_salt_separator: Bw==,
 *       rounds: 8,
 *       mem_cost: 14,
 *     }
 *
 * — or JSON with the same keys. Every problem is `LEGACY_IMPORT_HASH_CONFIG_INVALID` naming the key, never its value
 * (the signer key is a secret). Only SCRYPT: `firebase auth:export` writes a password hash only for accounts hashed
 * with the project's own scrypt and drops every other one (firebase-tools src/accountExporter.ts; "Accounts
 * downloaded … will only ever contain a password hash if one for this version of scrypt is available",
 * github.com/firebase/scrypt).
 *
 * @example
 *   (await readFirebaseHashConfig('./hash-config.txt')).params // { signerKey: 'jxspr8…', saltSeparator: 'Bw==', rounds: 8, memCost: 14 }
 */
export async function readFirebaseHashConfig(path: string): Promise<HashDefaults & { params: FirebaseHashParams }> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_CONFIG_BYTES) throw invalid(path, `is larger than ${MAX_CONFIG_BYTES / 1024} KiB: not a hash configuration`);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof LegacyImportError) throw error;
    throw invalid(path, fileProblem(error));
  }
  const fields = /^[{[]/.test(text.trim()) ? jsonFields(path, text) : consoleFields(path, text);
  return { scheme: 'firebase-scrypt', params: paramsOf(path, fields) };
}

/** `name: value` lines of the console's block; the `hash_config {` … `}` around them and trailing commas are optional. */
function consoleFields(path: string, text: string): Record<string, unknown> {
  const body = text.trim().replace(/^hash_config\s*\{/, '').replace(/\}\s*$/, '');
  const fields: Record<string, unknown> = {};
  for (const [index, raw] of body.split(/\r?\n/).entries()) {
    const line = raw.trim().replace(/,$/, '');
    if (line === '') continue;
    const match = /^([a-z0-9_]+)\s*:\s*(\S+)$/.exec(line);
    if (!match) throw invalid(path, `line ${index + 1} is not "name: value" as in the Firebase console's hash_config block`);
    const value = match[2]!.replace(/^"(.*)"$/, '$1');
    fields[match[1]!] = /^\d+$/.test(value) ? Number(value) : value;
  }
  return fields;
}

function jsonFields(path: string, text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw invalid(path, 'is not a JSON object (expected {"base64_signer_key", "base64_salt_separator", "rounds", "mem_cost"})');
}

function paramsOf(path: string, fields: Record<string, unknown>): FirebaseHashParams {
  const algorithm = fields.algorithm ?? 'SCRYPT';
  if (algorithm !== 'SCRYPT') {
    throw invalid(path, 'names an algorithm other than SCRYPT; firebase auth:export writes only the hashes of the project\'s own scrypt (the console\'s hash_config), so copy that block');
  }
  const signerKey = fields.base64_signer_key;
  const saltSeparator = fields.base64_salt_separator ?? '';
  if (typeof signerKey !== 'string' || !decodeBase64(signerKey)?.length) throw invalid(path, 'base64_signer_key is missing or not base64');
  if (typeof saltSeparator !== 'string' || decodeBase64(saltSeparator) === null) throw invalid(path, 'base64_salt_separator is not base64');
  const { rounds, mem_cost: memCost } = fields;
  if (!Number.isInteger(rounds) || (rounds as number) < 1 || (rounds as number) > DEFAULT_HASH_LIMITS.scryptR) throw invalid(path, `rounds must be a whole number from 1 to ${DEFAULT_HASH_LIMITS.scryptR}`);
  if (!Number.isInteger(memCost) || (memCost as number) < 1 || 2 ** (memCost as number) > DEFAULT_HASH_LIMITS.scryptN) throw invalid(path, `mem_cost must be a whole number from 1 to ${Math.log2(DEFAULT_HASH_LIMITS.scryptN)}`);
  return { signerKey, saltSeparator, rounds: rounds as number, memCost: memCost as number };
}

function invalid(path: string, problem: string): LegacyImportError {
  return new LegacyImportError(LegacyImportErrorCode.HASH_CONFIG_INVALID, `--hash-config ${path}: ${problem}.`);
}
