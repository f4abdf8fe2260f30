import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateDecryptionKey } from '../security/index.js';

/** The demo's key pair: where it lives and the certificate the emulator encrypts to. */
export interface DemoKey {
  /** A PEM file holding the private key and its certificate, as `JIT_DECRYPTION_KEY_FILE` accepts. */
  path: string;
  certificatePem: string;
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\s*/;

/**
 * Returns the demo's development key at `path`, generating it on first use (RSA 2048, self-signed, one year).
 * Kept across runs so a restarted demo keeps the same `x5t`; delete the file to get a new one. The file is written
 * with mode 0600: even a demo key is a private key.
 *
 * @example
 *   const key = await ensureDemoKey('./data/demo/extension-key.pem');
 */
export async function ensureDemoKey(path: string): Promise<DemoKey> {
  if (existsSync(path)) {
    const match = CERTIFICATE.exec(await readFile(path, 'utf8'));
    if (match) return { path, certificatePem: match[0].trim() + '\n' };
  }
  const generated = await generateDecryptionKey({ subject: 'CN=entra-migrate demo extension' });
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, generated.privateKeyPem + generated.certificatePem, { mode: 0o600 });
  await chmod(path, 0o600); // mode above applies only when the file is created
  return { path, certificatePem: generated.certificatePem };
}
