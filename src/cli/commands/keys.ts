import { InvalidArgumentError, type Command } from 'commander';
import type { GenerateOptions } from '../actions/keys.js';
import { wholeNumberIn } from '../parse-options.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

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
    .action(async (options: GenerateOptions) => setExitCode(await (await import('../actions/keys.js')).generateKeys(options, false)));

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
  5. setup --retire-old-keys, then drop the old file from JIT_DECRYPTION_KEY_FILE`,
    )
    .action(async (options: GenerateOptions & { dir: string }) => setExitCode(await (await import('../actions/keys.js')).generateKeys({ ...options, out: options.dir }, true)));
}
