import { decodeBase64 } from '../hashes/encodings.js';

type Json = Record<string, unknown>;

const PBKDF2_PREFIXES: Readonly<Record<string, string>> = { pbkdf2: '$pbkdf2$', 'pbkdf2-sha256': '$pbkdf2-sha256$', 'pbkdf2-sha512': '$pbkdf2-sha512$' };
const ARGON2_TYPES: Readonly<Record<string, string>> = { id: 'argon2id', i: 'argon2i', d: 'argon2d' };
const ARGON2_VERSIONS: Readonly<Record<string, number>> = { '1.3': 19, '1.0': 16 };

/**
 * Keycloak's argon2 defaults (Argon2PasswordHashProviderFactory, Keycloak 24): what a credential that does not name
 * a parameter was hashed with.
 */
const ARGON2_DEFAULTS = { type: 'id', version: '1.3', memory: 7168, parallelism: 1, iterations: 5 };

/**
 * A Keycloak password credential as a self-describing hash the verifier reads: `serve` hands a row only its hash,
 * scheme and salt, and Keycloak's iterations, algorithm and argon2 costs vary from credential to credential (a realm
 * upgraded to Keycloak 24 holds pbkdf2-sha256 at 27,500 and pbkdf2-sha512 at 210,000 side by side). So PBKDF2
 * becomes passlib's `$pbkdf2-sha256$<iterations>$<salt>$<key>` (adapted base64; the key keeps its length, 64 bytes
 * from older Keycloak, 32 from newer), and argon2 the PHC string `$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`: the same
 * bytes, the same check. Reads `secretData` {value, salt} and `credentialData` {hashIterations, algorithm,
 * additionalParameters} (JSON text, Keycloak 11+), and the flat `hashedSaltedValue`, `salt`, `hashIterations`,
 * `algorithm` of older exports. Returns the hash, or why it cannot be used (never a value of the credential).
 *
 * @example
 *   keycloakCredentialHash({ type: 'password', secretData: '{"value":"KqAB…","salt":"EPgs…"}', credentialData: '{"hashIterations":27500,"algorithm":"pbkdf2-sha256"}' })
 *   // { hash: '$pbkdf2-sha256$27500$EPgscX9CQz7UnuZDNZxtMw$KqABIiReBuRWbP4pBct3W067pNvYzeN7ILBV.8vT8nuF5cgYs2fdl2QikJT/7bGTW/PBXg6CYLwJQFYrBK9MWg' }
 */
export function keycloakCredentialHash(credential: Json): { hash: string } | { problem: string } {
  const secret = 'secretData' in credential ? jsonText(credential.secretData) : { value: credential.hashedSaltedValue, salt: credential.salt };
  const data = 'credentialData' in credential ? jsonText(credential.credentialData) : { hashIterations: credential.hashIterations, algorithm: credential.algorithm };
  if (secret === null || data === null) return { problem: 'password credential: secretData or credentialData is not JSON' };
  const value = typeof secret.value === 'string' ? decodeBase64(secret.value) : null;
  const salt = typeof secret.salt === 'string' ? decodeBase64(secret.salt) : null;
  if (!value || value.length < 16) return { problem: 'password credential: the value is not base64 of at least 16 bytes' };
  if (!salt) return { problem: 'password credential: the salt is not base64' };
  const { algorithm, hashIterations } = data;
  const iterations = typeof hashIterations === 'number' && Number.isSafeInteger(hashIterations) && hashIterations > 0 ? hashIterations : null;
  const pbkdf2 = typeof algorithm === 'string' ? PBKDF2_PREFIXES[algorithm] : undefined;
  if (pbkdf2 !== undefined) {
    if (iterations === null) return { problem: 'password credential: hashIterations is not a positive whole number' };
    return { hash: `${pbkdf2}${iterations}$${ab64(salt)}$${ab64(value)}` };
  }
  if (algorithm === 'argon2') return argon2Hash(value, salt, iterations, data.additionalParameters);
  return { problem: 'password credential algorithm not one of pbkdf2, pbkdf2-sha256, pbkdf2-sha512, argon2' };
}

/** Keycloak keeps each argon2 parameter as a list of strings: `{"memory": ["7168"], "type": ["id"], …}`. */
function argon2Hash(value: Buffer, salt: Buffer, iterations: number | null, parameters: unknown): { hash: string } | { problem: string } {
  const list = typeof parameters === 'object' && parameters !== null ? (parameters as Json) : {};
  const first = (name: string) => (Array.isArray(list[name]) ? (list[name] as unknown[])[0] : list[name]);
  const type = ARGON2_TYPES[String(first('type') ?? ARGON2_DEFAULTS.type)];
  const version = ARGON2_VERSIONS[String(first('version') ?? ARGON2_DEFAULTS.version)];
  const memory = Number(first('memory') ?? ARGON2_DEFAULTS.memory);
  const parallelism = Number(first('parallelism') ?? ARGON2_DEFAULTS.parallelism);
  const passes = iterations ?? ARGON2_DEFAULTS.iterations;
  if (type === undefined || version === undefined) return { problem: 'argon2 credential: type or version unknown' };
  if (!Number.isSafeInteger(memory) || memory < 1 || !Number.isSafeInteger(parallelism) || parallelism < 1) return { problem: 'argon2 credential: memory or parallelism is not a positive whole number' };
  if (salt.length === 0) return { problem: 'password credential: the salt is not base64' };
  return { hash: `$${type}$v=${version}$m=${memory},t=${passes},p=${parallelism}$${unpadded(salt)}$${unpadded(value)}` };
}

function jsonText(text: unknown): Json | null {
  if (typeof text !== 'string') return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
  } catch {
    return null;
  }
}

function unpadded(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}

/** passlib's adapted base64: `.` for `+`, no padding. */
function ab64(bytes: Buffer): string {
  return unpadded(bytes).replace(/\+/g, '.');
}
