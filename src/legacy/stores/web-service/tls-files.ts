import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import {
  VERIFY_CA_FILE,
  VERIFY_CLIENT_CERT_FILE,
  VERIFY_CLIENT_KEY_FILE,
  type WebServiceSettings,
} from '../../../config/legacy-web-service-settings.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';

/** The PEM material handed to every TLS connection to the service (undici's `connect` options). */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * Reads LEGACY_VERIFY_CA_FILE, LEGACY_VERIFY_CLIENT_CERT_FILE and LEGACY_VERIFY_CLIENT_KEY_FILE and checks that they
 * hold what they should (a certificate, a certificate, its unencrypted private key), so a wrong file stops start-up
 * instead of failing the first sign-in. Rejects with `LEGACY_STORE_OPTIONS_INVALID` naming the setting; a key's
 * content never appears in the error.
 *
 * @example
 *   const agent = new Agent({ connect: { ...(await readTlsMaterial(settings)) } });
 */
export async function readTlsMaterial(settings: WebServiceSettings): Promise<TlsMaterial> {
  const material: TlsMaterial = {};
  if (settings.caFile !== undefined) {
    material.ca = await readPem(VERIFY_CA_FILE, settings.caFile);
    check(VERIFY_CA_FILE, 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)', () => new X509Certificate(material.ca!));
  }
  if (settings.clientCertificate !== null) {
    const cert = await readPem(VERIFY_CLIENT_CERT_FILE, settings.clientCertificate.certFile);
    const key = await readPem(VERIFY_CLIENT_KEY_FILE, settings.clientCertificate.keyFile);
    check(VERIFY_CLIENT_CERT_FILE, 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)', () => new X509Certificate(cert));
    check(VERIFY_CLIENT_KEY_FILE, 'holds no unencrypted PEM private key (an encrypted key is not supported)', () => createPrivateKey(key));
    check(VERIFY_CLIENT_KEY_FILE, `is not the private key of the certificate in ${VERIFY_CLIENT_CERT_FILE}`, () => createSecureContext({ cert, key }));
    Object.assign(material, { cert, key });
  }
  return material;
}

async function readPem(setting: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'an error';
    throw new LegacyStoreError(LegacyStoreErrorCode.OPTIONS_INVALID, `${setting} names a file that cannot be read (${code}).`, { cause: error });
  }
}

function check(setting: string, problem: string, parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    // OpenSSL's own message ("no start line", "key values mismatch") is kept as detail; it never quotes the PEM.
    const reason = error instanceof Error ? error.message : String(error);
    throw new LegacyStoreError(LegacyStoreErrorCode.OPTIONS_INVALID, `${setting} ${problem}.`, { detail: `${setting} ${problem}: ${reason}` });
  }
}
