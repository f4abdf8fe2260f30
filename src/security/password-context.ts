import { constants, privateDecrypt, type KeyObject } from 'node:crypto';
import { audienceOf } from './audience.js';
import { SecurityError, SecurityErrorCode } from './errors.js';
import { decryptJweContent, jweParts, type JweParts } from './jwe-content.js';
import type { DecryptionKey, KeyRing, KeyUnwrapper } from './key-ring.js';
import { claimsOfUnsignedJwt } from './unsigned-jwt.js';

/** What the user typed, as Entra hands it over. Holds a password: never log it, store it or put it in an error. */
export interface PasswordContext {
  password: string;
  /** The sign-in name the user typed. */
  username: string;
  /** Echoed in our answer; Entra refuses an answer without it. */
  nonce: string;
  audience: string | string[] | undefined;
  issuer: string | undefined;
  /** `exp`, in seconds since the epoch. */
  expiresAt: number;
}

export interface DecryptPasswordContextOptions {
  keyRing: KeyRing;
  /** The extension's app id: the inner JWT's `aud`, when present, must be it or the extension's identifier URI. */
  expectedAudience: string;
  /** The extension's identifier URI `api://{host}/{appId}` (ENTRA_EXTENSION_RESOURCE_ID); see security/audience.ts. */
  extensionResourceId?: string | undefined;
  /** The request's `Host` header: without `extensionResourceId`, an `api://` `aud` must name this host. */
  requestHost?: string | undefined;
  /** Longest nonce accepted, in characters. Default 256, the most our answer may echo (events' response schema). */
  maxNonceLength?: number;
  /** Now, in ms since the epoch. */
  now: number;
  /** Tolerance for `exp` and `nbf`, in seconds. Default 300, as for tokens. */
  clockSkewInSeconds?: number;
  /** Longest compact JWE accepted, in characters. Default 16 KiB: Entra's are about 1 KiB. */
  maxCompactLength?: number;
  /** Largest plaintext after `zip: DEF` inflation, in bytes. Default 16 KiB. */
  maxInflatedBytes?: number;
  /** How long a Key Vault unwrap may take. Default 1000 ms: inside Entra's budget with room for the legacy check. */
  remoteTimeoutInMs?: number;
}

/** Key management Entra uses (RSA-OAEP) and its SHA-256 variant; RSA1_5 (padding oracles), `dir` and AES-KW are refused. */
const KEY_MANAGEMENT_ALGORITHMS = ['RSA-OAEP', 'RSA-OAEP-256'] as const;
type KeyManagementAlgorithm = (typeof KEY_MANAGEMENT_ALGORITHMS)[number];
const CONTENT_ENCRYPTION_ALGORITHMS = ['A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512', 'A128GCM', 'A256GCM'];
const DEFAULT_MAX_COMPACT_LENGTH = 16 * 1024;
const DEFAULT_MAX_INFLATED_BYTES = 16 * 1024;
const DEFAULT_CLOCK_SKEW_IN_SECONDS = 300;
const DEFAULT_REMOTE_TIMEOUT_IN_MS = 1000;
const DEFAULT_MAX_NONCE_LENGTH = 256;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decrypts `encryptedPasswordContext` and checks the unsigned JWT inside (`exp` required, `nbf`, `aud` exact, a nonce
 * short enough to echo). The key is chosen
 * by the JWE's `x5t` among the ring's keys; without a match each key is tried. Every failure is a
 * {@link SecurityError} whose public message says only that the context could not be used.
 *
 * @example
 *   const context = await decryptPasswordContext(body.data.encryptedPasswordContext, { keyRing, expectedAudience: appId, now: Date.now() });
 */
