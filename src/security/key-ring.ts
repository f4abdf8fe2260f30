import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SecurityError, SecurityErrorCode } from './errors.js';
import { x5tOf } from './thumbprint.js';

/** One private key that can decrypt password contexts. */
export interface DecryptionKey {
  /** The `x5t` when a certificate came with the key, else `key-<n>` by position. For logs and `doctor`. */
  readonly id: string;
  /** base64url SHA-1 of the certificate: what Entra puts in the JWE header to say which key it used. */
  readonly x5t: string | undefined;
  /** The private key in this process; undefined for a key that never leaves Key Vault (see `unwrapper`). */
  readonly privateKey: KeyObject | undefined;
  /** Unwraps the JWE content key remotely (Key Vault `unwrapKey`); set instead of `privateKey`. */
  readonly unwrapper?: KeyUnwrapper;
  readonly certificatePem: string | undefined;
  readonly notAfter: Date | undefined;
  /** Where the key came from (a file path, or the setting's name): never the key itself. */
  readonly source: string;
}

/**
 * The part of Key Vault's `CryptographyClient` (@azure/keyvault-keys) the server uses: RSA-OAEP unwrapping of the
 * JWE content key, inside the vault. Tests pass an in-process implementation of the same shape.
 */
export interface KeyUnwrapper {
  unwrapKey(algorithm: 'RSA-OAEP' | 'RSA-OAEP-256', encryptedKey: Uint8Array, options?: { abortSignal?: AbortSignal }): Promise<{ result: Uint8Array }>;
}

/** The keys the server holds; more than one during a rotation. */
export interface KeyRing {
  /** The keys held now: a ring that reloads (see {@link replaceableKeyRing}) answers with its current set. */
  readonly keys: readonly DecryptionKey[];
  /** The keys to try for a JWE: the one whose `x5t` matches first, then (unknown or no `x5t`) all of them. */
  candidatesFor(x5t: string | undefined): readonly DecryptionKey[];
}

/** A key ring whose keys can be swapped while serving (a key file replaced during a rotation). */
export interface ReplaceableKeyRing extends KeyRing {
  /** Makes `keys` the ring's set; a decryption already under way keeps the candidates it was given. */
  replace(keys: readonly DecryptionKey[]): void;
}

export interface ReplaceableKeyRingOptions {
  /**
   * Called, synchronously, when a JWE names an `x5t` the ring does not hold, before its candidates are chosen: it
   * may `replace` the keys (a key file replaced a moment ago), and the new set is the one searched. It must be cheap
   * and must not throw; the caller rate-limits it.
   */
  onUnknownX5t?: (x5t: string) => void;
}

/** Shortest RSA modulus accepted, in bits (NIST SP 800-131A: 2048 is the floor for RSA key transport). */
export const MIN_RSA_MODULUS_BITS = 2048;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;

/**
 * Loads the decryption keys from PEM texts. Each text holds one RSA private key (PKCS#8 `PRIVATE KEY` or PKCS#1
 * `RSA PRIVATE KEY`) and optionally its certificate, which gives the key its `x5t`. A certificate that does not
 * belong to the key, a non-RSA or short key, or an encrypted key is `KEY_INVALID`, naming the source only.
 *
 * @example
 *   const ring = loadKeyRing([{ pem: await readFile('key.pem', 'utf8'), source: 'key.pem' }]);
 *   ring.candidatesFor(header.x5t);
 */
export function loadKeyRing(sources: ReadonlyArray<{ pem: string; source: string }>, remoteKeys: readonly DecryptionKey[] = []): KeyRing {
  return keyRingOf([...sources.map(({ pem, source }, index) => loadDecryptionKey(pem, source, index + 1)), ...remoteKeys]);
}

/**
 * A fixed ring over keys already loaded.
 *
 * @example
 *   const ring = keyRingOf([loadDecryptionKey(pem, 'key.pem', 1)]);
 */
export function keyRingOf(keys: readonly DecryptionKey[]): KeyRing {
  const byX5t = new Map(keys.flatMap((key) => (key.x5t ? [[key.x5t, key] as const] : [])));
  return {
    keys,
    candidatesFor(x5t) {
      const named = x5t === undefined ? undefined : byX5t.get(x5t);
      return named ? [named, ...keys.filter((key) => key !== named)] : keys;
    },
  };
}

