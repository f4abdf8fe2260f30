import { X509Certificate } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { encryptionKeyCredential, generateDecryptionKey, x5tOf, type GeneratedDecryptionKey } from '../../security/index.js';
import { ExitCode } from '../exit-codes.js';
import { wholeNumberIn } from '../parse-options.js';
import { reportError } from '../report-error.js';

interface GenerateOptions {
  out: string;
  bits: 2048 | 4096;
  subject: string;
  days: number;
  name?: string;
  json?: boolean;
}

const KEY_FILE = /^(.+)\.key\.pem$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DAY_IN_MS = 86_400_000;

const parseBits = (value: string): 2048 | 4096 => {
  if (value !== '2048' && value !== '4096') throw new InvalidArgumentError('2048 or 4096.');
  return Number(value) as 2048 | 4096;
};

const parseName = (value: string) => {
  if (!NAME.test(value)) throw new InvalidArgumentError('letters, digits, ".", "_" and "-", at most 64.');
  return value;
};

const parseSubject = (value: string) => {
  if (!/^(?:[A-Za-z]+=[^,=]+)(?:,\s*[A-Za-z]+=[^,=]+)*$/.test(value) || value.length > 256) throw new InvalidArgumentError('an X.500 name such as "CN=contoso migration, O=Contoso".');
  return value;
};

export function registerKeys(program: Command, setExitCode: (code: number) => void): void {
  const keys = program.command('keys').description('the RSA key pair and certificate Entra encrypts passwords to: generate, rotate');
  const addGenerateOptions = (command: Command) =>
    command
      .option('--bits <2048|4096>', 'RSA modulus; 4096 costs about 7× more per sign-in', parseBits, 2048 as const)
      .option('--subject <name>', "the certificate's subject", parseSubject, 'CN=entra-migrate password decryption')
      .option('--days <n>', "the certificate's validity in days", wholeNumberIn(1, 3650), 365)
      .option('--name <name>', 'file name stem (default jit-<date>)', parseName)
      .option('--json', 'print the result as JSON (x5t, files, keyCredential)');

  addGenerateOptions(
    keys
      .command('generate')
      .description('write a new private key (mode 0600), its self-signed certificate (PEM and DER .cer), and print the keyCredential for the app registration')
      .requiredOption('--out <dir>', 'the directory to write to (created if missing; existing files are never overwritten)'),
  )
    .addHelpText(
      'after',
      `
Files: <name>.key.pem (private key + certificate, mode 0600: give it to serve as JIT_DECRYPTION_KEY_FILE),
<name>.cert.pem and <name>.cer (the certificate only). The printed keyCredential goes on the extension's app
registration with "usage": "Encrypt", and its keyId becomes tokenEncryptionKeyId; \`entra-migrate setup\` does both.`,
    )
    .action(async (options: GenerateOptions) => setExitCode(await generate(options, false)));

  addGenerateOptions(
    keys
      .command('rotate')
      .description('add a new key beside the existing ones in a directory and explain the switch-over')
      .requiredOption('--dir <dir>', 'the directory holding the current keys'),
  )
    .addHelpText(
      'after',
      `
Rotation without a failed sign-in:
  1. keys rotate --dir DIR                   a new key beside the old one
  2. serve with JIT_DECRYPTION_KEY_FILE=old,new   the server picks the key by the JWE's x5t, so it reads both
  3. setup (or PATCH the app registration)   add the new keyCredential and point tokenEncryptionKeyId at it
  4. doctor                                  confirms Entra encrypts to the new certificate
  5. remove the old keyCredential, then the old file from JIT_DECRYPTION_KEY_FILE`,
    )
    .action(async (options: GenerateOptions & { dir: string }) => setExitCode(await generate({ ...options, out: options.dir }, true)));
}

async function generate(options: GenerateOptions, rotating: boolean): Promise<number> {
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