export async function decryptPasswordContext(jwe: string, options: DecryptPasswordContextOptions): Promise<PasswordContext> {
  const maxLength = options.maxCompactLength ?? DEFAULT_MAX_COMPACT_LENGTH;
  if (jwe.length > maxLength) throw tooLarge(`The JWE is ${jwe.length} characters; at most ${maxLength} are accepted.`);
  if (jwe.split('.').length !== 5) throw malformed('The password context is not a compact JWE (five dot-separated parts).');
  const parts = jweParts(jwe);
  if (!parts) throw malformed('The JWE protected header cannot be decoded.');
  const alg = acceptedHeader(parts.header);
  const x5t = parts.header.x5t;
  const candidates = options.keyRing.candidatesFor(typeof x5t === 'string' ? x5t : undefined);
  const plaintext = await decryptWithAny(parts, alg, candidates, options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES, options.remoteTimeoutInMs ?? DEFAULT_REMOTE_TIMEOUT_IN_MS);

  let text: string;
  try {
    text = utf8.decode(plaintext);
  } catch {
    throw malformed('The decrypted password context is not UTF-8.');
  }
  return contextOf(claimsOfUnsignedJwt(text), options);
}

/**
 * The header checks RFC 7516 asks of a recipient, narrowed to what Entra sends: an accepted key management and
 * content encryption algorithm, no compression but DEFLATE, no critical parameter (we understand none). Returns `alg`.
 */
function acceptedHeader(header: Record<string, unknown>): KeyManagementAlgorithm {
  const { alg, enc, zip, crit } = header;
  if (typeof alg !== 'string' || !(KEY_MANAGEMENT_ALGORITHMS as readonly string[]).includes(alg)) {
    throw malformed(`The JWE key management algorithm ${String(alg)} is not accepted.`);
  }
  if (typeof enc !== 'string' || !CONTENT_ENCRYPTION_ALGORITHMS.includes(enc)) throw malformed(`The JWE content encryption ${String(enc)} is not accepted.`);
  if (zip !== undefined && zip !== 'DEF') throw malformed(`The JWE compression ${String(zip)} is not supported.`);
  if (crit !== undefined) throw malformed('The JWE names critical header parameters; none is supported.');
  return alg as KeyManagementAlgorithm;
}

/**
 * Unwraps the content key with each candidate in turn and decrypts the content with the first that works. Local keys
 * unwrap with OpenSSL's RSA-OAEP on this thread (about 0.3 ms for 2048 bits: cheaper than the hops to the thread pool
 * that WebCrypto takes, and never queued behind password hashes); Key Vault keys unwrap remotely. A wrong key and
 * tampered content fail alike, and after the last key the failure is reported vaguely: no oracle either way.
 */
async function decryptWithAny(parts: JweParts, alg: KeyManagementAlgorithm, keys: readonly DecryptionKey[], maxInflatedBytes: number, remoteTimeoutInMs: number): Promise<Uint8Array> {
  for (const key of keys) {
    const contentKey = key.unwrapper
      ? await unwrapRemotely(parts, alg, key.unwrapper, key.source, remoteTimeoutInMs)
      : unwrapLocally(parts, alg, key.privateKey);
    if (!contentKey) continue;
    try {
      return decryptJweContent(parts, contentKey, maxInflatedBytes);
    } catch (error) {
      if (error instanceof RangeError) throw tooLarge(`The password context inflates beyond ${maxInflatedBytes} bytes.`);
      // The content does not decrypt with this key's content key: try the next key.
    }
  }
  throw new SecurityError(SecurityErrorCode.CONTEXT_DECRYPT_FAILED, 'The password context could not be decrypted.', {
    detail: `None of the ${keys.length} configured decryption key(s) decrypts the password context.`,
  });
}

/** RSA-OAEP with SHA-1 (`RSA-OAEP`, what Entra uses) or SHA-256 (`RSA-OAEP-256`); null when this key is not the one. */
function unwrapLocally(parts: JweParts, alg: KeyManagementAlgorithm, privateKey: KeyObject | undefined): Buffer | null {
  if (!privateKey || parts.encryptedKey.length === 0) return null;
  try {
    return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: alg === 'RSA-OAEP-256' ? 'sha256' : 'sha1' }, parts.encryptedKey);
  } catch {
    return null;
  }
}

/**
 * Unwraps the content key in Key Vault. Resolves to null when this key is not the one (the next key is tried); a
 * vault that does not answer in time is `KEY_UNAVAILABLE`, which the handler answers 503 — without the nonce inside,
 * no answer Entra accepts is possible.
 */