/**
 * A ring whose set can be replaced while serving: `keys` and `candidatesFor` always read the current set. Pure: what
 * to reload and when (watching key files) is the caller's (app/key-files-watch.ts).
 *
 * @example
 *   const ring = replaceableKeyRing(loadKeyRing(sources).keys, { onUnknownX5t: () => recheckFiles() });
 *   ring.replace(reloadedKeys);
 */
export function replaceableKeyRing(initial: readonly DecryptionKey[], options: ReplaceableKeyRingOptions = {}): ReplaceableKeyRing {
  let current = keyRingOf(initial);
  const holds = (x5t: string) => current.keys.some((key) => key.x5t === x5t);
  return {
    get keys() {
      return current.keys;
    },
    candidatesFor(x5t) {
      // Entra names the key it encrypted to; one we do not hold may be the new file of a rotation, not yet polled.
      if (x5t !== undefined && options.onUnknownX5t && !holds(x5t)) options.onUnknownX5t(x5t);
      return current.candidatesFor(x5t);
    },
    replace(keys) {
      current = keyRingOf(keys);
    },
  };
}

/**
 * Loads one decryption key from a PEM text (see {@link loadKeyRing}); `position` names a key without a certificate
 * (`key-<position>`). Throws `KEY_INVALID` naming `source`, never quoting the text.
 *
 * @example
 *   const key = loadDecryptionKey(await readFile('key.pem', 'utf8'), 'key.pem', 1);
 */
export function loadDecryptionKey(pem: string, source: string, position: number): DecryptionKey {
  const invalid = (problem: string) =>
    new SecurityError(SecurityErrorCode.KEY_INVALID, `The decryption key from ${source} ${problem}.`);
  const blocks = [...pem.matchAll(PEM_BLOCK)].map((match) => ({ label: match[1]!, text: match[0] }));
  if (blocks.some((block) => block.label === 'ENCRYPTED PRIVATE KEY')) {
    throw invalid('is encrypted; store it unencrypted with file permissions 0600, or use Key Vault');
  }
  const keyBlocks = blocks.filter((block) => block.label === 'PRIVATE KEY' || block.label === 'RSA PRIVATE KEY');
  if (keyBlocks.length !== 1) {
    throw invalid(`must hold exactly one PEM private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY); found ${keyBlocks.length}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: keyBlocks[0]!.text, format: 'pem' });
  } catch {
    throw invalid('cannot be parsed as a PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw invalid(`is a ${privateKey.asymmetricKeyType ?? 'non-RSA'} key; Entra encrypts with RSA-OAEP, so it must be RSA`);
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_MODULUS_BITS) throw invalid(`is RSA ${bits}; at least ${MIN_RSA_MODULUS_BITS} bits are required`);

  const certificates = blocks.filter((block) => block.label === 'CERTIFICATE');
  if (certificates.length === 0) {
    return { id: `key-${position}`, x5t: undefined, privateKey, certificatePem: undefined, notAfter: undefined, source };
  }
  const publicDer = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  for (const block of certificates) {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block.text);
    } catch {
      throw invalid('holds a certificate that cannot be parsed');
    }
    if (!certificate.publicKey.export({ type: 'spki', format: 'der' }).equals(publicDer)) continue;
    const x5t = x5tOf(certificate.raw);
    return { id: x5t, x5t, privateKey, certificatePem: block.text + '\n', notAfter: new Date(certificate.validTo), source };
  }
  throw invalid("holds a certificate that is not the private key's own");
}

/**
 * A decryption key held in Key Vault: the content key is unwrapped there and the private key never leaves it.
 * With the certificate (the one on the app registration) it gets its `x5t`, so rotation works as for files.
 *
 * @example
 *   const key = remoteDecryptionKey({ keyId, unwrapper: new CryptographyClient(keyId, credential), certificatePem });
 */
export function remoteDecryptionKey(options: { keyId: string; unwrapper: KeyUnwrapper; certificatePem?: string }): DecryptionKey {
  let certificate: X509Certificate | undefined;
  if (options.certificatePem !== undefined) {
    try {
      certificate = new X509Certificate(options.certificatePem);
    } catch {
      throw new SecurityError(SecurityErrorCode.KEY_INVALID, `The certificate given for the Key Vault key ${options.keyId} cannot be parsed.`);
    }
  }
  const x5t = certificate ? x5tOf(certificate.raw) : undefined;
  return {
    id: x5t ?? options.keyId,
    x5t,
    privateKey: undefined,
    unwrapper: options.unwrapper,
    certificatePem: certificate?.toString(),
    notAfter: certificate ? new Date(certificate.validTo) : undefined,
    source: options.keyId,
  };
}
