import { generateKeyPair, randomBytes, webcrypto } from 'node:crypto';
import { promisify } from 'node:util';
// @peculiar/x509 v2 resolves its services through tsyringe, which needs the Reflect metadata API installed first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { x5tOf } from './thumbprint.js';

export interface GenerateDecryptionKeyOptions {
  /** RSA modulus in bits. Default 2048: what Entra documents; 4096 costs about 7× more per decryption. */
  modulusLength?: 2048 | 3072 | 4096;
  /** Certificate subject, an X.500 name. Default `CN=entra-migrate password decryption`. */
  subject?: string;
  /** Certificate validity in days from `now`. Default 365. */
  validityInDays?: number;
  now?: Date;
}

export interface GeneratedDecryptionKey {
  /** PKCS#8 PEM. Write it with mode 0600; never log it. */
  privateKeyPem: string;
  certificatePem: string;
  /** The certificate in DER: the `.cer` file and, base64-encoded, `keyCredentials[].key` on the app registration. */
  certificateDer: Uint8Array;
  x5t: string;
  notBefore: Date;
  notAfter: Date;
}

const generateRsa = promisify(generateKeyPair);
const SIGNING = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const DAY_IN_MS = 86_400_000;

/**
 * A new RSA key pair and a self-signed certificate for it: the certificate goes on the extension's app
 * registration (`keyCredentials`, usage `Encrypt`), Entra encrypts password contexts to it, and the private key
 * decrypts them. Key generation runs off the event loop.
 *
 * @example
 *   const key = await generateDecryptionKey({ subject: 'CN=contoso migration' });
 *   await writeFile('key.pem', key.privateKeyPem + key.certificatePem, { mode: 0o600 });
 */
export async function generateDecryptionKey(options: GenerateDecryptionKeyOptions = {}): Promise<GeneratedDecryptionKey> {
  const modulusLength = options.modulusLength ?? 2048;
  const validityInDays = options.validityInDays ?? 365;
  if (!Number.isInteger(validityInDays) || validityInDays < 1 || validityInDays > 3650) {
    throw new RangeError(`Certificate validity must be 1–3650 days; got ${validityInDays}.`);
  }
  const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength, publicExponent: 0x10001 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keys = {
    privateKey: await webcrypto.subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), SIGNING, false, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), SIGNING, true, ['verify']),
  };

  const notBefore = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + validityInDays * DAY_IN_MS);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomBytes(16).toString('hex').replace(/^[89a-f]/, '1'), // positive, 128 bits
      name: options.subject ?? 'CN=entra-migrate password decryption',
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.dataEncipherment, true),
      ],
    },
    webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
  );
  const certificateDer = new Uint8Array(certificate.rawData);
  return { privateKeyPem, certificatePem: certificate.toString('pem') + '\n', certificateDer, x5t: x5tOf(certificateDer), notBefore, notAfter };
}