async function unwrapRemotely(parts: JweParts, alg: KeyManagementAlgorithm, unwrapper: KeyUnwrapper, source: string, timeoutInMs: number): Promise<Uint8Array | null> {
  // The deadline holds even for a client that ignores its abort signal; the timer (unlike AbortSignal.timeout's) also
  // keeps the process alive while the vault is asked.
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = Object.assign(new Error(`no answer within ${timeoutInMs} ms`), { name: 'TimeoutError' });
      controller.abort(error);
      reject(error);
    }, timeoutInMs);
  });
  try {
    return (await Promise.race([unwrapper.unwrapKey(alg, parts.encryptedKey, { abortSignal: controller.signal }), timedOut])).result;
  } catch (error) {
    // Key Vault refuses a content key that is not its own with a 400: that key is just not the one.
    if ((error as { statusCode?: unknown }).statusCode === 400) return null;
    throw new SecurityError(SecurityErrorCode.KEY_UNAVAILABLE, 'The decryption key could not be used right now.', {
      detail: `Key Vault key ${source} did not unwrap the content key within ${timeoutInMs} ms: ${error instanceof Error ? error.name : 'error'}`,
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

function contextOf(claims: Record<string, unknown>, options: DecryptPasswordContextOptions): PasswordContext {
  const password = claims['user-password'];
  const { username, nonce, aud, iss, exp, nbf } = claims;
  for (const [name, value] of [['user-password', password], ['username', username], ['nonce', nonce]] as const) {
    if (typeof value !== 'string' || value === '') throw malformed(`The password context has no ${name} string.`);
  }
  // Our answer echoes the nonce, and an answer over the response schema's limit is one Entra refuses (1003003).
  const maxNonceLength = options.maxNonceLength ?? DEFAULT_MAX_NONCE_LENGTH;
  if ((nonce as string).length > maxNonceLength) throw malformed(`The password context nonce is longer than ${maxNonceLength} characters.`);
  const nowInSeconds = options.now / 1000;
  const skew = options.clockSkewInSeconds ?? DEFAULT_CLOCK_SKEW_IN_SECONDS;
  // Entra always sends exp (iat + 600 s); a context without one would never expire.
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw malformed('The password context has no numeric exp.');
  if (nowInSeconds > exp + skew) {
    throw new SecurityError(SecurityErrorCode.CONTEXT_EXPIRED, 'The password context has expired.', { detail: `exp ${exp}, now ${Math.floor(nowInSeconds)}` });
  }
  if (nbf !== undefined) {
    if (typeof nbf !== 'number' || !Number.isFinite(nbf)) throw malformed('The password context nbf is not a number.');
    if (nowInSeconds < nbf - skew) {
      throw new SecurityError(SecurityErrorCode.CONTEXT_NOT_YET_VALID, 'The password context is not valid yet.', { detail: `nbf ${nbf}, now ${Math.floor(nowInSeconds)}` });
    }
  }
  const expected = { appId: options.expectedAudience, resourceId: options.extensionResourceId, requestHost: options.requestHost };
  if (aud !== undefined && audienceOf(aud, expected) === undefined) {
    throw new SecurityError(SecurityErrorCode.CONTEXT_AUDIENCE_MISMATCH, 'The password context is meant for another application.', {
      detail: `aud is neither the extension app id ${options.expectedAudience} nor its identifier URI`,
    });
  }
  return {
    password: password as string,
    username: username as string,
    nonce: nonce as string,
    audience: typeof aud === 'string' || Array.isArray(aud) ? (aud as string | string[]) : undefined,
    issuer: typeof iss === 'string' ? iss : undefined,
    expiresAt: exp,
  };
}

function malformed(detail: string): SecurityError {
  return new SecurityError(SecurityErrorCode.CONTEXT_MALFORMED, 'The password context is malformed.', { detail });
}

function tooLarge(detail: string): SecurityError {
  return new SecurityError(SecurityErrorCode.CONTEXT_TOO_LARGE, 'The password context is too large.', { detail });
}
