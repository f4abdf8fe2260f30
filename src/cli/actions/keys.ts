import { X509Certificate } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encryptionKeyCredential, generateDecryptionKey, x5tOf, type GeneratedDecryptionKey } from '../../security/index.js';
import { ExitCode } from '../exit-codes.js';
import { reportError } from '../report-error.js';

export interface GenerateOptions {
  out: string;
  bits: 2048 | 4096;
  subject: string;
  days: number;
  name?: string;
  json?: boolean;
}

const KEY_FILE = /^(.+)\.key\.pem$/;
const DAY_IN_MS = 86_400_000;

/** `keys generate` and `keys rotate`: a new key and certificate in a directory, and the keyCredential for it. */
export async function generateKeys(options: GenerateOptions, rotating: boolean): Promise<number> {
  try {
    await mkdir(options.out, { recursive: true, mode: 0o700 });
    const existing = rotating ? await keysIn(options.out) : [];
    if (rotating && existing.length === 0) {
      process.stderr.write(`entra-migrate keys rotate: ${options.out} holds no *.key.pem; use keys generate for the first key.\n`);
      return ExitCode.USAGE;
    }
    const name = options.name ?? (await freeName(options.out));
    const key = await generateDecryptionKey({ modulusLength: options.bits, subject: options.subject, validityInDays: options.days });
    const files = await writeKeyFiles(options.out, name, key);
    const keyCredential = encryptionKeyCredential(key.certificateDer);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ x5t: key.x5t, notAfter: key.notAfter.toISOString(), files, keyCredential, existing }, null, 2)}\n`);
      return ExitCode.OK;
    }
    const lines = [
      `Wrote ${files.privateKey} (mode 0600), ${files.certificatePem} and ${files.certificateDer}.`,
      `  x5t:      ${key.x5t}`,
      `  valid:    ${key.notBefore.toISOString()} → ${key.notAfter.toISOString()}`,
      '',
      'keyCredentials entry for the extension app registration (tokenEncryptionKeyId = its keyId):',
      JSON.stringify(keyCredential, null, 2),
    ];
    if (rotating) {
      lines.push('', 'Keys in this directory now:');
      for (const old of existing) lines.push(`  ${old.file}  x5t ${old.x5t}  expires ${old.notAfter}${old.expiresInDays < 30 ? `  (in ${old.expiresInDays} days)` : ''}`);
      lines.push(`  ${files.privateKey}  x5t ${key.x5t}  expires ${key.notAfter.toISOString()}  (new)`, '', `Serve with JIT_DECRYPTION_KEY_FILE=${[...existing.map((old) => old.file), files.privateKey].join(',')} until the old key is retired (keys rotate --help).`);
    } else {
      lines.push('', `Serve with JIT_DECRYPTION_KEY_FILE=${files.privateKey}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return ExitCode.OK;
  } catch (error) {
    return reportError(rotating ? 'keys rotate' : 'keys generate', error);
  }
}

async function writeKeyFiles(dir: string, name: string, key: GeneratedDecryptionKey) {
  const files = { privateKey: join(dir, `${name}.key.pem`), certificatePem: join(dir, `${name}.cert.pem`), certificateDer: join(dir, `${name}.cer`) };
  // `wx`: never overwrite a key that may be in use. The private key file is created 0600, never readable by others.
  await writeFile(files.privateKey, key.privateKeyPem + key.certificatePem, { mode: 0o600, flag: 'wx' });
  await writeFile(files.certificatePem, key.certificatePem, { mode: 0o644, flag: 'wx' });
  await writeFile(files.certificateDer, key.certificateDer, { mode: 0o644, flag: 'wx' });
  return files;
}

/** `jit-<yyyymmdd>`, or `jit-<yyyymmdd>-2`… when a key of that name exists. */
async function freeName(dir: string): Promise<string> {
  const taken = new Set(await readdir(dir));
  const stem = `jit-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
  for (let n = 1; ; n++) {
    const name = n === 1 ? stem : `${stem}-${n}`;
    if (![`${name}.key.pem`, `${name}.cert.pem`, `${name}.cer`].some((file) => taken.has(file))) return name;
  }
}

/** The keys a directory holds, read from their certificates (the private keys are not parsed here). */
async function keysIn(dir: string): Promise<Array<{ file: string; x5t: string; notAfter: string; expiresInDays: number }>> {
  const found = [];
  for (const entry of (await readdir(dir)).sort()) {
    const stem = KEY_FILE.exec(entry)?.[1];
    if (!stem) continue;
    try {
      const certificate = new X509Certificate(await readFile(join(dir, `${stem}.cer`)));
      const notAfter = new Date(certificate.validTo);
      found.push({ file: join(dir, entry), x5t: x5tOf(certificate.raw), notAfter: notAfter.toISOString(), expiresInDays: Math.floor((notAfter.getTime() - Date.now()) / DAY_IN_MS) });
    } catch {
      found.push({ file: join(dir, entry), x5t: '(no readable .cer beside it)', notAfter: 'unknown', expiresInDays: Number.POSITIVE_INFINITY });
    }
  }
  return found;
}
