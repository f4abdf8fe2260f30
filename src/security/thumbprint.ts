import { createHash } from 'node:crypto';

/** The JOSE `x5t`: base64url of the SHA-1 of a certificate's DER (RFC 7515 §4.1.7). */
export function x5tOf(certificateDer: Uint8Array): string {
  return createHash('sha1').update(certificateDer).digest('base64url');
}
