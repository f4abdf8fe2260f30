import { createHash, randomUUID, X509Certificate } from 'node:crypto';

/**
 * An entry of an application's `keyCredentials` (Graph `keyCredential`) for the password-encryption certificate:
 * what `PATCH /applications/{id}` takes, with `tokenEncryptionKeyId` set to its `keyId`.
 */
export interface EncryptionKeyCredential {
  type: 'AsymmetricX509Cert';
  usage: 'Encrypt';
  keyId: string;
  /** The certificate's DER, base64 (not base64url). */
  key: string;
  /** The certificate's SHA-1 thumbprint, base64: Graph's `customKeyIdentifier`. */
  customKeyIdentifier: string;
  displayName: string;
  /** The certificate's own validity, to the second: Graph refuses dates outside it. */
  startDateTime: string;
  endDateTime: string;
}

/**
 * The `keyCredentials` entry for a certificate. The dates come from the certificate itself — Microsoft's scripts
 * computed them from the local clock and Graph refused keys whose `endDateTime` passed the certificate's
 * `notAfter` — and the `keyId` is new unless given (keep it when re-uploading the same certificate).
 *
 * @example
 *   const credential = encryptionKeyCredential(await readFile('jit.cer'));
 *   // PATCH /applications/{id} { keyCredentials: [...existing, credential], tokenEncryptionKeyId: credential.keyId }
 */
export function encryptionKeyCredential(certificateDer: Uint8Array, keyId: string = randomUUID()): EncryptionKeyCredential {
  const certificate = new X509Certificate(certificateDer);
  const iso = (text: string) => new Date(text).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    type: 'AsymmetricX509Cert',
    usage: 'Encrypt',
    keyId,
    key: Buffer.from(certificateDer).toString('base64'),
    customKeyIdentifier: createHash('sha1').update(certificateDer).digest('base64'),
    displayName: certificate.subject.replace(/\n/g, ', '),
    startDateTime: iso(certificate.validFrom),
    endDateTime: iso(certificate.validTo),
  };
}
