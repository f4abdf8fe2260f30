import { createInterface } from 'node:readline';
import { EntraMigrateError } from '../../common/errors.js';
import { createPasswordVerifier, DEFAULT_FORMATS, type PasswordVerifier, type StoredHash } from '../../legacy/hashes/index.js';
import { ExitCode } from '../exit-codes.js';

/** Longest input line read, in characters: a hash, a password and params fit in far less. */
const MAX_LINE_LENGTH = 64 * 1024;
/** Lines verified at once; answers are still written in input order. */
const IN_FLIGHT = 32;

/**
 * The schemes a legacy store must name (a `scheme` column or LEGACY_HASH_SCHEME): their strings have no shape of
 * their own, so `hash identify` can never name them and lists them instead. Every other format is recognised by
 * shape; test/legacy/hashes/hash-cli.test.ts checks the two sets cover the catalogue.
 * TODO: a `selfDescribing` field on HashFormat would make this list data of the formats themselves (owned by
 * legacy/hashes); it costs one field per format module and removes this list.
 */
export const NAMED_ONLY_SCHEMES: readonly string[] = [
  'digest', 'hmac', 'keycloak', 'werkzeug-legacy', 'aspnet-membership', 'pbkdf2', 'scrypt-raw', 'firebase-scrypt', 'symfony-digest', 'mysql323', 'keycloak-argon2', 'des-crypt',
  'nthash', 'hex-md4', 'msdcc', 'msdcc2', 'lmhash', 'oracle10', 'cisco-pix', 'cisco-asa', 'cisco-type7', 'plaintext', 'bigcrypt', 'crypt16',
  'htdigest',
];

/**
 * The `hash verify` pipeline: reads lines, verifies up to IN_FLIGHT at once, writes answers in input order (a
 * queue of at most IN_FLIGHT answers, so memory stays flat whatever the input's length).
 * Resolves with the exit code once standard input ends and every answer is written.
 */
export async function verifyLines(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<number> {
  const verifier = createPasswordVerifier();
  const queue: Array<Promise<string>> = [];
  const writeNext = async () => {
    if (!output.write(`${await queue.shift()!}\n`)) await new Promise((resolve) => output.once('drain', resolve));
  };
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      queue.push(answer(verifier, line));
      if (queue.length >= IN_FLIGHT) await writeNext();
    }
    while (queue.length > 0) await writeNext();
  } finally {
    await verifier.close();
  }
  return ExitCode.OK;
}

async function answer(verifier: PasswordVerifier, line: string): Promise<string> {
  const error = (why: string) => JSON.stringify({ error: why });
  if (line.length > MAX_LINE_LENGTH) return error(`the line is longer than ${MAX_LINE_LENGTH} characters`);
  let input: unknown;
  try {
    input = JSON.parse(line);
  } catch {
    return error('the line is not JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return error('the line is not a JSON object');
  const { hash, password, scheme, params } = input as Record<string, unknown>;
  if (typeof hash !== 'string' || hash === '') return error('"hash" must be a non-empty string');
  if (typeof password !== 'string') return error('"password" must be a string');
  if (scheme !== undefined && typeof scheme !== 'string') return error('"scheme" must be a string');
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) return error('"params" must be an object');
  const stored: StoredHash = { hash, ...(scheme !== undefined && { scheme }), ...(params !== undefined && { params: params as Record<string, unknown> }) };
  try {
    return JSON.stringify({ match: await verifier.verify(password, stored) });
  } catch (failure) {
    return error(failure instanceof EntraMigrateError ? failure.publicMessage : 'the hash could not be verified');
  }
}

/** `hash identify`: names the format of one stored hash. */
export function identify(stored: string, json: boolean): number {
  const verifier = createPasswordVerifier();
  try {
    const identity = verifier.identify(stored);
    if (identity === null) {
      process.stderr.write(
        `entra-migrate hash identify: not a self-describing format entra-migrate recognises. If it is a configured scheme (${NAMED_ONLY_SCHEMES.join(', ')}), name it with its params; see \`entra-migrate hash verify --help\`.\n`,
      );
      return ExitCode.FAILURE;
    }
    process.stdout.write(json ? `${JSON.stringify(identity)}\n` : `${identity.format}${Object.entries(identity.params).map(([key, value]) => `  ${key}=${String(value)}`).join('')}\n`);
    return ExitCode.OK;
  } catch (error) {
    process.stderr.write(`entra-migrate hash identify: ${error instanceof EntraMigrateError ? error.publicMessage : String(error)}\n`);
    return ExitCode.FAILURE;
  } finally {
    void verifier.close();
  }
}
